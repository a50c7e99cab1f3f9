"""pytest plugin for loginspec: one test item per scenario for a client, and the loginspec_scenario fixture.

With ``--loginspec-client NAME|PROFILE`` every scenario becomes a test item under the node
``loginspec``, named by its id (so ``-k happy-path`` selects by id) and marked
``loginspec_<family>`` after the id's first segment. The items of one pytest process run
together in one ``loginspec run``, started by the first item that needs a result.

Python clients use the ``loginspec_scenario`` fixture with
``@pytest.mark.loginspec("bearer/happy-path", ...)``: the test runs once per id against a
``loginspec serve`` process and is graded when it returns, if it called ``report()``.

Verdicts map to outcomes: PASS passes, FAIL and ERROR fail with the check messages, SKIP
skips with the reason, and WARN passes with a LoginspecWarning (fails under
``--loginspec-strict``).
"""

from __future__ import annotations

import re
import warnings
from pathlib import Path
from typing import Any, Iterator

import pytest

from loginspec_pytest.harness import (
    Harness,
    LoginspecError,
    LoginspecWarning,
    SOURCE_ROOT,
    ServedScenario,
    describe_result,
    find_binary,
)

FIXTURE_NAME = "loginspec_scenario"


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("loginspec", "loginspec: conformance tests for container-registry login clients")
    group.addoption(
        "--loginspec-client",
        metavar="NAME|PROFILE",
        help="collect one test per loginspec scenario and run them against this client: reference, a profile "
        "name (skopeo, podman, ...) or a profile file. Without path arguments only these tests are collected.",
    )
    group.addoption(
        "--loginspec-strict",
        action="store_true",
        help="fail scenarios graded WARN (a violated SHOULD check) instead of passing them with a LoginspecWarning",
    )
    group.addoption(
        "--loginspec-binary",
        metavar="PATH",
        help="loginspec executable (default: $LOGINSPEC_BINARY, else build/default/harness/loginspec in the "
        "source tree, else loginspec on PATH)",
    )
    group.addoption(
        "--loginspec-scenarios",
        metavar="DIR",
        help="scenario folder for loginspec (default: the one the executable was built with)",
    )


class _State:
    """Per-session plugin state: the options, the resolved executable and the results of loginspec run."""

    def __init__(self, config: pytest.Config):
        self.client: str | None = config.getoption("loginspec_client")
        self.strict: bool = config.getoption("loginspec_strict")
        self._binary_option: str | None = config.getoption("loginspec_binary")
        self._scenarios_dir: str | None = config.getoption("loginspec_scenarios")
        self._harness: Harness | None = None
        self.results: dict[str, dict[str, Any]] = {}

    def harness(self) -> Harness:
        """Return the loginspec executable to use; raises LoginspecError when there is none."""
        if self._harness is None:
            self._harness = Harness(find_binary(self._binary_option), self._scenarios_dir)
        return self._harness


_STATE_KEY = pytest.StashKey[_State]()


def _state(config: pytest.Config) -> _State:
    return config.stash[_STATE_KEY]


def pytest_configure(config: pytest.Config) -> None:
    config.stash[_STATE_KEY] = _State(config)
    config.addinivalue_line(
        "markers",
        "loginspec(*scenario_ids): run the test once per scenario id, with the loginspec_scenario fixture serving it",
    )


def pytest_report_header(config: pytest.Config) -> list[str]:
    state = _state(config)
    try:
        harness = state.harness()
        lines = [f"loginspec: {harness.version()} ({harness.binary})"]
        if state.client:
            lines.append(f"loginspec client: {state.client} {harness.client_version(state.client)}")
    except LoginspecError as error:
        # Without --loginspec-client the plugin may be installed but unused; stay quiet then.
        return [f"loginspec: {error}"] if state.client else []
    return lines


def pytest_ignore_collect(collection_path: Any, config: pytest.Config) -> bool | None:
    # `pytest --loginspec-client X` with no paths runs the scenario suite only, not every test file below.
    # Config.args_source exists from pytest 7.2 on; older versions collect as usual.
    args_source = getattr(config, "args_source", None)
    if _state(config).client and args_source is not None and args_source.name == "INCOVATION_DIR":
        return True
    return None


# ---- Verdicts ----


def apply_verdict(result: dict[str, Any], strict: bool) -> None:
    """Turn a scenario result into the test outcome: return (pass), warn, skip or fail."""
    verdict = result["verdict"]
    if verdict == "PASS":
        return
    if verdict == "SKIP":
        pytest.skip(result.get("reason") or "skipped by loginspec")
    description = describe_result(result)
    if verdict == "WARN":
        if strict:
            pytest.fail(description + "\nWARN counts as a failure under --loginspec-strict", pytrace=False)
        warnings.warn(LoginspecWarning(description))
        return
    pytest.fail(description, pytrace=False)


# ---- Scenario items for --loginspec-client ----


