"""The loginspec executable as seen from Python: finding it, listing and running scenarios, serve mode."""

from __future__ import annotations

import json
import os
import selectors
import shutil
import signal
import subprocess
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

# harness/python/loginspec_pytest/harness.py -> the source tree root, for in-tree defaults.
SOURCE_ROOT = Path(__file__).resolve().parents[3]
IN_TREE_BINARY = SOURCE_ROOT / "build" / "default" / "harness" / "loginspec"

SERVE_STARTUP_TIMEOUT_SECONDS = 60
SERVE_STOP_TIMEOUT_SECONDS = 15
CONTROL_TIMEOUT_SECONDS = 30
VERSION_TIMEOUT_SECONDS = 10
OUTPUT_TAIL_CHARS = 2000


class LoginspecError(Exception):
    """The loginspec executable is missing, or one of its commands failed."""


class LoginspecControlError(LoginspecError):
    """The control API of `loginspec serve` rejected a request or could not be reached."""


class LoginspecWarning(UserWarning):
    """A scenario was graded WARN: the client violated a SHOULD-level check."""


def find_binary(explicit: str | None = None) -> str:
    """Return the loginspec executable to use.

    Order: the explicit path (--loginspec-binary), $LOGINSPEC_BINARY, the source tree's
    build/default/harness/loginspec, then loginspec on PATH. Raises LoginspecError when
    none exists.
    """
    for candidate, origin in ((explicit, "--loginspec-binary"), (os.environ.get("LOGINSPEC_BINARY"), "LOGINSPEC_BINARY")):
        if candidate:
            if not os.access(candidate, os.X_OK) or not os.path.isfile(candidate):
                raise LoginspecError(f"{origin} names {candidate!r}, which is not an executable file")
            return candidate
    if os.access(IN_TREE_BINARY, os.X_OK):
        return str(IN_TREE_BINARY)
    on_path = shutil.which("loginspec")
    if on_path:
        return on_path
    raise LoginspecError(
        f"cannot find the loginspec executable: not at {IN_TREE_BINARY} and not on PATH; "
        "build it, or pass --loginspec-binary PATH or set LOGINSPEC_BINARY"
    )


def _tail(text: str) -> str:
    text = text.strip()
    return text if len(text) <= OUTPUT_TAIL_CHARS else "..." + text[-OUTPUT_TAIL_CHARS:]


def strip_json_comments(text: str) -> str:
    """Remove // and /* */ comments outside JSON strings, as loginspec's own reader allows them."""
    out = []
    at = 0
    in_string = False
    while at < len(text):
        char = text[at]
        if in_string:
            out.append(char)
            if char == "\\" and at + 1 < len(text):
                out.append(text[at + 1])
                at += 1
            elif char == '"':
                in_string = False
            at += 1
        elif char == '"':
            in_string = True
            out.append(char)
            at += 1
        elif text.startswith("//", at):
            end = text.find("\n", at)
            at = len(text) if end < 0 else end
        elif text.startswith("/*", at):
            end = text.find("*/", at + 2)
            at = len(text) if end < 0 else end + 2
        else:
            out.append(char)
            at += 1
    return "".join(out)


