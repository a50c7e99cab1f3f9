// Serve mode: the control API's request handling, its HTTP server and the shutdown self-pipe.
#include "harness/serve.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <iostream>
#include <limits>
#include <set>
#include <sstream>
#include <stdexcept>

#include <httplib.h>

#include "harness/credential_store.h"
#include "harness/runner.h"
#include "mocks/transcript.h"
#include "protocol/basic.h"
#include "reports/json_report.h"

#ifndef LOGINSPEC_VERSION
#define LOGINSPEC_VERSION "0.0.0"
#endif

namespace loginspec::harness {

namespace {

using nlohmann::json;
using nlohmann::ordered_json;

constexpr std::size_t kMaxRequestBody = 1024 * 1024;

// A request the control API rejects; the status and message go back to the caller as JSON.
struct RequestError {
  int status;
  std::string message;
};

ControlResponse error_response(int status, const std::string& message) {
  return {status, ordered_json{{"error", message}}, ""};
}

void log_line(const std::string& text) { std::cerr << "loginspec serve: " << text << std::endl; }

std::string json_type_name(const json& value) { return value.is_null() ? "null" : value.type_name(); }

// Parses a request body that must be a JSON object. An empty body counts as {} when empty_ok.
json parse_object(const std::string& body, bool empty_ok) {
  if (body.find_first_not_of(" \t\r\n") == std::string::npos) {
    if (empty_ok) return json::object();
    throw RequestError{400, "missing request body: expected a JSON object"};
  }
  json document;
  try {
    document = json::parse(body);
  } catch (const json::parse_error& error) {
    throw RequestError{400, std::string("request body is not valid JSON: ") + error.what()};
  }
  if (!document.is_object()) {
    throw RequestError{400, "request body must be a JSON object, found " + json_type_name(document)};
  }
  return document;
}

void allow_only_keys(const json& object, const std::set<std::string>& allowed) {
  for (const auto& [key, value] : object.items()) {
    if (allowed.count(key) != 0) continue;
    std::string list;
    for (const auto& name : allowed) list += (list.empty() ? "" : ", ") + name;
    throw RequestError{400, "unknown field \"" + key + "\"" +
                                (list.empty() ? "; this request takes no fields" : "; allowed fields: " + list)};
  }
}

// Reads ?secrets=show; any other query parameter or value is rejected.
bool secrets_requested(const std::multimap<std::string, std::string>& query) {
  bool show = false;
  for (const auto& [key, value] : query) {
    if (key != "secrets") throw RequestError{400, "unknown query parameter \"" + key + "\"; only secrets=show is accepted"};
    if (value != "show") throw RequestError{400, "query parameter secrets takes \"show\", not \"" + value + "\""};
    show = true;
  }
  return show;
}

void reject_query(const std::multimap<std::string, std::string>& query) {
  if (!query.empty()) throw RequestError{400, "unknown query parameter \"" + query.begin()->first + "\"; this path takes none"};
}

// The scenario's entry of a results document, in the key order of docs/RESULTS-FORMAT.md.
ordered_json scenario_result_json(const reports::ScenarioResult& result) {
  reports::RunResult run;
  run.tool_version = LOGINSPEC_VERSION;
  run.scenarios.push_back(result);
  std::ostringstream text;
  reports::write_json(text, run);
  return ordered_json::parse(text.str())["scenarios"][0];
}

ordered_json path_or_null(const std::filesystem::path& path) {
  return path.empty() ? ordered_json(nullptr) : ordered_json(path.string());
}

// Methods each control path accepts. HEAD is served as GET.
const std::map<std::string, std::vector<std::string>>& control_routes() {
  static const std::map<std::string, std::vector<std::string>> kRoutes = {
      {"/scenarios", {"GET"}}, {"/scenario", {"GET", "POST"}}, {"/reset", {"POST"}},   {"/report", {"POST"}},
      {"/verdict", {"GET"}},   {"/transcript", {"GET"}},       {"/shutdown", {"POST"}}};
  return kRoutes;
}

}  // namespace

// ---- ServeSession ----

ServeSession::ServeSession(std::vector<Scenario> scenarios, ServeOptions options)
    : scenarios_(std::move(scenarios)), options_(options) {
  if (scenarios_.empty()) throw std::invalid_argument("no scenario to serve");
  run_dir_ = make_private_directory("loginspec-serve-");
  try {
    tls_ = std::make_unique<TlsMaterialCache>(run_dir_);
    std::lock_guard lock(mutex_);
    start_locked(0);
  } catch (...) {
    live_.reset();
    tls_.reset();
    std::error_code ignored;
    std::filesystem::remove_all(run_dir_, ignored);
    throw;
  }
}

ServeSession::~ServeSession() {
  {
    std::lock_guard lock(mutex_);
    if (live_) log_line("stopping the servers of " + scenarios_[current_].id);
    live_.reset();
  }
  tls_.reset();
  std::error_code error;
  std::filesystem::remove_all(run_dir_, error);
  if (error) log_line("could not remove the run folder " + run_dir_.string() + ": " + error.message());
}

void ServeSession::set_control_url(std::string url) {
  std::lock_guard lock(mutex_);
  control_url_ = std::move(url);
}

void ServeSession::set_shutdown_handler(std::function<void()> handler) {
  std::lock_guard lock(mutex_);
  shutdown_handler_ = std::move(handler);
}

void ServeSession::start_locked(std::size_t index) {
  if (live_) log_line("stopping the servers of " + scenarios_[current_].id);
  live_.reset();  // the environment's destructor stops its servers and joins their threads
  current_ = index;
  start_error_.clear();
  const Scenario& scenario = scenarios_[index];

  std::filesystem::path work_dir = run_dir_ / "work";
  std::filesystem::create_directories(work_dir);
  std::filesystem::permissions(work_dir, std::filesystem::perms::owner_all);

  try {
    Live live;
    live.environment = std::make_unique<ScenarioEnvironment>(scenario, *tls_, work_dir);
    live.login = live.environment->login_request();
    live.started = std::chrono::steady_clock::now();
    live_ = std::move(live);
  } catch (const std::exception& error) {
    start_error_ = error.what();
    log_line("could not start the servers of " + scenario.id + ": " + start_error_);
    throw std::runtime_error("could not start the servers of " + scenario.id + ": " + start_error_);
  }
  std::string realm = live_->environment->runtime().realm;
  log_line("serving " + scenario.id + ": registry " + live_->login.registry_url +
           (realm.empty() ? std::string(", no token server") : ", realm " + realm));
}

nlohmann::ordered_json ServeSession::connection_info() {
  std::lock_guard lock(mutex_);
  if (auto unavailable = unavailable_response_locked()) {
    throw std::runtime_error(unavailable->body["error"].get<std::string>());
  }
  return connection_info_locked();
}

nlohmann::ordered_json ServeSession::connection_info_locked() const {
  const Scenario& scenario = scenarios_[current_];
  const LoginRequest& login = live_->login;
  const std::string& realm = live_->environment->runtime().realm;
  ordered_json info;
  info["control"] = control_url_.empty() ? ordered_json(nullptr) : ordered_json(control_url_);
  info["scenario"] = scenario.id;
  info["title"] = scenario.title;
  info["registry"] = login.registry_host;
  info["registry_url"] = login.registry_url;
  info["realm"] = realm.empty() ? ordered_json(nullptr) : ordered_json(realm);
  info["username"] = login.username;
  info["password"] = login.password;
  info["ca_file"] = path_or_null(login.ca_file);
  info["client_certificate_file"] = path_or_null(login.client_certificate_file);
  info["client_key_file"] = path_or_null(login.client_key_file);
  info["insecure"] = !login.registry_tls;
  return info;
}

std::optional<ControlResponse> ServeSession::unavailable_response_locked() const {
  if (live_) return std::nullopt;
  return error_response(503, "no servers are running for " + scenarios_[current_].id + " because the last start failed (" +
                                 start_error_ + "); POST /reset or POST /scenario to try again");
}

ControlResponse ServeSession::handle(const std::string& method, const std::string& path,
                                     const std::multimap<std::string, std::string>& query, const std::string& body) {
  const auto& routes = control_routes();
  auto route = routes.find(path);
  if (route == routes.end()) {
    std::string known;
    for (const auto& [name, methods] : routes) known += (known.empty() ? "" : ", ") + name;
    log_line(method + " " + path + ": 404 unknown path");
    return error_response(404, "unknown path \"" + path + "\"; the control API serves " + known);
  }
  const auto& methods = route->second;
  if (std::find(methods.begin(), methods.end(), method) == methods.end()) {
    std::string allow;
    for (const auto& name : methods) allow += (allow.empty() ? "" : ", ") + name;
    log_line(method + " " + path + ": 405 method not allowed");
    ControlResponse response = error_response(405, "method " + method + " is not allowed on " + path + "; use " + allow);
    response.allow = allow;
    return response;
  }

  try {
    if (path == "/scenarios") {
      reject_query(query);
      return list_scenarios();
    }
    if (path == "/scenario" && method == "GET") {
      reject_query(query);
      std::lock_guard lock(mutex_);
      if (auto unavailable = unavailable_response_locked()) return *unavailable;
      return {200, connection_info_locked(), ""};
    }
    if (path == "/scenario") {
      reject_query(query);
      return select_scenario(parse_object(body, false));
    }
    if (path == "/reset") {
      reject_query(query);
      allow_only_keys(parse_object(body, true), {});
      return restart();
    }
    if (path == "/report") {
      reject_query(query);
      return store_report(parse_object(body, false));
    }
    if (path == "/verdict") return grade(secrets_requested(query) && options_.show_secrets);
    if (path == "/transcript") return transcript(secrets_requested(query) && options_.show_secrets);
    reject_query(query);
    allow_only_keys(parse_object(body, true), {});
    return shutdown();
  } catch (const RequestError& error) {
    log_line(method + " " + path + ": " + std::to_string(error.status) + " " + error.message);
    return error_response(error.status, error.message);
  } catch (const std::exception& error) {
    log_line(method + " " + path + ": 500 " + error.what());
    return error_response(500, error.what());
  }
}

ControlResponse ServeSession::list_scenarios() const {
  std::lock_guard lock(mutex_);
  ordered_json list = ordered_json::array();
  for (const auto& scenario : scenarios_) {
    list.push_back({{"id", scenario.id}, {"title", scenario.title}, {"tags", scenario.tags}});
  }
  return {200, ordered_json{{"current", scenarios_[current_].id}, {"scenarios", std::move(list)}}, ""};
}

ControlResponse ServeSession::select_scenario(const nlohmann::json& request) {
  allow_only_keys(request, {"id"});
  auto id = request.find("id");
  if (id == request.end()) throw RequestError{400, "missing field \"id\": the scenario to serve"};
  if (!id->is_string()) throw RequestError{400, "field \"id\" must be a string, found " + json_type_name(*id)};

  std::lock_guard lock(mutex_);
  auto found = std::find_if(scenarios_.begin(), scenarios_.end(),
                            [&](const Scenario& scenario) { return scenario.id == id->get<std::string>(); });
  if (found == scenarios_.end()) {
    throw RequestError{400, "unknown scenario \"" + id->get<std::string>() +
                                "\"; GET /scenarios lists the ones this server was started with"};
  }
  start_locked(static_cast<std::size_t>(found - scenarios_.begin()));
  return {200, connection_info_locked(), ""};
}

ControlResponse ServeSession::restart() {
  std::lock_guard lock(mutex_);
  start_locked(current_);
  return {200, connection_info_locked(), ""};
}

ControlResponse ServeSession::store_report(const nlohmann::json& request) {
  allow_only_keys(request, {"success", "message", "store_file", "exit_code"});

  auto success = request.find("success");
  if (success == request.end()) throw RequestError{400, "missing field \"success\": whether the client reported a successful login"};
  if (!success->is_boolean()) throw RequestError{400, "field \"success\" must be a boolean, found " + json_type_name(*success)};

  std::string message;
  if (auto found = request.find("message"); found != request.end()) {
    if (!found->is_string()) throw RequestError{400, "field \"message\" must be a string, found " + json_type_name(*found)};
    message = found->get<std::string>();
  }

  std::filesystem::path store_file;
  if (auto found = request.find("store_file"); found != request.end() && !found->is_null()) {
    if (!found->is_string()) {
      throw RequestError{400, "field \"store_file\" must be a string or null, found " + json_type_name(*found)};
    }
    store_file = found->get<std::string>();
    if (!store_file.is_absolute()) {
      throw RequestError{400, "field \"store_file\" must be an absolute path, found \"" + store_file.string() + "\""};
    }
  }

  std::optional<int> exit_code;
  if (auto found = request.find("exit_code"); found != request.end()) {
    if (!found->is_number_integer()) {
      throw RequestError{400, "field \"exit_code\" must be an integer, found " + json_type_name(*found)};
    }
    auto value = found->get<long long>();
    if (value < std::numeric_limits<int>::min() || value > std::numeric_limits<int>::max()) {
      throw RequestError{400, "field \"exit_code\" is out of range: " + std::to_string(value)};
    }
    exit_code = static_cast<int>(value);
  }

  std::lock_guard lock(mutex_);
  if (auto unavailable = unavailable_response_locked()) return *unavailable;
  if (live_->attempt) throw RequestError{409, "a report was already posted for this run; POST /reset to start over"};

  LoginAttempt attempt;
  attempt.outcome.ran = true;
  attempt.outcome.reported_success = success->get<bool>();
  attempt.outcome.exit_code = exit_code.value_or(attempt.outcome.reported_success ? 0 : 1);
  (attempt.outcome.reported_success ? attempt.outcome.stdout_text : attempt.outcome.stderr_text) = message;
  attempt.outcome.wall_ms =
      std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - live_->started).count();
  if (!store_file.empty()) {
    try {
      attempt.stored = read_auths_file(store_file, {live_->login.registry_host});
    } catch (const std::exception& error) {
      // The same rule as the adapters: a store that cannot be read makes the verdict ERROR.
      attempt.harness_error = error.what();
    }
  }
  live_->attempt = std::move(attempt);
  log_line(std::string("report for ") + scenarios_[current_].id + ": the client reported " +
           (success->get<bool>() ? "success" : "failure"));

