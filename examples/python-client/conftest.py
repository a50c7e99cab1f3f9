"""Loads the loginspec pytest plugin for the example tests (PYTHONPATH must include harness/python)."""

pytest_plugins = ["loginspec_pytest.plugin"]
