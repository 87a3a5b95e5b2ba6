#pragma once

// JSON-RPC 2.0 messages as MCP carries them over stdio: one JSON value per
// line. Parsing never throws on bad input; a message that cannot be accepted
// comes back as the error response the peer must receive
// (https://www.jsonrpc.org/specification, sections 4-6).

#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "vestige/types.h"

namespace vestige::mcp {

// Error codes defined by JSON-RPC 2.0.
inline constexpr int kParseError = -32700;      // the line is not JSON
inline constexpr int kInvalidRequest = -32600;  // JSON, but not a valid message
inline constexpr int kMethodNotFound = -32601;
inline constexpr int kInvalidParams = -32602;
inline constexpr int kInternalError = -32603;
// MCP's code for resources/read of an unknown uri (server/resources, "Error
// handling", in every protocol version this server negotiates).
inline constexpr int kResourceNotFound = -32002;

// Ids are a string or an integer and kept as JSON so that a reply echoes the
// request's id exactly (an id of 7 is not answered with "7"). JSON-RPC also
// allows null and fractional ids; MCP forbids null ("MUST NOT be null") and
// fractions are discouraged by JSON-RPC itself, so both are rejected.
using RequestId = Json;

// A call that expects a response.
struct Request {
  RequestId id;
  std::string method;
  Json params;  // an object, an array, or null when the message had none
};

// A call that expects no response, not even an error (JSON-RPC 2.0, 4.1).
struct Notification {
  std::string method;
  Json params;  // an object, an array, or null when the message had none
};

struct ErrorObject {
  int code = kInternalError;
  std::string message;
  Json data;  // null means "no data member"
};

// The answer to a request: exactly one of result and error is set.
struct Response {
  RequestId id;  // null only for errors about a message whose id was unreadable
  std::optional<Json> result;
  std::optional<ErrorObject> error;
};

// A message that could not be accepted, with the error response it requires.
struct Invalid {
  Response reply;
};

using Incoming = std::variant<Request, Notification, Response, Invalid>;

// One line of input. A batch (a JSON array) yields one entry per element, in
// order; anything else yields exactly one entry. A line that is not JSON, and
// an empty array, yield a single Invalid entry with `is_batch` false, because
// JSON-RPC answers those with one error object, not an array.
struct ParsedLine {
  bool is_batch = false;
  std::vector<Incoming> entries;
};

// Parses one line (without its newline). Never throws.
ParsedLine parse_line(std::string_view line);

// Classifies one JSON value as a message. Never throws. Rules: "jsonrpc" must
// be "2.0"; a message with "method" (a string) is a request when it has an
// "id" (string or integer) and a notification otherwise; "params", when
// present, must be an object or an array; a message without "method" must
// be a response with "id" and exactly one of "result" and "error".
Incoming parse_message(const Json& value);

Response make_result(RequestId id, Json result);
Response make_error(RequestId id, int code, std::string message, Json data = nullptr);

Json to_json(const Request& request);
Json to_json(const Notification& notification);
Json to_json(const Response& response);

// Compact single-line JSON. Strings that are not valid UTF-8 (text a tool
// copied from elsewhere) are written with U+FFFD in place of the bad bytes
// rather than throwing, so a reply can always be sent.
std::string serialize(const Json& value);

}  // namespace vestige::mcp
