#include "mcp/jsonrpc.h"

#include <utility>

namespace vestige::mcp {
namespace {

bool is_valid_id(const Json& id) {
  return id.is_string() || id.is_number_integer();
}

// The id to put in an error reply: JSON-RPC requires null when the id could
// not be determined, and echoing an id of a forbidden type would make the
// reply itself invalid.
RequestId reply_id(const Json& message) {
  if (message.is_object()) {
    const auto it = message.find("id");
    if (it != message.end() && is_valid_id(*it)) return *it;
  }
  return nullptr;
}

Invalid invalid(const Json& message, std::string reason) {
  return Invalid{make_error(reply_id(message), kInvalidRequest, "Invalid Request: " + reason)};
}

Incoming parse_response(const Json& message) {
  const auto id = message.find("id");
  if (id == message.end()) return invalid(message, "a message needs \"method\" or \"id\"");
  if (!id->is_null() && !is_valid_id(*id)) {
    return invalid(message, "\"id\" must be a string or an integer");
  }
  const auto result = message.find("result");
  const auto error = message.find("error");
  if ((result == message.end()) == (error == message.end())) {
    return invalid(message, "a response needs exactly one of \"result\" and \"error\"");
  }
  Response response{*id, std::nullopt, std::nullopt};
  if (result != message.end()) {
    response.result = *result;
    return response;
  }
  const auto code = error->is_object() ? error->find("code") : error->end();
  const auto text = error->is_object() ? error->find("message") : error->end();
  if (!error->is_object() || code == error->end() || !code->is_number_integer() ||
      text == error->end() || !text->is_string()) {
    return invalid(message,
                   "\"error\" must be an object with an integer \"code\" and a string "
                   "\"message\"");
  }
  ErrorObject object{code->get<int>(), text->get<std::string>(), nullptr};
  if (const auto data = error->find("data"); data != error->end()) object.data = *data;
  response.error = std::move(object);
  return response;
}

}  // namespace

Incoming parse_message(const Json& value) {
  if (!value.is_object()) return invalid(value, "a message must be a JSON object");
  const auto version = value.find("jsonrpc");
  if (version == value.end() || *version != "2.0") {
    return invalid(value, "\"jsonrpc\" must be \"2.0\"");
  }
  const auto method = value.find("method");
  if (method == value.end()) return parse_response(value);
  if (!method->is_string()) return invalid(value, "\"method\" must be a string");
  Json params = nullptr;
  if (const auto it = value.find("params"); it != value.end()) {
    if (!it->is_object() && !it->is_array()) {
      return invalid(value, "\"params\" must be an object or an array");
    }
    params = *it;
  }
  const auto id = value.find("id");
  if (id == value.end()) return Notification{method->get<std::string>(), std::move(params)};
  if (!is_valid_id(*id)) {
    return invalid(value, "\"id\" must be a string or an integer (MCP does not allow null)");
  }
  return Request{*id, method->get<std::string>(), std::move(params)};
}

ParsedLine parse_line(std::string_view line) {
  // Without exceptions a syntax error yields a "discarded" value. nlohmann
  // parses iteratively, so deeply nested input cannot exhaust the stack.
  const Json value = Json::parse(line.begin(), line.end(), nullptr, /*allow_exceptions=*/false);
  if (value.is_discarded()) {
    return {false,
            {Invalid{make_error(nullptr, kParseError,
                                "Parse error: the line is not valid "
                                "JSON")}}};
  }
  if (!value.is_array()) return {false, {parse_message(value)}};
  if (value.empty()) return {false, {invalid(value, "an empty batch")}};
  ParsedLine parsed{true, {}};
  parsed.entries.reserve(value.size());
  for (const Json& element : value) parsed.entries.push_back(parse_message(element));
  return parsed;
}

Response make_result(RequestId id, Json result) {
  return Response{std::move(id), std::move(result), std::nullopt};
}

Response make_error(RequestId id, int code, std::string message, Json data) {
  return Response{std::move(id), std::nullopt,
                  ErrorObject{code, std::move(message), std::move(data)}};
}

Json to_json(const Request& request) {
  Json out{{"jsonrpc", "2.0"}, {"id", request.id}, {"method", request.method}};
  if (!request.params.is_null()) out["params"] = request.params;
  return out;
}

Json to_json(const Notification& notification) {
  Json out{{"jsonrpc", "2.0"}, {"method", notification.method}};
  if (!notification.params.is_null()) out["params"] = notification.params;
  return out;
}

Json to_json(const Response& response) {
  Json out{{"jsonrpc", "2.0"}, {"id", response.id}};
  if (response.error) {
    Json error{{"code", response.error->code}, {"message", response.error->message}};
    if (!response.error->data.is_null()) error["data"] = response.error->data;
    out["error"] = std::move(error);
  } else {
    // A response without either member would be invalid; an unset result
    // means "nothing to report", which MCP writes as an empty object.
    out["result"] = response.result.value_or(Json::object());
  }
  return out;
}

std::string serialize(const Json& value) {
  return value.dump(-1, ' ', /*ensure_ascii=*/false, Json::error_handler_t::replace);
}

}  // namespace vestige::mcp
