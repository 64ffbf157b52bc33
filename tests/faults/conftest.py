"""The fault suite (`make faults`): every test here carries the `faults` marker, which the normal run leaves out
(pyproject addopts), because these tests run for minutes and start their own servers."""

import pytest


def pytest_collection_modifyitems(config, items):
    for item in items:
        if "tests/faults/" in str(item.fspath).replace("\\", "/"):
            item.add_marker(pytest.mark.faults)
