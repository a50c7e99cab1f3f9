// Tests for scripted responses: rule order, use counts, credential classification.
#include "mocks/script.h"

#include <gtest/gtest.h>

#include "protocol/basic.h"

namespace loginspec::mocks {
namespace {

AcceptedSecrets secrets() {
  return {.username = "user", .password = "s3cr3t", .access_tokens = {"tok"}, .refresh_tokens = {"ref"}};
}

RecordedRequest get(std::string path, std::string authorization = "") {
  RecordedRequest request;
  request.method = "GET";
  request.path = std::move(path);
  request.target = request.path;
  if (!authorization.empty()) request.headers.push_back({"Authorization", authorization});
  return request;
}

Response status(int code) {
  Response response;
  response.status = code;
  return response;
}

TEST(ScriptTest, ClassifiesBasicBearerAndForms) {
  auto valid_basic = get("/token", protocol::basic_authorization({"user", "s3cr3t"}));
  auto wrong_basic = get("/token", protocol::basic_authorization({"user", "nope"}));
  auto bearer = get("/v2/", "Bearer tok");
  RecordedRequest refresh;
  refresh.method = "POST";
  refresh.body = "grant_type=refresh_token&refresh_token=ref&service=s";

  EXPECT_EQ(classify_credentials(valid_basic, secrets()).kind, Presented::kBasic);
  EXPECT_TRUE(classify_credentials(valid_basic, secrets()).valid);
  EXPECT_FALSE(classify_credentials(wrong_basic, secrets()).valid);
  EXPECT_TRUE(classify_credentials(bearer, secrets()).valid);
  EXPECT_EQ(classify_credentials(refresh, secrets()).kind, Presented::kFormRefreshToken);
  EXPECT_TRUE(classify_credentials(refresh, secrets()).valid);
  EXPECT_EQ(classify_credentials(get("/v2/"), secrets()).kind, Presented::kNone);
}

TEST(ScriptTest, FirstMatchingRuleWithUsesLeftWins) {
  Rule once{.name = "once", .match = {.path = "/v2/"}, .response = status(500), .times = 1};
  Rule bearer{.name = "bearer", .match = {.path = "/v2/", .credentials = {Presented::kBearer}, .valid = true},
              .response = status(200)};
  Rule challenge{.name = "challenge", .match = {.path = "/v2*"}, .response = status(401)};
  ScriptedResponder responder({once, bearer, challenge}, status(404), secrets());

  EXPECT_EQ(responder(get("/v2/", "Bearer tok")).status, 500);
  EXPECT_EQ(responder(get("/v2/", "Bearer tok")).status, 200);
  EXPECT_EQ(responder(get("/v2/", "Bearer other")).status, 401);
  EXPECT_EQ(responder(get("/v2/x")).status, 401);
  EXPECT_EQ(responder(get("/elsewhere")).status, 404);
}

TEST(ScriptTest, FillsAnswerTimePlaceholders) {
  Response response;
  response.headers = {{"Date", "${date}"}, {"Content-Length", "${content_length}"}};
  response.body = "{\"issued_at\":\"${now}\"}";
  Response filled = fill_answer_placeholders(response);
  EXPECT_EQ(filled.headers[0].value.size(), 29u);
  EXPECT_EQ(filled.headers[1].value, std::to_string(filled.body.size()));
  EXPECT_EQ(filled.body.find("${now}"), std::string::npos);
  EXPECT_EQ(filled.body.size(), std::string("{\"issued_at\":\"2026-12-04T19:41:47Z\"}").size());
}

TEST(ScriptTest, MatchesQueryValues) {
  Rule with_service{.name = "svc", .match = {.query = {{"service", "reg"}}}, .response = status(200)};
  ScriptedResponder responder({with_service}, status(400), secrets());
  RecordedRequest request = get("/token");
  request.query = {{"service", "reg"}};
  EXPECT_EQ(responder(request).status, 200);
  request.query = {{"service", "other"}};
  EXPECT_EQ(responder(request).status, 400);
}

}  // namespace
}  // namespace loginspec::mocks