  ordered_json summary{{"scenario", scenarios_[current_].id}, {"recorded", true}};
  summary["store_read"] = live_->attempt->stored.has_value();
  summary["entry_found"] = live_->attempt->stored ? ordered_json(live_->attempt->stored->entry_found) : ordered_json(nullptr);
  return {200, std::move(summary), ""};
}

ControlResponse ServeSession::grade(bool show_secrets) {
  std::lock_guard lock(mutex_);
  if (auto unavailable = unavailable_response_locked()) return *unavailable;
  if (!live_->attempt) throw RequestError{409, "no report yet for " + scenarios_[current_].id + "; POST /report first"};

  RunOptions run_options;
  run_options.show_secrets = show_secrets;
  const Scenario& scenario = scenarios_[current_];
  reports::ScenarioResult result = evaluate_scenario(scenario, live_->environment->runtime(),
                                                     live_->environment->transcript(), *live_->attempt, run_options);
  result.wall_ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - live_->started).count();
  log_line("verdict for " + scenario.id + ": " + std::string(reports::to_string(result.verdict)));
  return {200, scenario_result_json(result), ""};
}

ControlResponse ServeSession::transcript(bool show_secrets) {
  std::lock_guard lock(mutex_);
  if (auto unavailable = unavailable_response_locked()) return *unavailable;
  const Scenario& scenario = scenarios_[current_];
  Redactor redactor(scenario_secrets(scenario, live_->environment->runtime()), !show_secrets);

  reports::ScenarioResult result;
  result.id = scenario.id;
  for (const auto& request : live_->environment->transcript()) result.exchanges.push_back(to_exchange(request, redactor));
  ordered_json body;
  body["scenario"] = scenario.id;
  body["redacted"] = !show_secrets;
  body["exchanges"] = scenario_result_json(result)["exchanges"];
  return {200, std::move(body), ""};
}

