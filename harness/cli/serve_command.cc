// loginspec serve: keeps one scenario's mock servers running for a client driven from outside.
#include <csignal>
#include <iostream>
#include <string>
#include <vector>

#include "harness/cli/common.h"
#include "harness/scenario_loader.h"
#include "harness/serve.h"

namespace loginspec::cli {

namespace {

const char* kServeHelp = R"(Usage: loginspec serve [options] [SCENARIO-ID-OR-GLOB ...]

Starts the mock servers of the first selected scenario (default: all scenarios) on loopback and
a control API on 127.0.0.1, then prints one JSON line with the control URL and the connection
details a client needs (registry, realm, username, password, CA file). The caller logs in with
its own client, posts what the client reported to /report and reads the grade from /verdict.
The API is described in docs/SERVE-API.md. SIGINT, SIGTERM or POST /shutdown stop the servers,
remove the private run folder and exit with status 0.

Options:
  --control-port PORT   port of the control API on 127.0.0.1 (default 0: a free port)
  --scenarios DIR       scenario folder (default: the source tree's scenarios/)
  --show-secrets        let GET /transcript?secrets=show and GET /verdict?secrets=show show
                        passwords and tokens (redacted otherwise)
  -h, --help            show this help
)";

// The notice the signal handler writes to; set before the handlers are installed.
harness::ShutdownNotice* g_shutdown = nullptr;

void on_shutdown_signal(int) {
  if (g_shutdown != nullptr) g_shutdown->notify();
}

void install_signal_handlers() {
  struct sigaction action {};
  action.sa_handler = on_shutdown_signal;
  sigemptyset(&action.sa_mask);
  action.sa_flags = SA_RESTART;
  sigaction(SIGINT, &action, nullptr);
  sigaction(SIGTERM, &action, nullptr);
  // A caller that closes the connection during a response must not end the process before it cleans up.
  std::signal(SIGPIPE, SIG_IGN);
}

int parse_port(const std::string& text) {
  std::size_t used = 0;
  int port = -1;
  try {
    port = std::stoi(text, &used);
  } catch (const std::exception&) {
    used = 0;
  }
  if (used != text.size() || port < 0 || port > 65535) {
    throw UsageError("--control-port takes a port number from 0 to 65535, not \"" + text + "\"");
  }
  return port;
}

}  // namespace

int command_serve(const std::vector<std::string>& args) {
  std::filesystem::path scenarios_dir = default_dir("scenarios");
  harness::ServeOptions options;
  int control_port = 0;
  std::vector<std::string> patterns;

  for (std::size_t i = 0; i < args.size(); ++i) {
    const std::string& arg = args[i];
    if (arg == "-h" || arg == "--help") {
      std::cout << kServeHelp;
      return kExitOk;
    } else if (arg == "--control-port") {
      control_port = parse_port(take_value(args, i));
    } else if (arg == "--scenarios") {
      scenarios_dir = take_value(args, i);
    } else if (arg == "--show-secrets") {
      options.show_secrets = true;
    } else if (arg.starts_with("-")) {
      throw UsageError("unknown option " + arg + " (see loginspec serve --help)");
    } else {
      patterns.push_back(arg);
    }
  }

  auto selected = harness::select_scenarios(harness::load_scenario_tree(scenarios_dir), patterns);
  if (selected.empty()) throw UsageError("no scenarios found in " + scenarios_dir.string());

  // Handlers go in before anything starts, so an early signal still ends in a clean shutdown.
  // Static, so a signal that arrives while the process exits never writes through a dangling pointer.
  static harness::ShutdownNotice shutdown;
  g_shutdown = &shutdown;
  install_signal_handlers();

  harness::ServeSession session(std::move(selected), options);
  harness::ControlServer control(session);
  control.start(control_port);
  session.set_control_url(control.url());
  session.set_shutdown_handler([] { shutdown.notify(); });

  std::cout << session.connection_info().dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) << std::endl;
  std::cerr << "loginspec serve: control API on " << control.url() << " (run folder " << session.run_dir().string()
            << ")" << std::endl;

  shutdown.wait();
  std::cerr << "loginspec serve: shutting down" << std::endl;
  control.stop();
  // The session's destructor stops the mock servers and removes the run folder.
  return kExitOk;
}

}  // namespace loginspec::cli
