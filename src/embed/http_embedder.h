#pragma once

// The machinery shared by the HTTP embedders: batching, timeouts, retries with
// backoff, reply validation and error messages. What differs between servers
// (endpoint, request and reply shapes) is an EmbeddingProtocol.

#include <chrono>
#include <cstddef>
#include <memory>
#include <mutex>
#include <optional>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "vestige/config.h"
#include "vestige/embedder.h"
#include "vestige/error.h"
#include "vestige/types.h"

namespace vestige::embed {

// Where a server is: "http://host:port" plus an optional path prefix, e.g.
// "https://gateway.example.com/ollama" -> {"https://gateway.example.com", "/ollama"}.
struct BaseUrl {
  std::string origin;       // scheme://host[:port]
  std::string path_prefix;  // "" or "/a/b", without a trailing slash
};

// Parses an http:// or https:// URL; throws Error(kConfig) for anything else
// (other schemes, no host, a query or fragment).
BaseUrl parse_base_url(std::string_view url);

// Everything an HTTP embedder needs, from EmbeddingsConfig plus the
// provider's defaults.
struct HttpEmbedderOptions {
  std::string provider;  // "ollama" or "openai": the first part of the model name
  std::string model;     // the rest, sent to the server
  BaseUrl base_url;
  std::optional<int> dimension;               // checked against every reply when set
  std::chrono::milliseconds timeout{30'000};  // for connecting and for each read
  std::size_t batch_size = 32;
  int max_retries = 3;
  // The wait before the first retry; it doubles after each one, up to max_backoff.
  std::chrono::milliseconds initial_backoff{200};
  std::chrono::milliseconds max_backoff{5'000};
  std::optional<std::string> api_key;      // sent as "Authorization: Bearer <key>"
  std::optional<std::string> api_key_env;  // where the key came from, for messages
};

// Builds options for `provider`/`model` from the [embeddings] section; the base
// URL defaults to `default_base_url`. Reads the API key from the environment
// variable named by api_key_env. Throws Error(kConfig) for an invalid base_url,
// a non-positive dimension, timeout or batch size, negative retries, or an
// api_key_env naming an unset or empty variable. Does no network I/O.
HttpEmbedderOptions http_embedder_options(const EmbeddingsConfig& config, std::string_view provider,
                                          std::string_view model,
                                          std::string_view default_base_url);

// A reply that does not have the shape the protocol expects; what() says what
// is wrong with it ("no \"embeddings\" array", "element 3 is not a number").
class MalformedReply : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Reads a JSON array of numbers. A number beyond the float range becomes an
// infinity (reported later as non-finite). Throws MalformedReply naming
// `what` ("embeddings[2]") if `value` is not an array of numbers.
Embedding vector_from_json(const Json& value, std::string_view what);

// ["text", ...], for request bodies.
Json json_string_array(std::span<const std::string> texts);

// The wire format of one kind of embeddings server.
class EmbeddingProtocol {
 public:
  virtual ~EmbeddingProtocol() = default;

  // "Ollama", "OpenAI-compatible": the kind of server, for messages.
  virtual std::string_view server_kind() const = 0;
  // The endpoint's path below the base URL's path prefix.
  virtual std::string endpoint_path(std::string_view path_prefix) const = 0;
  virtual Json request_body(std::string_view model, std::span<const std::string> texts) const = 0;
  // The vectors in input order, as sent (not normalised, not checked against
  // the number of texts or the dimension). Throws MalformedReply.
  virtual std::vector<Embedding> parse_reply(const Json& reply) const = 0;
  // What to try when the server cannot be reached.
  virtual std::string unreachable_hint() const = 0;
  // What to try when the server says the model does not exist (HTTP 404).
  virtual std::string unknown_model_hint(std::string_view model) const = 0;
};

// An Embedder that talks to a server through `protocol`. Safe to call from
// several threads: each embed_batch call uses its own connection.
class HttpEmbedder final : public Embedder {
 public:
  HttpEmbedder(HttpEmbedderOptions options, std::unique_ptr<const EmbeddingProtocol> protocol);

  // The hash is SHA-256 of "<provider>/<model>/<dimension>" and a version tag;
  // the base URL is not part of the identity, so moving the server does not
  // invalidate stored vectors. Without a configured dimension, the first call
  // embeds one short text to learn it (once; a failure is thrown and the next
  // call tries again).
  const ModelSignature& signature() override;
  std::vector<Embedding> embed_batch(std::span<const std::string> texts) override;

  // The full endpoint URL, for messages and tests.
  const std::string& endpoint_url() const { return endpoint_url_; }

 private:
  class Connection;

  std::vector<Embedding> embed_chunk(Connection& connection, std::span<const std::string> texts);
  Json post(Connection& connection, const std::string& body);
  // Records the dimension of the first vector seen (when none is configured)
  // and checks every later one against it.
  void check_dimension(std::size_t dimension);
  std::string model_name() const;
  Error failure(std::string_view what, std::string_view hint) const;

  const HttpEmbedderOptions options_;
  const std::unique_ptr<const EmbeddingProtocol> protocol_;
  const std::string endpoint_path_;
  const std::string endpoint_url_;

  // Lock order: probe_mutex_ (serialises probes, held during one) before
  // state_mutex_ (guards signature_, held only briefly).
  std::mutex probe_mutex_;
  std::mutex state_mutex_;
  std::optional<ModelSignature> signature_;
};

}  // namespace vestige::embed
