#include "mcp/jsonrpc.h"

#include <gtest/gtest.h>

namespace vestige::mcp {
namespace {

Incoming parse_one(std::string_view line) {
  ParsedLine parsed = parse_line(line);
  EXPECT_FALSE(parsed.is_batch);
  EXPECT_EQ(parsed.entries.size(), 1u);
  return parsed.entries.front();
}

// The reply an invalid line requires; fails the test when the line was valid.
Response rejection(std::string_view line) {
  Incoming message = parse_one(line);
  const auto* bad = std::get_if<Invalid>(&message);
  if (bad == nullptr) {
    ADD_FAILURE() << "accepted: " << line;
    return {};
  }
  EXPECT_TRUE(bad->reply.error.has_value());
  return bad->reply;
}

TEST(JsonRpcParse, RequestWithIntegerId) {
  const Incoming message = parse_one(R"({"jsonrpc":"2.0","id":7,"method":"ping"})");
  const auto& request = std::get<Request>(message);
  EXPECT_EQ(request.id, Json(7));
  EXPECT_TRUE(request.id.is_number_integer());
  EXPECT_EQ(request.method, "ping");
  EXPECT_TRUE(request.params.is_null());
}

TEST(JsonRpcParse, RequestWithStringIdAndObjectParams) {
  const Incoming message =
      parse_one(R"({"jsonrpc":"2.0","id":"a-1","method":"tools/call","params":{"name":"x"}})");
  const auto& request = std::get<Request>(message);
  EXPECT_EQ(request.id, Json("a-1"));
  EXPECT_EQ(request.params, Json({{"name", "x"}}));
}

TEST(JsonRpcParse, RequestWithArrayParams) {
  const Incoming message = parse_one(R"({"jsonrpc":"2.0","id":1,"method":"m","params":[1,2]})");
  EXPECT_EQ(std::get<Request>(message).params, Json::array({1, 2}));
}

TEST(JsonRpcParse, NegativeAndLargeIntegerIdsAreKept) {
  EXPECT_EQ(std::get<Request>(parse_one(R"({"jsonrpc":"2.0","id":-3,"method":"m"})")).id, Json(-3));
  EXPECT_EQ(
      std::get<Request>(parse_one(R"({"jsonrpc":"2.0","id":18446744073709551615,"method":"m"})"))
          .id,
      Json(18446744073709551615ull));
}

TEST(JsonRpcParse, Notification) {
  const Incoming message = parse_one(R"({"jsonrpc":"2.0","method":"notifications/initialized"})");
  const auto& notification = std::get<Notification>(message);
  EXPECT_EQ(notification.method, "notifications/initialized");
  EXPECT_TRUE(notification.params.is_null());
}

TEST(JsonRpcParse, ResultResponse) {
  const Incoming message = parse_one(R"({"jsonrpc":"2.0","id":3,"result":{"ok":true}})");
  const auto& response = std::get<Response>(message);
  EXPECT_EQ(response.id, Json(3));
  EXPECT_EQ(response.result, Json({{"ok", true}}));
  EXPECT_FALSE(response.error);
}

TEST(JsonRpcParse, ErrorResponseWithNullId) {
  const Incoming message = parse_one(
      R"({"jsonrpc":"2.0","id":null,"error":{"code":-32700,"message":"bad","data":[1]}})");
  const auto& response = std::get<Response>(message);
  EXPECT_TRUE(response.id.is_null());
  ASSERT_TRUE(response.error);
  EXPECT_EQ(response.error->code, kParseError);
  EXPECT_EQ(response.error->message, "bad");
  EXPECT_EQ(response.error->data, Json::array({1}));
}

TEST(JsonRpcParse, MalformedJsonIsAParseErrorWithNullId) {
  for (std::string_view line : {R"({"jsonrpc":"2.0","id":1,"method":)", "not json", "{}}", "\"a"}) {
    const Response reply = rejection(line);
    EXPECT_EQ(reply.error->code, kParseError) << line;
    EXPECT_TRUE(reply.id.is_null()) << line;
  }
}

TEST(JsonRpcParse, DeepNestingDoesNotCrash) {
  const std::string deep = std::string(100000, '[') + std::string(100000, ']');
  const ParsedLine parsed = parse_line(deep);
  EXPECT_TRUE(parsed.is_batch);
  const std::string open = std::string(100000, '[');
  EXPECT_EQ(rejection(open).error->code, kParseError);
}

TEST(JsonRpcParse, WrongOrMissingVersionIsInvalidRequestEchoingTheId) {
  for (std::string_view line :
       {R"({"jsonrpc":"1.0","id":5,"method":"ping"})", R"({"jsonrpc":2.0,"id":5,"method":"ping"})",
        R"({"id":5,"method":"ping"})"}) {
    const Response reply = rejection(line);
    EXPECT_EQ(reply.error->code, kInvalidRequest) << line;
    EXPECT_EQ(reply.id, Json(5)) << line;
    EXPECT_NE(reply.error->message.find("jsonrpc"), std::string::npos);
  }
}

TEST(JsonRpcParse, NonObjectMessagesAreInvalidRequests) {
  for (std::string_view line : {"1", "\"ping\"", "null", "true"}) {
    const Response reply = rejection(line);
    EXPECT_EQ(reply.error->code, kInvalidRequest) << line;
    EXPECT_TRUE(reply.id.is_null());
  }
}

TEST(JsonRpcParse, ScalarParamsAreInvalidRequests) {
  for (std::string_view line : {R"({"jsonrpc":"2.0","id":1,"method":"m","params":"x"})",
                                R"({"jsonrpc":"2.0","id":1,"method":"m","params":3})",
                                R"({"jsonrpc":"2.0","id":1,"method":"m","params":null})"}) {
    const Response reply = rejection(line);
    EXPECT_EQ(reply.error->code, kInvalidRequest) << line;
    EXPECT_EQ(reply.id, Json(1));
  }
}

TEST(JsonRpcParse, MissingOrNonStringMethodIsInvalidRequest) {
  EXPECT_EQ(rejection(R"({"jsonrpc":"2.0","id":1})").error->code, kInvalidRequest);
  EXPECT_EQ(rejection(R"({"jsonrpc":"2.0","id":1,"method":42})").error->code, kInvalidRequest);
  EXPECT_EQ(rejection(R"({"jsonrpc":"2.0"})").error->code, kInvalidRequest);
}

TEST(JsonRpcParse, IdsOfOtherTypesAreRejectedWithNullId) {
  for (std::string_view line :
       {R"({"jsonrpc":"2.0","id":null,"method":"m"})", R"({"jsonrpc":"2.0","id":1.5,"method":"m"})",
        R"({"jsonrpc":"2.0","id":true,"method":"m"})", R"({"jsonrpc":"2.0","id":[1],"method":"m"})",
        R"({"jsonrpc":"2.0","id":{"a":1},"method":"m"})"}) {
    const Response reply = rejection(line);
    EXPECT_EQ(reply.error->code, kInvalidRequest) << line;
    EXPECT_TRUE(reply.id.is_null()) << line;
  }
}

TEST(JsonRpcParse, ResponsesNeedExactlyOneOfResultAndError) {
  EXPECT_EQ(rejection(R"({"jsonrpc":"2.0","id":1,"result":1,"error":{"code":1,"message":"m"}})")
                .error->code,
            kInvalidRequest);
  EXPECT_EQ(rejection(R"({"jsonrpc":"2.0","id":1,"error":{"code":"x","message":"m"}})").error->code,
            kInvalidRequest);
  EXPECT_EQ(rejection(R"({"jsonrpc":"2.0","id":1,"error":"boom"})").error->code, kInvalidRequest);
}

TEST(JsonRpcParse, BatchYieldsOneEntryPerElement) {
  const ParsedLine parsed =
      parse_line(R"([{"jsonrpc":"2.0","id":1,"method":"a"},{"jsonrpc":"2.0","method":"b"},1])");
  ASSERT_TRUE(parsed.is_batch);
  ASSERT_EQ(parsed.entries.size(), 3u);
  EXPECT_TRUE(std::holds_alternative<Request>(parsed.entries[0]));
  EXPECT_TRUE(std::holds_alternative<Notification>(parsed.entries[1]));
  EXPECT_TRUE(std::holds_alternative<Invalid>(parsed.entries[2]));
}

TEST(JsonRpcParse, EmptyBatchIsOneInvalidRequest) {
  const Response reply = rejection("[]");
  EXPECT_EQ(reply.error->code, kInvalidRequest);
  EXPECT_TRUE(reply.id.is_null());
}

TEST(JsonRpcSerialize, ResultResponse) {
  EXPECT_EQ(serialize(to_json(make_result(Json(1), Json{{"a", 1}}))),
            R"({"id":1,"jsonrpc":"2.0","result":{"a":1}})");
}

TEST(JsonRpcSerialize, ErrorResponseWithAndWithoutData) {
  EXPECT_EQ(serialize(to_json(make_error(nullptr, kParseError, "Parse error"))),
            R"({"error":{"code":-32700,"message":"Parse error"},"id":null,"jsonrpc":"2.0"})");
  EXPECT_EQ(serialize(to_json(make_error(Json("x"), kMethodNotFound, "no", Json{{"m", 1}}))),
            R"({"error":{"code":-32601,"data":{"m":1},"message":"no"},"id":"x","jsonrpc":"2.0"})");
}

TEST(JsonRpcSerialize, RequestsAndNotificationsRoundTrip) {
  const Request request{Json(4), "tools/list", Json::object()};
  const auto back = std::get<Request>(parse_message(to_json(request)));
  EXPECT_EQ(back.id, request.id);
  EXPECT_EQ(back.method, request.method);
  EXPECT_EQ(back.params, request.params);

  const Notification notification{"notifications/initialized", nullptr};
  const Json json = to_json(notification);
  EXPECT_FALSE(json.contains("params"));
  EXPECT_EQ(std::get<Notification>(parse_message(json)).method, notification.method);
}

TEST(JsonRpcSerialize, InvalidUtf8IsReplacedNotThrown) {
  const std::string text = serialize(Json("ok \xff\xfe end"));
  EXPECT_EQ(text, "\"ok \xEF\xBF\xBD\xEF\xBF\xBD end\"");
}

TEST(JsonRpcSerialize, OutputIsOneLine) {
  EXPECT_EQ(serialize(Json{{"text", "a\nb"}}).find('\n'), std::string::npos);
}

}  // namespace
}  // namespace vestige::mcp
