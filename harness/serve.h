// Serve mode: one scenario's mock servers kept running, driven and graded through a control API.
#pragma once

#include <chrono>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include <nlohmann/json.hpp>

#include "harness/adapter.h"
#include "harness/environment.h"
#include "harness/scenario.h"

namespace httplib {
class Server;
}

namespace loginspec::harness {

struct ServeOptions {
  // Lets GET /transcript and GET /verdict show secrets when the request has ?secrets=show.
  bool show_secrets = false;
};

// One control API response: HTTP status and JSON body. `allow` lists the methods of the path for a 405.
struct ControlResponse {
  int status = 200;
  nlohmann::ordered_json body;
  std::string allow;
};

// The state behind the control API: the selected scenario, its running servers and the client's report.
// Every public member is safe to call from several threads at once.
class ServeSession {
 public:
  // Makes the private 0700 run folder and starts the servers of scenarios[0].
  // Throws std::invalid_argument when scenarios is empty and std::runtime_error when the servers fail to start.
  ServeSession(std::vector<Scenario> scenarios, ServeOptions options);
  // Stops the servers and removes the run folder with everything in it.
  ~ServeSession();
  ServeSession(const ServeSession&) = delete;
  ServeSession& operator=(const ServeSession&) = delete;

  // Base URL of the control API, reported as "control" in the connection details.
  void set_control_url(std::string url);
  // Called once from the POST /shutdown handler, after the response is built but before it is sent.
  void set_shutdown_handler(std::function<void()> handler);

  // Serves one control API request. `query` is the decoded query string; `body` the raw request body.
  ControlResponse handle(const std::string& method, const std::string& path,
                         const std::multimap<std::string, std::string>& query, const std::string& body);

  // Connection details of the current scenario: the startup line and the GET /scenario response.
  // Throws std::runtime_error when no servers are running because the last start failed.
  nlohmann::ordered_json connection_info();

  const std::filesystem::path& run_dir() const { return run_dir_; }

 private:
  // Servers of the selected scenario, with the client's report once it arrives.
  struct Live {
    std::unique_ptr<ScenarioEnvironment> environment;
    LoginRequest login;
    std::chrono::steady_clock::time_point started;
    std::optional<LoginAttempt> attempt;
  };

  void start_locked(std::size_t index);
  nlohmann::ordered_json connection_info_locked() const;
  ControlResponse list_scenarios() const;
  ControlResponse select_scenario(const nlohmann::json& request);
  ControlResponse restart();
  ControlResponse store_report(const nlohmann::json& request);
  ControlResponse grade(bool show_secrets);
  ControlResponse transcript(bool show_secrets);
  ControlResponse shutdown();
  // Returns a 503 response that explains why no servers are running, or nullopt when they are.
  std::optional<ControlResponse> unavailable_response_locked() const;

  std::vector<Scenario> scenarios_;
  ServeOptions options_;
  std::filesystem::path run_dir_;
  std::unique_ptr<TlsMaterialCache> tls_;

  mutable std::mutex mutex_;
  std::size_t current_ = 0;
  std::optional<Live> live_;
  std::string start_error_;  // why the last start failed, when live_ is empty
  std::string control_url_;
  std::function<void()> shutdown_handler_;
};

// The control API over HTTP, bound to 127.0.0.1 only and served from a background thread.
class ControlServer {
 public:
  explicit ControlServer(ServeSession& session);
  ~ControlServer();
  ControlServer(const ControlServer&) = delete;
  ControlServer& operator=(const ControlServer&) = delete;

  // Binds 127.0.0.1:port (0 picks a free port) and starts serving; throws std::runtime_error when binding fails.
  void start(int port);
  // Stops accepting requests and joins the server thread. Safe to call twice.
  void stop();

  int port() const { return port_; }
  std::string url() const;

 private:
  ServeSession& session_;
  std::unique_ptr<httplib::Server> server_;
  std::thread thread_;
  int port_ = 0;
};

// A self-pipe for waiting until shutdown is requested. notify() only calls write(2), so it is
// async-signal-safe and may be called from a signal handler.
class ShutdownNotice {
 public:
  ShutdownNotice();  // throws std::runtime_error when the pipe cannot be made
  ~ShutdownNotice();
  ShutdownNotice(const ShutdownNotice&) = delete;
  ShutdownNotice& operator=(const ShutdownNotice&) = delete;

  void notify() const;
  // Blocks until notify() has been called at least once, retrying after interrupted reads.
  void wait() const;

 private:
  int read_fd_ = -1;
  int write_fd_ = -1;
};

}  // namespace loginspec::harness
