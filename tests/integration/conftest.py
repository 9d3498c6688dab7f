"""The integration tests' shared fixture: a student's working directory for the queue path."""

from __future__ import annotations

import pytest

from tests.conftest import experiment
from tests.support.queue_runs import SCRIPT


@pytest.fixture
def lab(fake_ebrains, tmp_path, monkeypatch):
    """A working directory with the first experiment and the collab set."""
    monkeypatch.setenv("EBRAINS_COLLAB", "my-collab")
    monkeypatch.chdir(tmp_path)
    (tmp_path / SCRIPT).write_text(experiment("first_experiment"))
    return tmp_path