ControlResponse ServeSession::shutdown() {
  std::function<void()> handler;
  {
    std::lock_guard lock(mutex_);
    handler = shutdown_handler_;
  }
  log_line("shutdown requested through the control API");
  if (handler) handler();
  return {200, ordered_json{{"shutting_down", true}}, ""};
}

// ---- ControlServer ----

ControlServer::ControlServer(ServeSession& session) : session_(session), server_(std::make_unique<httplib::Server>()) {
  httplib::Server::Handler dispatch = [this](const httplib::Request& request, httplib::Response& response) {
    std::string method = request.method == "HEAD" ? "GET" : request.method;
    // The query comes from the target, because httplib also files form-encoded bodies (curl -d) under params.
    std::multimap<std::string, std::string> query;
    if (auto mark = request.target.find('?'); mark != std::string::npos) {
      for (auto& [key, value] : mocks::parse_query(std::string_view(request.target).substr(mark + 1))) {
        query.emplace(std::move(key), std::move(value));
      }
    }
    ControlResponse result = session_.handle(method, request.path, query, request.body);
    response.status = result.status;
    if (!result.allow.empty()) response.set_header("Allow", result.allow);
    response.set_content(result.body.dump(-1, ' ', false, json::error_handler_t::replace) + "\n", "application/json");
  };
  server_->Get(".*", dispatch);
  server_->Post(".*", dispatch);
  server_->Put(".*", dispatch);
  server_->Patch(".*", dispatch);
  server_->Delete(".*", dispatch);
  server_->Options(".*", dispatch);

  // Errors that httplib sends itself (a malformed request, a body over the limit) get a JSON body too.
  httplib::Server::HandlerWithResponse on_error = [](const httplib::Request& request, httplib::Response& response) {
    if (!response.body.empty()) return httplib::Server::HandlerResponse::Unhandled;
    std::string message = "request rejected with HTTP status " + std::to_string(response.status);
    if (response.status == 400) message = "malformed HTTP request";
    // cpp-httplib 0.11 rejects a POST without Content-Length, which `curl -X POST` sends without -d.
    bool body_method = request.method == "POST" || request.method == "PUT" || request.method == "PATCH";
    if (response.status == 400 && body_method && !request.has_header("Content-Length") &&
        !request.has_header("Transfer-Encoding")) {
      message = request.method + " needs a Content-Length header; send a body, such as {} (curl -d '{}')";
    }
    if (response.status == 413) message = "request body is larger than " + std::to_string(kMaxRequestBody) + " bytes";
    if (response.status == 414) message = "request target is too long";
    response.set_content(ordered_json{{"error", message}}.dump() + "\n", "application/json");
    return httplib::Server::HandlerResponse::Handled;
  };
  server_->set_error_handler(on_error);
  server_->set_payload_max_length(kMaxRequestBody);
  // One request per connection, so stop() never waits for an idle keep-alive connection.
  server_->set_keep_alive_max_count(1);
}

