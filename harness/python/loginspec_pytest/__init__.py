"""pytest driver for loginspec: scenario suites for command-line clients and a fixture for Python clients.

Load it with ``-p loginspec_pytest.plugin`` or install the package, which registers the
plugin through the ``pytest11`` entry point.
"""

from loginspec_pytest.harness import LoginspecControlError, LoginspecError, LoginspecWarning, ServedScenario

__all__ = ["LoginspecControlError", "LoginspecError", "LoginspecWarning", "ServedScenario"]
