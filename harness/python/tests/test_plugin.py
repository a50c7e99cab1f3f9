"""Tests for the loginspec pytest plugin, each running an inner pytest session with pytester."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from loginspec_pytest.harness import Harness, find_binary

SOURCE_ROOT = Path(__file__).resolve().parents[3]
EXAMPLE_CLIENT_DIR = SOURCE_ROOT / "examples" / "python-client"


@pytest.fixture(scope="module")
def binary() -> str:
    return find_binary()


@pytest.fixture(scope="module")
def scenario_ids(binary: str) -> list[str]:
    return [scenario["id"] for scenario in Harness(binary).list_scenarios()]


def run_inner(pytester: pytest.Pytester, *args: str) -> pytest.RunResult:
    return pytester.runpytest("-p", "loginspec_pytest.plugin", "-p", "no:cacheprovider", *args)


def write_exec_profile(pytester: pytest.Pytester, binary: str, name: str, extra_login_args: list[str],
                       unsupported: dict[str, str] | None = None) -> Path:
    """Write a client profile that runs `loginspec login` (the reference client) through the exec adapter."""
    profile = {
        "name": name,
        "title": "reference client driven as a command-line program",
        "version_argv": [binary, "--version"],
        "login_argv": [binary, "login", *extra_login_args, "--username", "${username}", "--password-stdin",
                       "--config", "${home}/docker", "${tls_args}", "${registry}"],
        "stdin": "${password}\n",
        "plain_http_args": ["--insecure"],
        "https_args": ["--ca", "${ca_file}"],
        "success_exit_codes": [0],
        "store_file": "${home}/docker/config.json",
        "store_keys": ["${registry}"],
    }
    if unsupported:
        profile["unsupported"] = unsupported
    path = pytester.path / f"{name}.json"
    path.write_text(json.dumps(profile, indent=2))
    return path


# ---- Scenario items for --loginspec-client ----


def test_reference_client_passes_every_scenario(pytester: pytest.Pytester, scenario_ids: list[str]) -> None:
    result = run_inner(pytester, "--loginspec-client", "reference", "-q")
    result.assert_outcomes(passed=len(scenario_ids))


def test_collection_names_items_by_scenario_id(pytester: pytest.Pytester, scenario_ids: list[str]) -> None:
    result = run_inner(pytester, "--loginspec-client", "reference", "--collect-only", "-q")
    collected = [line for line in result.outlines if line.startswith("loginspec::")]
    assert collected == [f"loginspec::{scenario_id}" for scenario_id in scenario_ids]


def test_keyword_selects_by_scenario_id(pytester: pytest.Pytester, scenario_ids: list[str]) -> None:
    result = run_inner(pytester, "--loginspec-client", "reference", "-v", "-k", "bearer/happy-path or tls/ca-given")
    result.assert_outcomes(passed=2, deselected=len(scenario_ids) - 2)
    result.stdout.fnmatch_lines(["*loginspec::bearer/happy-path PASSED*", "*loginspec::tls/ca-given PASSED*"])


def test_family_marker_selects_scenarios(pytester: pytest.Pytester, scenario_ids: list[str]) -> None:
    result = run_inner(pytester, "--loginspec-client", "reference", "--collect-only", "-q", "-m", "loginspec_basic",
                       "--strict-markers")
    collected = [line for line in result.outlines if line.startswith("loginspec::")]
    expected = [f"loginspec::{scenario_id}" for scenario_id in scenario_ids if scenario_id.startswith("basic/")]
    assert expected
    assert collected == expected


def test_report_header_names_versions(pytester: pytest.Pytester, binary: str) -> None:
    version = Harness(binary).version()
    result = run_inner(pytester, "--loginspec-client", "reference", "--collect-only", "-k", "nothing-matches")
    result.stdout.fnmatch_lines([f"loginspec: {version} ({binary})", f"loginspec client: reference {version.split()[-1]}"])


def test_report_header_omits_client_without_option(pytester: pytest.Pytester, binary: str) -> None:
    pytester.makepyfile(test_plain="def test_plain():\n    pass\n")
    result = run_inner(pytester)
    result.stdout.fnmatch_lines([f"loginspec: * ({binary})"])
    assert "loginspec client" not in result.stdout.str()


def test_skip_verdict_skips_with_reason(pytester: pytest.Pytester, binary: str) -> None:
    profile = write_exec_profile(pytester, binary, "no-tls", [], {"tls": "this test profile declares no TLS support"})
    result = run_inner(pytester, "--loginspec-client", str(profile), "-rs", "-k", "tls/ca-given or bearer/happy-path")
    result.assert_outcomes(passed=1, skipped=1, deselected=result.parseoutcomes()["deselected"])
    result.stdout.fnmatch_lines(["SKIPPED*needs tls: this test profile declares no TLS support*"])


def test_fail_verdict_fails_with_check_messages(pytester: pytest.Pytester, binary: str) -> None:
    profile = write_exec_profile(pytester, binary, "no-service", ["--fault", "ignore-service"])
    result = run_inner(pytester, "--loginspec-client", str(profile), "-k", "bearer/happy-path")
    result.assert_outcomes(failed=1, deselected=result.parseoutcomes()["deselected"])
    result.stdout.fnmatch_lines(["*bearer/happy-path: FAIL*", "*[[]MUST[]] token-request-service*: FAIL"])


def test_warn_verdict_passes_with_warning(pytester: pytest.Pytester, binary: str) -> None:
    profile = write_exec_profile(pytester, binary, "open-store", ["--fault", "world-readable-store"])
    result = run_inner(pytester, "--loginspec-client", str(profile), "-k", "bearer/happy-path")
    result.assert_outcomes(passed=1, warnings=1, deselected=result.parseoutcomes()["deselected"])
    result.stdout.fnmatch_lines(["*LoginspecWarning: bearer/happy-path: WARN*", "*credential-file-private*"])


def test_strict_flag_fails_warn_verdict(pytester: pytest.Pytester, binary: str) -> None:
    profile = write_exec_profile(pytester, binary, "open-store", ["--fault", "world-readable-store"])
    result = run_inner(pytester, "--loginspec-client", str(profile), "--loginspec-strict", "-k", "bearer/happy-path")
    result.assert_outcomes(failed=1, deselected=result.parseoutcomes()["deselected"])
    result.stdout.fnmatch_lines(["*credential-file-private*", "*WARN counts as a failure under --loginspec-strict*"])


def test_missing_binary_is_collection_error(pytester: pytest.Pytester) -> None:
    missing = str(pytester.path / "no-such-loginspec")
    result = run_inner(pytester, "--loginspec-client", "reference", "--loginspec-binary", missing)
    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines(["*cannot collect the loginspec scenarios*not an executable file*"])


def test_unknown_client_is_one_collection_error(pytester: pytest.Pytester, binary: str) -> None:
    result = run_inner(pytester, "--loginspec-binary", binary, "--loginspec-client", "no-such-client")
    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines(["*unknown client 'no-such-client'*known clients: reference*skopeo*"])


def test_explicit_paths_also_collected(pytester: pytest.Pytester, scenario_ids: list[str]) -> None:
    pytester.makepyfile(test_plain="def test_plain():\n    pass\n")
    result = run_inner(pytester, "--loginspec-client", "reference", "--collect-only", "-q", "test_plain.py")
    assert "test_plain.py::test_plain" in result.outlines
    assert sum(line.startswith("loginspec::") for line in result.outlines) == len(scenario_ids)


# ---- The loginspec_scenario fixture ----

CLIENT_IMPORT = f"""
import sys
import urllib.request

