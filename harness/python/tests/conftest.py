"""Test configuration for the loginspec pytest plugin's own tests: pytester runs pytest inside pytest."""

pytest_plugins = ["pytester"]
