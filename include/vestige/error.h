#pragma once

#include <optional>
#include <stdexcept>
#include <string>

#include "vestige/types.h"

namespace vestige {

// What went wrong, in the terms a caller can act on. Every failure inside
// Vestige (store, config, embedder) is reported as an `Error` carrying one of
// these codes; the CLI maps codes to exit codes in one place (exit_code) and
// the MCP server maps them to protocol errors in one place.
enum class ErrorCode {
  kNotFound,       // the memory (or edge, domain, ...) does not exist
  kModelMismatch,  // a vector from a model other than the registered one
  kInvalidInput,   // the caller's data is wrong: bad id, wrong dimension, bad JSON, ...
  kBackend,        // the database failed while running a statement
  kInit,           // the store cannot be opened, created or migrated
  kPoolTimeout,    // no pooled connection became free within the acquire timeout
  kConfig,         // the configuration is invalid (unknown key, wrong type, unset ${VAR})
  kUsage,          // the command line is wrong
  kEmbedder,       // the embedding model failed (unreachable, HTTP error, bad reply)
};

// Stable lowercase name of a code ("not_found", "model_mismatch", ...), used in
// JSON output and logs.
std::string_view error_code_name(ErrorCode code);

// The one error type. `what()` is a complete sentence for a human: what
// happened and what to do next.
class Error : public std::runtime_error {
 public:
  Error(ErrorCode code, const std::string& message);

  // A model mismatch; the message names both signatures and the command that
  // fixes it (`vestige migrate reembed --model=<name>`). When `registered`
  // carries the re-embed marker (kReembedMarker), the message says instead that
  // a re-embed is in progress and how to finish it.
  static Error model_mismatch(const ModelSignature& registered, const ModelSignature& requested);

  ErrorCode code() const { return code_; }
  // Set only for kModelMismatch.
  const std::optional<ModelSignature>& registered_model() const { return registered_; }
  const std::optional<ModelSignature>& requested_model() const { return requested_; }

 private:
  ErrorCode code_;
  std::optional<ModelSignature> registered_;
  std::optional<ModelSignature> requested_;
};

// Prefix of the registry row's hash while `vestige migrate reembed` is under
// way (store_transfer.h): no handle's model equals it, so vector writes and
// queries are refused until the run finishes.
inline constexpr std::string_view kReembedMarker = "reembed-in-progress:";

// Process exit codes (operations.md, "CLI conventions").
inline constexpr int kExitOk = 0;
inline constexpr int kExitFailure = 1;
inline constexpr int kExitUsage = 2;
inline constexpr int kExitStorage = 3;
inline constexpr int kExitRowErrors = 4;

// The exit code the CLI uses for an error with this code.
int exit_code(ErrorCode code);

}  // namespace vestige