class Harness:
    """One loginspec executable plus the scenario folder to pass it (None: its built-in default)."""

    def __init__(self, binary: str, scenarios_dir: str | None = None):
        self.binary = binary
        self.scenarios_dir = scenarios_dir

    def _scenario_args(self) -> list[str]:
        return ["--scenarios", self.scenarios_dir] if self.scenarios_dir else []

    def _run(self, args: list[str], timeout: float | None = None) -> subprocess.CompletedProcess:
        try:
            return subprocess.run(
                [self.binary, *args],
                stdin=subprocess.DEVNULL,
                capture_output=True,
                text=True,
                errors="replace",
                timeout=timeout,
                check=False,
            )
        except OSError as error:
            raise LoginspecError(f"cannot start {self.binary}: {error}") from error
        except subprocess.TimeoutExpired as error:
            raise LoginspecError(f"{self.binary} {' '.join(args)} timed out after {timeout} s") from error

    def version(self) -> str:
        """Return what `loginspec --version` prints, such as "loginspec 0.1.0"."""
        completed = self._run(["--version"], timeout=VERSION_TIMEOUT_SECONDS)
        if completed.returncode != 0:
            raise LoginspecError(f"{self.binary} --version exited with status {completed.returncode}: {_tail(completed.stderr)}")
        return completed.stdout.strip()

    def list_scenarios(self) -> list[dict[str, Any]]:
        """Return the scenarios as `loginspec list --format json` describes them."""
        completed = self._run(["list", "--format", "json", *self._scenario_args()], timeout=60)
        if completed.returncode != 0:
            raise LoginspecError(f"loginspec list exited with status {completed.returncode}: {_tail(completed.stderr)}")
        try:
            return json.loads(completed.stdout)
        except ValueError as error:
            raise LoginspecError(f"loginspec list --format json printed invalid JSON: {error}") from error

    def run(self, client: str, scenario_ids: list[str]) -> dict[str, dict[str, Any]]:
        """Run the scenarios against client with one `loginspec run` and return each result by scenario id.

        Results use the scenario shape of docs/RESULTS-FORMAT.md. A scenario without a result
        (loginspec failed to start or was interrupted) gets an ERROR result saying why.
        The results file lives in a fresh temporary folder, so parallel runs never share one.
        loginspec bounds every scenario by its own time limit, so no timeout is set here.
        """
        with tempfile.TemporaryDirectory(prefix="loginspec-pytest-") as folder:
            results_file = os.path.join(folder, "results.json")
            completed = self._run(
                ["run", "--client", client, "--json", results_file, "--no-color", *self._scenario_args(), *scenario_ids]
            )
            results: dict[str, dict[str, Any]] = {}
            if os.path.exists(results_file):
                with open(results_file, encoding="utf-8") as handle:
                    document = json.load(handle)
                for scenario in document.get("scenarios", []):
                    results[scenario["id"]] = scenario
        for scenario_id in scenario_ids:
            if scenario_id not in results:
                results[scenario_id] = {
                    "id": scenario_id,
                    "verdict": "ERROR",
                    "reason": f"loginspec run exited with status {completed.returncode} without a result for this "
                    f"scenario: {_tail(completed.stderr) or '(no output)'}",
                    "checks": [],
                    "client": None,
                }
        return results

    def client_version(self, client: str) -> str:
        """Return the client's version as its profile's version_argv prints it, or a note why it is unknown."""
        if client == "reference":
            return self.version().removeprefix("loginspec ")
        # The same rule as loginspec run: a value with "/" or ending in .json is a path, anything else a name.
        if "/" in client or client.endswith(".json"):
            profile_path = Path(client)
        else:
            profile_path = SOURCE_ROOT / "fixtures" / "clients" / f"{client}.json"
        try:
            profile = json.loads(strip_json_comments(profile_path.read_text(encoding="utf-8")))
            argv = profile["version_argv"]
        except (OSError, ValueError, KeyError, TypeError) as error:
            return f"version unknown (cannot read {profile_path}: {error})"
        try:
            completed = subprocess.run(
                argv, stdin=subprocess.DEVNULL, capture_output=True, text=True, errors="replace",
                timeout=VERSION_TIMEOUT_SECONDS, check=False,
            )
        except (OSError, subprocess.TimeoutExpired) as error:
            return f"version unknown ({' '.join(argv)} failed: {error})"
        for line in (completed.stdout + "\n" + completed.stderr).splitlines():
            if line.strip():
                return line.strip()
        return "version unknown (no output)"

    def serve(self, scenario_id: str, show_secrets: bool = False) -> "ServedScenario":
        """Start `loginspec serve` for one scenario and return it once its servers are up."""
        return ServedScenario.start(self, scenario_id, show_secrets=show_secrets)


