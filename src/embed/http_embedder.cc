#include "embed/http_embedder.h"

#include <fmt/format.h>
#include <httplib.h>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdlib>
#include <iterator>
#include <limits>
#include <thread>
#include <utility>

#include "embed/sha256.h"

namespace vestige::embed {
namespace {

// Part of every HTTP embedder's signature hash; raise it if the way vectors
// are derived from replies changes (today: L2 normalisation of the reply).
constexpr std::string_view kSignatureVersion = "vestige http embedder v1";
// Enough of an error body to recognise the problem without flooding a log.
constexpr std::size_t kSnippetBytes = 200;
constexpr std::string_view kProbeText = "dimension probe";

bool starts_with_ci(std::string_view s, std::string_view prefix) {
  return s.size() >= prefix.size() &&
         std::equal(prefix.begin(), prefix.end(), s.begin(), [](char a, char b) {
           return std::tolower(static_cast<unsigned char>(a)) ==
                  std::tolower(static_cast<unsigned char>(b));
         });
}

[[noreturn]] void bad_base_url(std::string_view url, std::string_view why) {
  throw Error(ErrorCode::kConfig,
              fmt::format("[embeddings] base_url \"{}\" {}; expected e.g. "
                          "\"http://127.0.0.1:11434\" or \"https://api.openai.com/v1\"",
                          url, why));
}

// The body's gist in one line: the "error" message of a JSON error reply
// (Ollama: {"error": "..."}, OpenAI: {"error": {"message": "..."}}), else the
// start of the body itself, with line breaks flattened.
std::string snippet(std::string_view body) {
  std::string text(body);
  const Json json = Json::parse(body, nullptr, false);
  if (!json.is_discarded() && json.is_object() && json.contains("error")) {
    const Json& error = json["error"];
    if (error.is_string()) {
      text = error.get<std::string>();
    } else if (error.is_object() && error.contains("message") && error["message"].is_string()) {
      text = error["message"].get<std::string>();
    }
  }
  std::string out;
  for (const char c : text) {
    const bool space = std::isspace(static_cast<unsigned char>(c)) || c == '\0';
    if (space && (out.empty() || out.back() == ' ')) continue;
    out.push_back(space ? ' ' : c);
  }
  while (!out.empty() && out.back() == ' ') out.pop_back();
  if (out.empty()) return "(empty body)";
  if (out.size() > kSnippetBytes) {
    std::size_t cut = kSnippetBytes;
    // Do not split a UTF-8 sequence.
    while (cut > 0 && (static_cast<unsigned char>(out[cut]) & 0xC0) == 0x80) --cut;
    out.resize(cut);
    out += "...";
  }
  return out;
}

std::string seconds(std::chrono::milliseconds d) {
  return fmt::format("{:g} s", static_cast<double>(d.count()) / 1000.0);
}

bool retryable_status(int status) {
  return status == 429 || status >= 500;
}

bool retryable_transport_error(httplib::Error error) {
  switch (error) {
    case httplib::Error::Connection:
    case httplib::Error::ConnectionTimeout:
    case httplib::Error::Read:
    case httplib::Error::Write:
    case httplib::Error::SSLConnection:
    case httplib::Error::Unknown:
      return true;
    default:
      return false;
  }
}

}  // namespace

BaseUrl parse_base_url(std::string_view url) {
  std::string_view scheme;
  if (starts_with_ci(url, "http://")) {
    scheme = "http";
  } else if (starts_with_ci(url, "https://")) {
    scheme = "https";
  } else {
    bad_base_url(url, "must start with http:// or https://");
  }
  std::string_view rest = url.substr(scheme.size() + 3);
  if (rest.find_first_of("?#") != std::string_view::npos) {
    bad_base_url(url, "must not have a query or fragment");
  }
  const std::size_t slash = rest.find('/');
  const std::string_view authority = rest.substr(0, slash);
  std::string_view path = slash == std::string_view::npos ? "" : rest.substr(slash);
  if (authority.empty()) bad_base_url(url, "has no host");
  if (authority.find('@') != std::string_view::npos) {
    bad_base_url(url, "must not contain a user name or password (use api_key_env)");
  }
  // A port follows the last ':' unless that colon is inside an IPv6 literal.
  const std::size_t colon = authority.rfind(':');
  const std::size_t bracket = authority.rfind(']');
  if (colon != std::string_view::npos && (bracket == std::string_view::npos || colon > bracket)) {
    const std::string_view port = authority.substr(colon + 1);
    const bool digits =
        !port.empty() && port.size() <= 5 &&
        std::all_of(port.begin(), port.end(), [](char c) { return c >= '0' && c <= '9'; });
    const int number = digits ? std::stoi(std::string(port)) : 0;
    if (number < 1 || number > 65535) bad_base_url(url, "has an invalid port");
    if (colon == 0) bad_base_url(url, "has no host");
  }
  while (!path.empty() && path.back() == '/') path.remove_suffix(1);
  return BaseUrl{fmt::format("{}://{}", scheme, authority), std::string(path)};
}

HttpEmbedderOptions http_embedder_options(const EmbeddingsConfig& config, std::string_view provider,
                                          std::string_view model,
                                          std::string_view default_base_url) {
  HttpEmbedderOptions options;
  options.provider = provider;
  options.model = model;
  options.base_url = parse_base_url(config.base_url.value_or(std::string(default_base_url)));
  if (config.dimension && *config.dimension <= 0) {
    throw Error(ErrorCode::kConfig,
                fmt::format("[embeddings] dimension must be positive, not {}; remove it to use "
                            "whatever the model returns",
                            *config.dimension));
  }
  options.dimension = config.dimension;
  if (config.timeout_secs <= 0) {
    throw Error(
        ErrorCode::kConfig,
        fmt::format("[embeddings] timeout_secs must be positive, not {}", config.timeout_secs));
  }
  options.timeout = std::chrono::seconds(config.timeout_secs);
  if (config.batch_size <= 0) {
    throw Error(ErrorCode::kConfig,
                fmt::format("[embeddings] batch_size must be positive, not {}", config.batch_size));
  }
  options.batch_size = static_cast<std::size_t>(config.batch_size);
  if (config.max_retries < 0) {
    throw Error(
        ErrorCode::kConfig,
        fmt::format("[embeddings] max_retries must be 0 or more, not {}", config.max_retries));
  }
  options.max_retries = config.max_retries;
  if (config.api_key_env) {
    const std::string& name = *config.api_key_env;
    const char* value = name.empty() ? nullptr : std::getenv(name.c_str());
    if (value == nullptr || *value == '\0') {
      throw Error(ErrorCode::kConfig,
                  fmt::format("[embeddings] api_key_env names the environment variable \"{}\", "
                              "which is not set or empty; export {}=<your API key>, or remove "
                              "api_key_env if the server needs no key",
                              name, name));
    }
    options.api_key = value;
    options.api_key_env = name;
  }
  return options;
}

Embedding vector_from_json(const Json& value, std::string_view what) {
  if (!value.is_array()) throw MalformedReply(fmt::format("{} is not an array", what));
  Embedding vector;
  vector.reserve(value.size());
  for (std::size_t i = 0; i < value.size(); ++i) {
    const Json& element = value[i];
    if (!element.is_number()) {
      throw MalformedReply(fmt::format("{}[{}] is not a number", what, i));
    }
    const double d = element.get<double>();
    // Converting a double outside the float range is undefined behaviour, so
    // clamp it to an infinity, which the caller reports as non-finite.
    constexpr double kMax = std::numeric_limits<float>::max();
    if (std::isfinite(d) && std::abs(d) > kMax) {
      vector.push_back(
          std::copysign(std::numeric_limits<float>::infinity(), static_cast<float>(d)));
    } else {
      vector.push_back(static_cast<float>(d));
    }
  }
  return vector;
}

Json json_string_array(std::span<const std::string> texts) {
  Json array = Json::array();
  for (const std::string& text : texts) array.push_back(text);
  return array;
}

// One client per embed_batch call: httplib::Client is not safe to share
// between threads, and within a call it keeps the connection alive between
// batches.
class HttpEmbedder::Connection {
 public:
  explicit Connection(const HttpEmbedderOptions& options) : client_(options.base_url.origin) {
    client_.set_connection_timeout(options.timeout);
    client_.set_read_timeout(options.timeout);
    client_.set_write_timeout(options.timeout);
    client_.set_keep_alive(true);
    // httplib writes headers and body separately; with Nagle's algorithm the
    // body of every request after the first on a kept-alive connection waits
    // for a delayed ACK (40 ms or more per batch).
    client_.set_tcp_nodelay(true);
    headers_.emplace("Accept", "application/json");
    if (options.api_key) headers_.emplace("Authorization", "Bearer " + *options.api_key);
  }

