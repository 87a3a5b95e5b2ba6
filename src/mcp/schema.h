#pragma once

// Checks tool arguments against the tool's input JSON Schema, so that a bad
// argument becomes a tool error that says what is wrong before any handler
// runs.
//
// Supported keywords, the subset Vestige's tool schemas use: type (a name or
// an array of names: string, integer, number, boolean, array, object, null),
// enum, properties, required, additionalProperties (false only; a schema
// value is treated as "allowed"), items (one schema for every element),
// minimum, maximum, minLength, maxLength (in bytes), minItems, maxItems.
// Other keywords are ignored rather than rejected, so a schema written for a
// full validator still registers. "integer" accepts numbers with no
// fractional part (5.0), as JSON Schema does.

#include <string>
#include <vector>

#include "vestige/types.h"

namespace vestige::mcp {

// One sentence per violation, naming the argument and what it must be, e.g.
// "argument 'limit' must be an integer; got a string (\"ten\")". Nested
// arguments are named by path: 'items[2].content'. Empty when `arguments`
// conforms. Recursion follows the schema, not the value, so its depth is
// bounded by the (server-written) schema whatever the client sends.
std::vector<std::string> validate_arguments(const Json& arguments, const Json& schema);

}  // namespace vestige::mcp