def describe_result(result: dict[str, Any]) -> str:
    """Format a scenario result for a test report: verdict, the checks behind it, and the client's output."""
    headline = f"{result['id']}: {result['verdict']}"
    if result.get("reason"):
        headline += f" ({result['reason'].splitlines()[0]})"
    lines = [headline]
    for check in result.get("checks", []):
        if check["verdict"] not in ("FAIL", "WARN", "ERROR"):
            continue
        spec = f" ({check['spec']})" if check.get("spec") else ""
        lines.append(f"  [{check['level']}] {check['id']}{spec}: {check['verdict']}")
        lines.extend("      " + line for line in check["message"].splitlines())
    client = result.get("client")
    if client:
        ending = f"exit code {client['exit_code']}"
        if client.get("signal"):
            ending = f"killed by {client['signal']}"
        if client.get("timed_out"):
            ending += ", timed out"
        reported = "success" if client["reported_success"] else "failure"
        lines.append(f"  client reported {reported}, {ending}")
        for stream in ("stdout", "stderr"):
            text = _tail(client.get(stream, ""))
            if text:
                lines.append(f"  client {stream}:")
                lines.extend("      " + line for line in text.splitlines())
    return "\n".join(lines)


_CONTROL_OPENER = urllib.request.build_opener(urllib.request.ProxyHandler({}))