  httplib::Result post(const std::string& path, const std::string& body) {
    return client_.Post(path, headers_, body, "application/json");
  }

 private:
  httplib::Client client_;
  httplib::Headers headers_;
};

HttpEmbedder::HttpEmbedder(HttpEmbedderOptions options,
                           std::unique_ptr<const EmbeddingProtocol> protocol)
    : options_(std::move(options)),
      protocol_(std::move(protocol)),
      endpoint_path_(protocol_->endpoint_path(options_.base_url.path_prefix)),
      endpoint_url_(options_.base_url.origin + endpoint_path_) {
  if (options_.dimension) check_dimension(static_cast<std::size_t>(*options_.dimension));
}

std::string HttpEmbedder::model_name() const {
  return fmt::format("{}/{}", options_.provider, options_.model);
}

Error HttpEmbedder::failure(std::string_view what, std::string_view hint) const {
  return Error(ErrorCode::kEmbedder,
               fmt::format("embedding model {}: {}; {}", model_name(), what, hint));
}

const ModelSignature& HttpEmbedder::signature() {
  {
    const std::lock_guard lock(state_mutex_);
    if (signature_) return *signature_;
  }
  const std::lock_guard probe_lock(probe_mutex_);
  {
    const std::lock_guard lock(state_mutex_);
    if (signature_) return *signature_;
  }
  const std::string probe(kProbeText);
  Connection connection(options_);
  embed_chunk(connection, std::span(&probe, 1));
  // embed_chunk has recorded the dimension; once set, signature_ never
  // changes, so the reference stays valid.
  const std::lock_guard lock(state_mutex_);
  return *signature_;
}

std::vector<Embedding> HttpEmbedder::embed_batch(std::span<const std::string> texts) {
  std::vector<Embedding> vectors;
  if (texts.empty()) return vectors;
  vectors.reserve(texts.size());
  Connection connection(options_);
  for (std::size_t begin = 0; begin < texts.size(); begin += options_.batch_size) {
    const std::size_t count = std::min(options_.batch_size, texts.size() - begin);
    std::vector<Embedding> batch = embed_chunk(connection, texts.subspan(begin, count));
    std::move(batch.begin(), batch.end(), std::back_inserter(vectors));
  }
  return vectors;
}

std::vector<Embedding> HttpEmbedder::embed_chunk(Connection& connection,
                                                 std::span<const std::string> texts) {
  // Invalid UTF-8 in a memory must not make the request impossible to encode.
  const std::string body = protocol_->request_body(options_.model, texts)
                               .dump(-1, ' ', false, Json::error_handler_t::replace);
  const Json reply = post(connection, body);
  const auto malformed = [&](std::string_view what) {
    return failure(fmt::format("{} sent a reply that is not an {} embeddings response ({})",
                               endpoint_url_, protocol_->server_kind(), what),
                   fmt::format("check that [embeddings] base_url points to an {} server and "
                               "that {} is an embedding model",
                               protocol_->server_kind(), options_.model));
  };
  std::vector<Embedding> vectors;
  try {
    vectors = protocol_->parse_reply(reply);
  } catch (const MalformedReply& e) {
    throw malformed(e.what());
  }
  if (vectors.size() != texts.size()) {
    throw malformed(fmt::format("{} vectors for {} texts", vectors.size(), texts.size()));
  }
  for (std::size_t i = 0; i < vectors.size(); ++i) {
    Embedding& v = vectors[i];
    if (v.empty()) throw malformed(fmt::format("vector {} is empty", i));
    check_dimension(v.size());
    double norm_squared = 0.0;
    for (const float x : v) {
      if (!std::isfinite(x)) {
        throw failure(fmt::format("{} returned a non-finite number (NaN or infinity, or beyond "
                                  "the float range) in vector {}",
                                  endpoint_url_, i),
                      "the model or server is broken; check the server's log or try "
                      "another model");
      }
      norm_squared += static_cast<double>(x) * x;
    }
    if (norm_squared == 0.0) {
      throw failure(fmt::format("{} returned an all-zero vector for text {}, which has no "
                                "direction to compare",
                                endpoint_url_, i),
                    "check that the model is an embedding model");
    }
    const double inverse_norm = 1.0 / std::sqrt(norm_squared);
    for (float& x : v) x = static_cast<float>(x * inverse_norm);
  }
  return vectors;
}

void HttpEmbedder::check_dimension(std::size_t dimension) {
  const std::lock_guard lock(state_mutex_);
  if (!signature_) {
    const int d = static_cast<int>(dimension);
    signature_ = ModelSignature{model_name(), d,
                                sha256_hex(fmt::format("{}\n{}/{}/{}", kSignatureVersion,
                                                       options_.provider, options_.model, d))};
    return;
  }
  if (dimension == static_cast<std::size_t>(signature_->dimension)) return;
  if (options_.dimension) {
    throw failure(fmt::format("{} returned vectors of dimension {}, but [embeddings] dimension "
                              "is {}",
                              endpoint_url_, dimension, signature_->dimension),
                  fmt::format("if {} is the intended model, set dimension = {} (a store "
                              "holding vectors of another model then needs `vestige migrate "
                              "reembed`), otherwise check the model name",
                              model_name(), dimension));
  }
  throw failure(fmt::format("{} returned vectors of dimension {}, but earlier replies had "
                            "dimension {}",
                            endpoint_url_, dimension, signature_->dimension),
                "the model behind the server changed while Vestige was running; restart "
                "Vestige, and set [embeddings] dimension to catch this at once");
}

Json HttpEmbedder::post(Connection& connection, const std::string& body) {
  const int attempts = options_.max_retries + 1;
  std::chrono::milliseconds backoff = options_.initial_backoff;
  for (int attempt = 1;; ++attempt) {
    const std::string tries = attempt > 1 ? fmt::format(" (after {} attempts)", attempt) : "";
    const httplib::Result result = connection.post(endpoint_path_, body);
    bool retry = false;
    std::optional<Error> error;
    if (!result) {
      const httplib::Error e = result.error();
      retry = retryable_transport_error(e);
      switch (e) {
        case httplib::Error::Connection:
        case httplib::Error::ConnectionTimeout:
          error = failure(fmt::format("cannot connect to {}{}", endpoint_url_, tries),
                          protocol_->unreachable_hint());
          break;
        case httplib::Error::Read:
          error =
              failure(fmt::format("no complete reply from {} within {}{}", endpoint_url_,
                                  seconds(options_.timeout), tries),
                      "the server may be overloaded or still loading the model; raise [embeddings] "
                      "timeout_secs or lower batch_size, and check the server's log");
          break;
        case httplib::Error::SSLConnection:
        case httplib::Error::SSLServerVerification:
        case httplib::Error::SSLLoadingCerts:
          error = failure(
              fmt::format("TLS with {} failed ({}){}", endpoint_url_, httplib::to_string(e), tries),
              "check that the server speaks https and that its certificate is "
              "trusted, or use http:// for a local server");
          break;
        default:
          error = failure(fmt::format("the request to {} failed ({}){}", endpoint_url_,
                                      httplib::to_string(e), tries),
                          protocol_->unreachable_hint());
      }
    } else if (result->status >= 200 && result->status < 300) {
      Json reply = Json::parse(result->body, nullptr, false);
      if (reply.is_discarded()) {
        throw failure(fmt::format("{} sent a reply that is not JSON: {}", endpoint_url_,
                                  snippet(result->body)),
                      fmt::format("check that [embeddings] base_url points to an {} server",
                                  protocol_->server_kind()));
      }
      return reply;
    } else {
      const int status = result->status;
      retry = retryable_status(status);
      std::string hint;
      if (status == 401 || status == 403) {
        hint = options_.api_key_env
                   ? fmt::format("check the API key in ${} ([embeddings] api_key_env)",
                                 *options_.api_key_env)
                   : std::string(
                         "the server wants an API key: put it in an environment "
                         "variable and name that variable in [embeddings] api_key_env");
      } else if (status == 404) {
        hint = protocol_->unknown_model_hint(options_.model);
      } else if (status == 413) {
        hint = "the request is too large: lower [embeddings] batch_size";
      } else if (status == 429) {
        hint = "the server is rate-limiting: lower [embeddings] batch_size or try again later";
      } else if (status >= 500) {
        hint =
            "the server failed: check its log; if it is still loading the model, try again "
            "later";
      } else {
        hint = fmt::format(
            "the server rejected the request: check the model name and that "
            "[embeddings] base_url points to an {} server",
            protocol_->server_kind());
      }
      error = failure(fmt::format("{} answered HTTP {}{}: {}", endpoint_url_, status, tries,
                                  snippet(result->body)),
                      hint);
    }
    if (!retry || attempt >= attempts) throw *error;
    std::this_thread::sleep_for(backoff);
    backoff = std::min(backoff * 2, options_.max_backoff);
  }
}

}  // namespace vestige::embed