def _family_marker(scenario_id: str) -> str:
    family = scenario_id.split("/", 1)[0]
    return "loginspec_" + re.sub(r"\W", "_", family)


def _check_client_exists(client: str) -> None:
    """Raise LoginspecError once, at collection, when the client has no profile."""
    if client == "reference":
        return
    profiles = SOURCE_ROOT / "fixtures" / "clients"
    path = Path(client) if "/" in client or client.endswith(".json") else profiles / f"{client}.json"
    if path.is_file():
        return
    known = ", ".join(["reference"] + sorted(p.stem for p in profiles.glob("*.json")))
    raise LoginspecError(f"unknown client {client!r}: no profile {path}; known clients: {known}")


class LoginspecSuite(pytest.Collector):
    """The pseudo-module that contains one item per scenario, as `loginspec list` reports them."""

    def collect(self) -> Iterator[pytest.Item]:
        state = _state(self.config)
        _check_client_exists(state.client)
        scenarios = state.harness().list_scenarios()
        for scenario in scenarios:
            marker = _family_marker(scenario["id"])
            self.config.addinivalue_line("markers", f"{marker}: loginspec scenarios whose id starts with the same family")
            item = LoginspecItem.from_parent(self, name=scenario["id"], scenario=scenario)
            item.add_marker(marker)
            yield item

    def repr_failure(self, excinfo: pytest.ExceptionInfo[BaseException]) -> Any:
        if isinstance(excinfo.value, LoginspecError):
            return f"cannot collect the loginspec scenarios: {excinfo.value}"
        return super().repr_failure(excinfo)


class LoginspecItem(pytest.Item):
    """One scenario run against the client named by --loginspec-client."""

    def __init__(self, *, scenario: dict[str, Any], **kwargs: Any):
        super().__init__(**kwargs)
        self.scenario = scenario

    def runtest(self) -> None:
        state = _state(self.config)
        if self.name not in state.results:
            # One loginspec run for every scenario item of this session that has no result yet.
            pending = [
                item.name
                for item in self.session.items
                if isinstance(item, LoginspecItem) and item.name not in state.results
            ]
            if self.name not in pending:
                pending.insert(0, self.name)
            state.results.update(state.harness().run(state.client, pending))
        apply_verdict(state.results[self.name], state.strict)

    def repr_failure(self, excinfo: pytest.ExceptionInfo[BaseException], style: Any = None) -> Any:
        if isinstance(excinfo.value, LoginspecError):
            return str(excinfo.value)
        return super().repr_failure(excinfo, style=style)

    def reportinfo(self) -> tuple[Any, int | None, str]:
        return self.path, None, f"loginspec scenario {self.name}: {self.scenario.get('title', '')}"


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(session: pytest.Session, config: pytest.Config, items: list[pytest.Item]) -> None:
    # tryfirst: the scenario items must be in the list before -k and -m deselect.
    if not _state(config).client:
        return
    suite = LoginspecSuite.from_parent(session, name="loginspec", nodeid="loginspec")
    items.extend(session.genitems(suite))


# ---- The loginspec_scenario fixture for Python clients ----


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if FIXTURE_NAME not in metafunc.fixturenames:
        return
    marker = metafunc.definition.get_closest_marker("loginspec")
    if marker is None or not marker.args:
        pytest.fail(
            f"{metafunc.definition.nodeid} uses the {FIXTURE_NAME} fixture but has no "
            '@pytest.mark.loginspec("<scenario id>", ...) naming the scenarios to serve',
            pytrace=False,
        )
    ids = list(marker.args)
    for scenario_id in ids:
        if not isinstance(scenario_id, str) or not scenario_id:
            pytest.fail(
                f"{metafunc.definition.nodeid}: @pytest.mark.loginspec takes scenario ids as strings, got {scenario_id!r}",
                pytrace=False,
            )
    metafunc.parametrize(FIXTURE_NAME, ids, indirect=True, ids=ids)


@pytest.fixture
def loginspec_scenario(request: pytest.FixtureRequest) -> Iterator[ServedScenario]:
    """Start `loginspec serve` for the scenario id the test is parametrised with, and yield it.

    The yielded ServedScenario has the registry address, credentials and CA file to log in
    with, and report() to send loginspec what the client reported. Teardown stops and reaps
    the serve process.
    """
    state = _state(request.config)
    try:
        served = state.harness().serve(request.param)
    except LoginspecError as error:
        pytest.fail(str(error), pytrace=False)
    try:
        yield served
    finally:
        served.close()


@pytest.hookimpl(trylast=True)
def pytest_runtest_call(item: pytest.Item) -> None:
    # trylast: runs after the test function returned without an exception, so a bad
    # verdict fails the call phase (and pytest.mark.xfail applies to it).
    served = getattr(item, "funcargs", {}).get(FIXTURE_NAME)
    if not isinstance(served, ServedScenario) or not served.reported:
        return
    apply_verdict(served.verdict(), _state(item.config).strict)
