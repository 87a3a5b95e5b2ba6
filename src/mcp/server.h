#pragma once

// The MCP protocol core: lifecycle, tools and resources over JSON-RPC, with
// no transport and no knowledge of the engine. The tool layer registers tools
// and resources; a transport feeds it lines (stdio_transport.h).
//
// Choices where MCP leaves room, and why:
// - Requests other than initialize and ping before initialize are answered
//   with -32600 (Invalid Request) "server not initialized". -32002 would also
//   be common practice, but MCP uses -32002 for "resource not found", and one
//   code should mean one thing. Requests are accepted as soon as initialize
//   has been answered; the notifications/initialized notification is not
//   waited for, because MCP only asks the *server* to wait for it before
//   sending requests of its own, which this server never does.
// - A second initialize is an Invalid Request: over stdio a session is the
//   process, and renegotiating mid-session would change the rules under
//   requests already made.
// - Batches (JSON arrays) are processed only when the negotiated version is
//   2025-03-26, the one revision that required servers to accept them;
//   2024-11-05 never had them and 2025-06-18 removed them. Otherwise (and
//   before initialize, which may never be batched) a batch is answered with
//   one Invalid Request error, id null.
// - resources/read of an unknown uri is error -32002 "Resource not found"
//   with the uri in `data`, as the resources page of every negotiated
//   protocol version recommends.
// - initialize's clientInfo is kept when its name is a non-empty string (its
//   version when that is a string too); anything else there is ignored rather
//   than refused, since it only labels what the client stores.
// - Whitespace-only lines are ignored: they carry no message to answer.
// - Tool results carry `structuredContent` in every protocol version; clients
//   of versions before 2025-06-18 ignore a member they do not know.
//
// Not thread-safe: one transport drives one Server.

#include <cstddef>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "mcp/jsonrpc.h"
#include "vestige/types.h"

namespace vestige::mcp {

// Protocol revisions this server speaks, oldest first.
inline constexpr std::string_view kSupportedProtocolVersions[] = {"2024-11-05", "2025-03-26",
                                                                  "2025-06-18", "2025-11-25"};

inline constexpr std::size_t kDefaultMaxLineBytes = 4 * 1024 * 1024;

// What a successful tool returns: a text block for the model to read and the
// same information as structured JSON for programs. A `structured` value that
// is null is omitted; one that is not an object is wrapped as {"result": ...}
// because MCP requires structuredContent to be an object.
struct ToolResult {
  std::string text;
  Json structured;
};

// Who is on the other end: initialize's clientInfo.
struct ClientInfo {
  std::string name;
  std::string version;  // empty when the client sent none
};

struct Tool {
  std::string name;
  std::string description;
  // A JSON Schema whose "type" is "object" (MCP requires it); arguments are
  // checked against it before `handler` runs (schema.h lists the keywords).
  Json input_schema;
  // Runs with arguments that passed the schema. Throwing vestige::Error makes
  // a tool error result whose text is the error's message and whose
  // structuredContent.error.code is its code name ("not_found", ...); any
  // other exception makes an "internal error" tool result with code
  // "internal". Schema violations are tool errors with code "invalid_input".
  // Either way the server keeps serving.
  std::function<ToolResult(const Json& arguments)> handler;
};

struct Resource {
  std::string uri;  // e.g. "memory://stats"
  std::string name;
  std::string description;
  std::string mime_type;  // e.g. "application/json"
  // Returns the resource's text. A thrown vestige::Error becomes a JSON-RPC
  // error (resources have no error result): kInvalidInput -> -32602,
  // kNotFound -> -32002, others -> -32603; the message is the error's. Any
  // other exception is -32603 too.
  std::function<std::string()> reader;
};

struct ServerOptions {
  std::string version;       // serverInfo.version
  std::string instructions;  // sent in the initialize result when not empty
  // Longer lines are answered with an Invalid Request error, id null, and not
  // parsed. Bounds memory per message, not the size of any one argument.
  std::size_t max_line_bytes = kDefaultMaxLineBytes;
};

class Server {
 public:
  explicit Server(ServerOptions options);

  // Registration happens before serving. Throws vestige::Error(kInvalidInput)
  // for a duplicate name or uri, an empty name, a missing handler or reader,
  // or an input schema that is not an object schema: programming errors
  // caught at startup, not bad input from a client.
  void add_tool(Tool tool);
  void add_resource(Resource resource);
  // Called once initialize has been answered, with the client's clientInfo
  // (nullopt when it sent none usable), before any later request is handled.
  void on_initialize(std::function<void(const std::optional<ClientInfo>&)> listener);

  // Handles one line of input (without its newline) and returns the line to
  // write back (without a newline), or nullopt when nothing must be sent:
  // notifications, responses, blank lines, batches of only notifications.
  // Never throws; every failure becomes a JSON-RPC error or a tool error.
  std::optional<std::string> handle_line(std::string_view line);

  std::size_t max_line_bytes() const { return options_.max_line_bytes; }
  // The version agreed by initialize; nullopt before.
  const std::optional<std::string>& protocol_version() const { return protocol_version_; }
  // initialize's clientInfo; nullopt before initialize or when it had none.
  const std::optional<ClientInfo>& client_info() const { return client_info_; }

 private:
  std::optional<Response> dispatch(Incoming message, bool in_batch);
  Response handle_request(const Request& request, bool in_batch);
  Response initialize(const Request& request, bool in_batch);
  Response list_tools(const Request& request) const;
  Response call_tool(const Request& request);
  Response list_resources(const Request& request) const;
  Response read_resource(const Request& request);

  ServerOptions options_;
  std::optional<std::string> protocol_version_;
  std::optional<ClientInfo> client_info_;
  std::vector<std::function<void(const std::optional<ClientInfo>&)>> initialize_listeners_;
  std::vector<Tool> tools_;  // in registration order, the order tools/list shows
  std::map<std::string, std::size_t, std::less<>> tool_index_;
  std::vector<Resource> resources_;
  std::map<std::string, std::size_t, std::less<>> resource_index_;
};

}  // namespace vestige::mcp