ControlServer::~ControlServer() { stop(); }

void ControlServer::start(int port) {
  if (port == 0) {
    port_ = server_->bind_to_any_port("127.0.0.1");
    if (port_ < 0) throw std::runtime_error("cannot listen on 127.0.0.1 on any port: " + std::string(std::strerror(errno)));
  } else {
    if (!server_->bind_to_port("127.0.0.1", port)) {
      throw std::runtime_error("cannot listen on 127.0.0.1:" + std::to_string(port) +
                               " (is the port in use?); pick another --control-port, or 0 for a free one");
    }
    port_ = port;
  }
  thread_ = std::thread([this] { server_->listen_after_bind(); });
  // stop() does nothing before the listen loop runs, so wait for it here.
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (!server_->is_running()) {
    if (std::chrono::steady_clock::now() > deadline) {
      throw std::runtime_error("the control server on 127.0.0.1:" + std::to_string(port_) + " did not start within 10 s");
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
}

void ControlServer::stop() {
  if (!thread_.joinable()) return;
  server_->stop();
  thread_.join();
}

std::string ControlServer::url() const { return "http://127.0.0.1:" + std::to_string(port_); }

// ---- ShutdownNotice ----

ShutdownNotice::ShutdownNotice() {
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) throw std::runtime_error(std::string("cannot make the shutdown pipe: ") + std::strerror(errno));
  read_fd_ = fds[0];
  write_fd_ = fds[1];
  // A full pipe already means "shut down", so notify() must never block on it.
  ::fcntl(write_fd_, F_SETFL, ::fcntl(write_fd_, F_GETFL) | O_NONBLOCK);
}

ShutdownNotice::~ShutdownNotice() {
  ::close(read_fd_);
  ::close(write_fd_);
}

void ShutdownNotice::notify() const {
  int saved_errno = errno;
  char byte = 1;
  [[maybe_unused]] auto written = ::write(write_fd_, &byte, 1);
  errno = saved_errno;
}

void ShutdownNotice::wait() const {
  char byte = 0;
  while (true) {
    ssize_t count = ::read(read_fd_, &byte, 1);
    if (count == 1 || count == 0) return;
    if (errno != EINTR) throw std::runtime_error(std::string("cannot read the shutdown pipe: ") + std::strerror(errno));
  }
}

}  // namespace loginspec::harness