class ServedScenario:
    """A scenario served by a `loginspec serve` subprocess, and the details a client needs to log in.

    Attributes mirror the serve startup line: registry ("127.0.0.1:PORT"), registry_url, realm
    (None without a token server), username, password, ca_file (None for plain HTTP), insecure,
    client_certificate_file, client_key_file, scenario (its id), title and control (the API URL).
    """

    def __init__(self, process: subprocess.Popen, stderr_file: Any, info: dict[str, Any]):
        self._process = process
        self._stderr_file = stderr_file
        self.reported = False
        self._apply(info)

    def _apply(self, info: dict[str, Any]) -> None:
        self.info = info
        self.control: str = info["control"]
        self.scenario: str = info["scenario"]
        self.title: str = info.get("title", "")
        self.registry: str = info["registry"]
        self.registry_url: str = info["registry_url"]
        self.realm: str | None = info.get("realm")
        self.username: str = info["username"]
        self.password: str = info["password"]
        self.ca_file: str | None = info.get("ca_file")
        self.insecure: bool = info["insecure"]
        self.client_certificate_file: str | None = info.get("client_certificate_file")
        self.client_key_file: str | None = info.get("client_key_file")

    @property
    def pid(self) -> int:
        return self._process.pid

    @classmethod
    def start(cls, harness: Harness, scenario_id: str, show_secrets: bool = False) -> "ServedScenario":
        """Start the serve process in its own process group and wait for its connection details."""
        command = [harness.binary, "serve", scenario_id, *harness._scenario_args()]
        if show_secrets:
            command.append("--show-secrets")
        stderr_file = tempfile.TemporaryFile(prefix="loginspec-serve-")
        try:
            process = subprocess.Popen(
                command, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=stderr_file, start_new_session=True
            )
        except OSError as error:
            stderr_file.close()
            raise LoginspecError(f"cannot start {harness.binary} serve: {error}") from error
        served = None
        try:
            line = cls._read_startup_line(process, stderr_file)
            try:
                info = json.loads(line)
            except ValueError as error:
                raise LoginspecError(f"loginspec serve printed an invalid startup line {line!r}: {error}") from error
            served = cls(process, stderr_file, info)
            return served
        finally:
            if served is None:
                _stop_process(process)
                process.stdout.close()
                stderr_file.close()

    @staticmethod
    def _read_startup_line(process: subprocess.Popen, stderr_file: Any) -> str:
        buffer = b""
        deadline = time.monotonic() + SERVE_STARTUP_TIMEOUT_SECONDS
        with selectors.DefaultSelector() as selector:
            selector.register(process.stdout, selectors.EVENT_READ)
            while b"\n" not in buffer:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise LoginspecError(
                        f"loginspec serve printed no connection details within {SERVE_STARTUP_TIMEOUT_SECONDS} s: "
                        f"{_read_all(stderr_file)}"
                    )
                if not selector.select(remaining):
                    continue
                chunk = os.read(process.stdout.fileno(), 65536)
                if not chunk:
                    status = process.wait()
                    raise LoginspecError(
                        f"loginspec serve exited with status {status} before printing its connection details: "
                        f"{_read_all(stderr_file) or '(no output)'}"
                    )
                buffer += chunk
        return buffer.split(b"\n", 1)[0].decode("utf-8", errors="replace")

    def _call(self, method: str, path: str, body: dict[str, Any] | None = None) -> dict[str, Any]:
        data = None if body is None else json.dumps(body).encode("utf-8")
        request = urllib.request.Request(self.control + path, data=data, method=method)
        if data is not None:
            request.add_header("Content-Type", "application/json")
        try:
            with _CONTROL_OPENER.open(request, timeout=CONTROL_TIMEOUT_SECONDS) as response:
                return json.loads(response.read())
        except urllib.error.HTTPError as error:
            text = error.read().decode("utf-8", errors="replace")
            try:
                message = json.loads(text)["error"]
            except (ValueError, KeyError, TypeError):
                message = text
            raise LoginspecControlError(f"{method} {path} returned HTTP {error.code}: {message}") from None
        except (urllib.error.URLError, OSError) as error:
            raise LoginspecControlError(
                f"{method} {self.control}{path} failed: {error}; serve output: {_read_all(self._stderr_file)}"
            ) from None

    def report(self, success: bool, message: str = "", store_file: str | os.PathLike | None = None,
               exit_code: int | None = None) -> dict[str, Any]:
        """Tell loginspec what the client reported; the test is graded after it returns.

        store_file is the credential file the client wrote (Docker config.json or containers
        auth.json layout), read back for the storage checks; relative paths are made absolute.
        """
        body: dict[str, Any] = {"success": success, "message": message}
        if store_file is not None:
            body["store_file"] = os.path.abspath(os.fspath(store_file))
        if exit_code is not None:
            body["exit_code"] = exit_code
        summary = self._call("POST", "/report", body)
        self.reported = True
        return summary

    def verdict(self, show_secrets: bool = False) -> dict[str, Any]:
        """Return the graded scenario result (scenario shape of docs/RESULTS-FORMAT.md)."""
        return self._call("GET", "/verdict?secrets=show" if show_secrets else "/verdict")

    def transcript(self, show_secrets: bool = False) -> dict[str, Any]:
        """Return the requests the mock servers recorded, redacted unless allowed and asked for."""
        return self._call("GET", "/transcript?secrets=show" if show_secrets else "/transcript")

    def reset(self) -> None:
        """Restart the scenario's servers with a fresh transcript; ports and tokens change."""
        self._apply(self._call("POST", "/reset", {}))
        self.reported = False

    def close(self) -> int | None:
        """Stop the serve process (SIGTERM, then SIGKILL after a timeout) and return its exit status."""
        status = _stop_process(self._process)
        if self._process.stdout is not None:
            self._process.stdout.close()
        self._stderr_file.close()
        return status

    def serve_output(self) -> str:
        """Return what the serve process wrote to its standard error so far."""
        return _read_all(self._stderr_file)

    def __enter__(self) -> "ServedScenario":
        return self

    def __exit__(self, *exc_info: Any) -> None:
        self.close()


def _read_all(stderr_file: Any) -> str:
    try:
        stderr_file.seek(0)
        return _tail(stderr_file.read().decode("utf-8", errors="replace"))
    except (OSError, ValueError):
        return ""


def _stop_process(process: subprocess.Popen) -> int | None:
    """End one child process by its PID and reap it."""
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=SERVE_STOP_TIMEOUT_SECONDS)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
    return process.returncode
