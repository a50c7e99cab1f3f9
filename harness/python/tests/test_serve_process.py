"""Tests for the `loginspec serve` process: its startup line, clean exits and the files it leaves behind."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import urllib.request
from pathlib import Path

import pytest

from loginspec_pytest.harness import Harness, LoginspecControlError, find_binary

EXIT_TIMEOUT_SECONDS = 15


@pytest.fixture
def private_tmpdir(tmp_path: Path) -> Path:
    """An empty TMPDIR for the serve process, so its run folder can be checked for leftovers."""
    folder = tmp_path / "tmp"
    folder.mkdir()
    return folder


def start_serve(private_tmpdir: Path, *args: str) -> tuple[subprocess.Popen, dict]:
    process = subprocess.Popen(
        [find_binary(), "serve", *args],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env={**os.environ, "TMPDIR": str(private_tmpdir)},
        start_new_session=True,
    )
    line = process.stdout.readline()
    if not line:
        process.wait(timeout=EXIT_TIMEOUT_SECONDS)
        pytest.fail(f"loginspec serve printed nothing: {process.stderr.read().decode(errors='replace')}")
    return process, json.loads(line)


def stop_and_reap(process: subprocess.Popen) -> None:
    if process.poll() is None:
        process.kill()
    process.wait(timeout=EXIT_TIMEOUT_SECONDS)
    process.stdout.close()
    process.stderr.close()


@pytest.mark.parametrize("signal_number", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "SIGINT"])
def test_signal_exits_cleanly_without_leftovers(private_tmpdir: Path, signal_number: int) -> None:
    process, info = start_serve(private_tmpdir, "tls/ca-given")
    try:
        assert info["ca_file"].startswith(str(private_tmpdir))
        assert Path(info["ca_file"]).is_file()
        assert len(list(private_tmpdir.iterdir())) == 1

        process.send_signal(signal_number)
        assert process.wait(timeout=EXIT_TIMEOUT_SECONDS) == 0
        assert list(private_tmpdir.iterdir()) == []
        assert process.stdout.read() == b""
    finally:
        stop_and_reap(process)


def test_shutdown_request_exits_cleanly(private_tmpdir: Path) -> None:
    process, info = start_serve(private_tmpdir, "bearer/happy-path")
    try:
        opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
        request = urllib.request.Request(info["control"] + "/shutdown", data=b"{}", method="POST")
        with opener.open(request, timeout=10) as response:
            assert json.loads(response.read()) == {"shutting_down": True}
        assert process.wait(timeout=EXIT_TIMEOUT_SECONDS) == 0
        assert list(private_tmpdir.iterdir()) == []
    finally:
        stop_and_reap(process)


def test_startup_line_has_connection_details(private_tmpdir: Path) -> None:
    process, info = start_serve(private_tmpdir, "bearer/*")
    try:
        assert list(info) == [
            "control", "scenario", "title", "registry", "registry_url", "realm", "username", "password",
            "ca_file", "client_certificate_file", "client_key_file", "insecure",
        ]
        assert info["control"].startswith("http://127.0.0.1:")
        assert info["scenario"].startswith("bearer/")
        assert info["registry"].startswith("127.0.0.1:")
        assert info["insecure"] is True
    finally:
        process.send_signal(signal.SIGTERM)
        stop_and_reap(process)


def test_control_port_option_is_used(private_tmpdir: Path) -> None:
    # Port 0 first, to learn a free port, then ask for that port explicitly.
    process, info = start_serve(private_tmpdir, "bearer/happy-path")
    port = int(info["control"].rsplit(":", 1)[1])
    process.send_signal(signal.SIGTERM)
    stop_and_reap(process)

    process, info = start_serve(private_tmpdir, "bearer/happy-path", "--control-port", str(port))
    try:
        assert info["control"] == f"http://127.0.0.1:{port}"
    finally:
        process.send_signal(signal.SIGTERM)
        stop_and_reap(process)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--control-port", "70000"], "--control-port takes a port number from 0 to 65535"),
        (["--frobnicate"], "unknown option --frobnicate"),
        (["bearer/no-such-scenario"], "bearer/no-such-scenario"),
    ],
)
def test_bad_arguments_exit_with_usage_error(private_tmpdir: Path, args: list[str], message: str) -> None:
    completed = subprocess.run(
        [find_binary(), "serve", *args], capture_output=True, text=True, timeout=EXIT_TIMEOUT_SECONDS,
        env={**os.environ, "TMPDIR": str(private_tmpdir)}, check=False,
    )
    assert completed.returncode == 2
    assert message in completed.stderr
    assert completed.stdout == ""
    assert list(private_tmpdir.iterdir()) == []


def test_served_scenario_reports_control_errors() -> None:
    with Harness(find_binary()).serve("bearer/happy-path") as served:
        with pytest.raises(LoginspecControlError, match="409.*POST /report first"):
            served.verdict()
        served.report(False, "not attempted")
        with pytest.raises(LoginspecControlError, match="409.*already posted"):
            served.report(False, "again")
        old_registry = served.registry
        served.reset()
        assert served.reported is False
        assert served.registry != old_registry
        assert served.transcript()["exchanges"] == []