import pytest

sys.path.insert(0, {str(EXAMPLE_CLIENT_DIR)!r})
import login_client
"""


def test_fixture_grades_passing_client(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        CLIENT_IMPORT
        + """
@pytest.mark.loginspec("bearer/happy-path", "bearer/wrong-password")
def test_login(loginspec_scenario, tmp_path):
    result = login_client.login(loginspec_scenario.registry_url, loginspec_scenario.username,
                                loginspec_scenario.password, tmp_path / "docker", ca_file=loginspec_scenario.ca_file)
    loginspec_scenario.report(result.success, result.message, store_file=result.config_file)
"""
    )
    result = run_inner(pytester, "-v")
    result.assert_outcomes(passed=2)
    result.stdout.fnmatch_lines(["*test_login[[]bearer/happy-path[]] PASSED*", "*test_login[[]bearer/wrong-password[]] PASSED*"])


def test_fixture_fails_lying_client(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        CLIENT_IMPORT
        + """
@pytest.mark.loginspec("bearer/wrong-password")
def test_login(loginspec_scenario, tmp_path):
    login_client.login(loginspec_scenario.registry_url, loginspec_scenario.username,
                       loginspec_scenario.password, tmp_path / "docker")
    loginspec_scenario.report(True, "Login Succeeded")
