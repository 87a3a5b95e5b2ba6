#include "mcp/server.h"

#include <algorithm>
#include <exception>
#include <utility>

#include <fmt/format.h>

#include "mcp/schema.h"
#include "vestige/error.h"

namespace vestige::mcp {
namespace {

constexpr std::string_view kServerName = "vestige";
// Violations listed in one tool error; an array of a million bad elements
// should not produce a million sentences.
constexpr std::size_t kMaxReportedProblems = 10;

bool is_blank(std::string_view line) {
  return std::all_of(line.begin(), line.end(),
                     [](char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; });
}

Json text_content(std::string text) {
  return Json::array({Json{{"type", "text"}, {"text", std::move(text)}}});
}

Json tool_success(ToolResult result) {
  Json out{{"content", text_content(std::move(result.text))}, {"isError", false}};
  if (result.structured.is_object()) {
    out["structuredContent"] = std::move(result.structured);
  } else if (!result.structured.is_null()) {
    out["structuredContent"] = Json{{"result", std::move(result.structured)}};
  }
  return out;
}

// A tool error result: the model reads `content`, programs read the code.
Json tool_error(std::string_view code, const std::string& message, Json details = nullptr) {
  Json error{{"code", code}, {"message", message}};
  if (!details.is_null()) error.update(details);
  return Json{{"content", text_content(message)},
              {"isError", true},
              {"structuredContent", Json{{"error", std::move(error)}}}};
}

Json error_details(const Error& e) {
  if (!e.registered_model() || !e.requested_model()) return nullptr;
  return Json{{"registered_model", *e.registered_model()},
              {"requested_model", *e.requested_model()}};
}

// MCP defines every params as an object; JSON-RPC's positional (array) form
// has no meaning here.
std::optional<Response> require_object_params(const Request& request) {
  if (request.params.is_null() || request.params.is_object()) return std::nullopt;
  return make_error(
      request.id, kInvalidParams,
      fmt::format("Invalid params: \"params\" of {} must be an object", request.method));
}

// A required string member of params, or the error to answer with.
std::variant<std::string, Response> string_param(const Request& request, std::string_view key) {
  if (request.params.is_object()) {
    const auto it = request.params.find(key);
    if (it != request.params.end() && it->is_string()) return it->get<std::string>();
  }
  return make_error(
      request.id, kInvalidParams,
      fmt::format("Invalid params: {} needs \"{}\" (a string) in params", request.method, key));
}

// initialize's clientInfo when it names the client; see server.h.
std::optional<ClientInfo> client_info_param(const Request& request) {
  if (!request.params.is_object()) return std::nullopt;
  const auto info = request.params.find("clientInfo");
  if (info == request.params.end() || !info->is_object()) return std::nullopt;
  const auto name = info->find("name");
  if (name == info->end() || !name->is_string() || name->get_ref<const std::string&>().empty()) {
    return std::nullopt;
  }
  ClientInfo out{.name = name->get<std::string>(), .version = {}};
  if (const auto version = info->find("version"); version != info->end() && version->is_string()) {
    out.version = version->get<std::string>();
  }
  return out;
}

bool is_supported(std::string_view version) {
  return std::find(std::begin(kSupportedProtocolVersions), std::end(kSupportedProtocolVersions),
                   version) != std::end(kSupportedProtocolVersions);
}

}  // namespace

Server::Server(ServerOptions options) : options_(std::move(options)) {}

void Server::add_tool(Tool tool) {
  if (tool.name.empty()) throw Error(ErrorCode::kInvalidInput, "a tool needs a name");
  if (!tool.handler) {
    throw Error(ErrorCode::kInvalidInput, fmt::format("tool '{}' has no handler", tool.name));
  }
  if (!tool.input_schema.is_object() || tool.input_schema.value("type", "") != "object") {
    throw Error(ErrorCode::kInvalidInput,
                fmt::format("tool '{}': the input schema must be an object with \"type\": "
                            "\"object\", as MCP requires",
                            tool.name));
  }
  if (tool_index_.contains(tool.name)) {
    throw Error(ErrorCode::kInvalidInput, fmt::format("tool '{}' is registered twice", tool.name));
  }
  tool_index_.emplace(tool.name, tools_.size());
  tools_.push_back(std::move(tool));
}

void Server::on_initialize(std::function<void(const std::optional<ClientInfo>&)> listener) {
  initialize_listeners_.push_back(std::move(listener));
}

void Server::add_resource(Resource resource) {
  if (resource.uri.empty()) throw Error(ErrorCode::kInvalidInput, "a resource needs a uri");
  if (!resource.reader) {
    throw Error(ErrorCode::kInvalidInput, fmt::format("resource '{}' has no reader", resource.uri));
  }
  if (resource_index_.contains(resource.uri)) {
    throw Error(ErrorCode::kInvalidInput,
                fmt::format("resource '{}' is registered twice", resource.uri));
  }
  resource_index_.emplace(resource.uri, resources_.size());
  resources_.push_back(std::move(resource));
}

std::optional<std::string> Server::handle_line(std::string_view line) {
  try {
    if (line.size() > options_.max_line_bytes) {
      return serialize(to_json(make_error(
          nullptr, kInvalidRequest,
          fmt::format("Invalid Request: the message is larger than the limit of {} bytes; "
                      "send less data per call",
                      options_.max_line_bytes))));
    }
    if (is_blank(line)) return std::nullopt;
    ParsedLine parsed = parse_line(line);
    if (!parsed.is_batch) {
      auto response = dispatch(std::move(parsed.entries.front()), false);
      if (!response) return std::nullopt;
      return serialize(to_json(*response));
    }
    if (protocol_version_ != "2025-03-26") {
      const std::string version = protocol_version_.value_or("none (not initialized)");
      return serialize(to_json(make_error(
          nullptr, kInvalidRequest,
          fmt::format("Invalid Request: JSON-RPC batches are not supported with protocol "
                      "version {}; send one message per line",
                      version))));
    }
    Json replies = Json::array();
    for (Incoming& entry : parsed.entries) {
      if (auto response = dispatch(std::move(entry), true)) replies.push_back(to_json(*response));
    }
    // A batch of only notifications gets no reply at all (JSON-RPC 2.0, 6).
    if (replies.empty()) return std::nullopt;
    return serialize(replies);
  } catch (...) {
    // Only resource exhaustion gets here (every handler is guarded); answer
    // something rather than leave the client waiting or end the session.
    return serialize(to_json(
        make_error(nullptr, kInternalError, "Internal error: the message could not be handled")));
  }
}

std::optional<Response> Server::dispatch(Incoming message, bool in_batch) {
  if (auto* bad = std::get_if<Invalid>(&message)) return std::move(bad->reply);
  // This server sends no requests, so a response answers nothing; and
  // notifications (initialized, cancelled, ...) need no action from a server
  // that handles each request to completion before reading the next.
  if (!std::holds_alternative<Request>(message)) return std::nullopt;
  const Request& request = std::get<Request>(message);
  try {
    return handle_request(request, in_batch);
  } catch (const std::exception& e) {
    return make_error(request.id, kInternalError, fmt::format("Internal error: {}", e.what()));
  } catch (...) {
    return make_error(request.id, kInternalError, "Internal error");
  }
}

Response Server::handle_request(const Request& request, bool in_batch) {
  const std::string& method = request.method;
  if (method != "initialize" && method != "ping" && method != "tools/list" &&
      method != "tools/call" && method != "resources/list" && method != "resources/read") {
    return make_error(request.id, kMethodNotFound, fmt::format("Method not found: {}", method),
                      Json{{"method", method}});
  }
  if (auto error = require_object_params(request)) return std::move(*error);
  if (method == "initialize") return initialize(request, in_batch);
  // MCP allows ping at any time, including before initialization.
  if (method == "ping") return make_result(request.id, Json::object());
  if (!protocol_version_) {
    return make_error(request.id, kInvalidRequest,
                      fmt::format("Invalid Request: server not initialized; send initialize "
                                  "before {}",
                                  method));
  }
  if (method == "tools/list") return list_tools(request);
  if (method == "tools/call") return call_tool(request);
  if (method == "resources/list") return list_resources(request);
  return read_resource(request);
}

Response Server::initialize(const Request& request, bool in_batch) {
  if (in_batch) {
    return make_error(request.id, kInvalidRequest,
                      "Invalid Request: initialize must not be part of a JSON-RPC batch");
  }
  if (protocol_version_) {
    return make_error(request.id, kInvalidRequest,
                      fmt::format("Invalid Request: the session is already initialized with "
                                  "protocol version {}",
                                  *protocol_version_));
  }
  auto requested = string_param(request, "protocolVersion");
  if (auto* error = std::get_if<Response>(&requested)) return std::move(*error);
  const std::string& version = std::get<std::string>(requested);
  // MCP: answer with the client's version when supported, else with the
  // server's newest and let the client decide whether to go on.
  protocol_version_ =
      is_supported(version)
          ? version
          : std::string(kSupportedProtocolVersions[std::size(kSupportedProtocolVersions) - 1]);
  Json result{
      {"protocolVersion", *protocol_version_},
      {"capabilities", {{"tools", {{"listChanged", false}}}, {"resources", Json::object()}}},
      {"serverInfo", {{"name", kServerName}, {"version", options_.version}}}};
  if (!options_.instructions.empty()) result["instructions"] = options_.instructions;
  client_info_ = client_info_param(request);
  for (const auto& listener : initialize_listeners_) listener(client_info_);
  return make_result(request.id, std::move(result));
}

Response Server::list_tools(const Request& request) const {
  // Every tool fits in one page, so there is never a nextCursor and a cursor
  // from the client has nothing to continue.
  Json tools = Json::array();
  for (const Tool& tool : tools_) {
    tools.push_back(Json{{"name", tool.name},
                         {"description", tool.description},
                         {"inputSchema", tool.input_schema}});
  }
  return make_result(request.id, Json{{"tools", std::move(tools)}});
}

Response Server::call_tool(const Request& request) {
  auto name_param = string_param(request, "name");
  if (auto* error = std::get_if<Response>(&name_param)) return std::move(*error);
  const std::string& name = std::get<std::string>(name_param);

  const auto found = tool_index_.find(name);
  if (found == tool_index_.end()) {
    // A protocol error, not a tool error: MCP lists unknown tools among the
    // errors a client made in the request itself.
    Json known = Json::array();
    std::string listing;
    for (const Tool& tool : tools_) {
      known.push_back(tool.name);
      listing += (listing.empty() ? "" : ", ") + tool.name;
    }
    return make_error(request.id, kInvalidParams,
                      fmt::format("Unknown tool '{}'; known tools: {}", name,
                                  listing.empty() ? std::string("none") : listing),
                      Json{{"tool", name}, {"known_tools", std::move(known)}});
  }
  const Tool& tool = tools_[found->second];

  Json arguments = Json::object();
  if (const auto it = request.params.find("arguments");
      it != request.params.end() && !it->is_null()) {
    if (!it->is_object()) {
      return make_error(
          request.id, kInvalidParams,
          fmt::format("Invalid params: \"arguments\" of tool '{}' must be an object", name));
    }
    arguments = *it;
  }

  const std::vector<std::string> problems = validate_arguments(arguments, tool.input_schema);
  if (!problems.empty()) {
    std::string message = fmt::format("Invalid arguments for tool '{}': ", name);
    for (std::size_t i = 0; i < problems.size() && i < kMaxReportedProblems; ++i) {
      message += (i == 0 ? "" : "; ") + problems[i];
    }
    if (problems.size() > kMaxReportedProblems) {
      message += fmt::format("; and {} more problems", problems.size() - kMaxReportedProblems);
    }
    message += ". The tool's inputSchema (tools/list) describes what it accepts.";
    return make_result(request.id, tool_error(error_code_name(ErrorCode::kInvalidInput), message));
  }

  try {
    return make_result(request.id, tool_success(tool.handler(arguments)));
  } catch (const Error& e) {
    return make_result(request.id,
                       tool_error(error_code_name(e.code()), e.what(), error_details(e)));
  } catch (const std::exception& e) {
    return make_result(
        request.id,
        tool_error("internal", fmt::format("internal error in tool '{}': {}", name, e.what())));
  } catch (...) {
    return make_result(request.id,
                       tool_error("internal", fmt::format("internal error in tool '{}'", name)));
  }
}

Response Server::list_resources(const Request& request) const {
  Json resources = Json::array();
  for (const Resource& resource : resources_) {
    Json entry{{"uri", resource.uri}, {"name", resource.name}};
    if (!resource.description.empty()) entry["description"] = resource.description;
    if (!resource.mime_type.empty()) entry["mimeType"] = resource.mime_type;
    resources.push_back(std::move(entry));
  }
  return make_result(request.id, Json{{"resources", std::move(resources)}});
}

Response Server::read_resource(const Request& request) {
  auto uri_param = string_param(request, "uri");
  if (auto* error = std::get_if<Response>(&uri_param)) return std::move(*error);
  const std::string& uri = std::get<std::string>(uri_param);
  const auto found = resource_index_.find(uri);
  if (found == resource_index_.end()) {
    return make_error(request.id, kResourceNotFound, "Resource not found", Json{{"uri", uri}});
  }
  const Resource& resource = resources_[found->second];
  try {
    Json content{{"uri", resource.uri}, {"text", resource.reader()}};
    if (!resource.mime_type.empty()) content["mimeType"] = resource.mime_type;
    return make_result(request.id, Json{{"contents", Json::array({std::move(content)})}});
  } catch (const Error& e) {
    const int code = e.code() == ErrorCode::kInvalidInput ? kInvalidParams
                     : e.code() == ErrorCode::kNotFound   ? kResourceNotFound
                                                          : kInternalError;
    return make_error(request.id, code, e.what(),
                      Json{{"uri", uri}, {"code", error_code_name(e.code())}});
  }
}

}  // namespace vestige::mcp
