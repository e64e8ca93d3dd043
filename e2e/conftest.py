"""Fixtures the e2e tests share. The class hub is one per test session: e2e/test_board.py and
e2e/test_classroom.py use the same install and the same class (see e2e/classhub.py)."""
import pytest
from classhub import class_hub, run_class, skip_reason


@pytest.fixture(scope="session")
def hub():
    """The class hub (a classhub.Hub), installed and started once."""
    reason = skip_reason()
    if reason:
        pytest.skip(reason)
    with class_hub() as h:
        yield h


@pytest.fixture(scope="session")
def class_run(hub):
    """The three students' whole lessons, run at once in Chromium on the class hub."""
    return run_class(hub)