"""
    )
    result = run_inner(pytester)
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(["*bearer/wrong-password: FAIL*", "*[[]MUST[]] login-outcome*: FAIL"])


def test_fixture_without_report_is_not_graded(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        CLIENT_IMPORT
        + """
@pytest.mark.loginspec("bearer/wrong-password")
def test_connect_only(loginspec_scenario):
    assert loginspec_scenario.registry_url.startswith("http://127.0.0.1:")
    assert loginspec_scenario.ca_file is None
    assert loginspec_scenario.insecure is True
"""
    )
    run_inner(pytester).assert_outcomes(passed=1)


WARN_CLIENT_TEST = (
    CLIENT_IMPORT
    + """
@pytest.mark.loginspec("outcome/no-auth-required")
def test_ping_only(loginspec_scenario):
    # Claims success because /v2/ returned 200, without ever presenting credentials.
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    with opener.open(loginspec_scenario.registry_url + "/v2/", timeout=10) as response:
        assert response.status == 200
    loginspec_scenario.report(True, "Login Succeeded")
"""
)


def test_fixture_warn_passes_with_warning(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(WARN_CLIENT_TEST)
    result = run_inner(pytester)
    result.assert_outcomes(passed=1, warnings=1)
    result.stdout.fnmatch_lines(["*LoginspecWarning: outcome/no-auth-required: WARN*", "*credentials-verified*"])


def test_fixture_strict_fails_warn(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(WARN_CLIENT_TEST)
    result = run_inner(pytester, "--loginspec-strict")
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(["*[[]SHOULD[]] credentials-verified*: WARN"])


def test_fixture_failure_is_xfail_aware(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        CLIENT_IMPORT
        + """
@pytest.mark.xfail(strict=True, reason="ignores service")
@pytest.mark.loginspec("bearer/happy-path")
def test_ignores_service(loginspec_scenario, tmp_path):
    result = login_client.login(loginspec_scenario.registry_url, loginspec_scenario.username,
                                loginspec_scenario.password, tmp_path / "docker", ignore_service=True)
    loginspec_scenario.report(result.success, result.message, store_file=result.config_file)
"""
    )
    run_inner(pytester).assert_outcomes(xfailed=1)


def test_fixture_needs_marker(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
def test_unmarked(loginspec_scenario):
    pass
"""
    )
    result = run_inner(pytester)
    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines(["*uses the loginspec_scenario fixture but has no*pytest.mark.loginspec*"])


def test_fixture_reports_unknown_scenario(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
import pytest

@pytest.mark.loginspec("bearer/no-such-scenario")
def test_unknown(loginspec_scenario):
    pass
"""
    )
    result = run_inner(pytester)
    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines(["*loginspec serve exited with status 2*bearer/no-such-scenario*"])
