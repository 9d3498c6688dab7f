"""No file that arrives from outside runs code: committed results are never unpickled, downloads only as neo data.

Each hostile file below would write a marker file when unpickled; the marker must stay absent.
"""

from __future__ import annotations

import json
import pickle
import shutil

import numpy as np
import pytest

from helpers import safe_pickle
from helpers.cache import neo_arrays, provenance
from helpers.cache.store import CorruptCacheEntry, ResultsCache
from helpers.execution import execute_on_hardware
from helpers.experiments import experiment_scripts
from helpers.kernel import software_version
from helpers.paths import RESULTS
from helpers.plotting import ResultFileError, plot_membrane_dynamics

SCRIPT = "first_experiment.py"


class Payload:
    """Unpickling this runs ``exec``: it writes the marker file."""

    def __init__(self, marker) -> None:
        self.marker = str(marker)

    def __reduce__(self):
        return exec, (f"open({self.marker!r}, 'w').write('code ran')",)


@pytest.fixture
def marker(tmp_path):
    return tmp_path / "code-ran"


@pytest.fixture
def cache(tmp_path):
    """A copy of the committed results, as a pull request would bring them."""
    shutil.copytree(RESULTS, tmp_path / "results")
    return ResultsCache(tmp_path / "results")


def _entry(cache: ResultsCache):
    text = experiment_scripts()[SCRIPT].encode()
    return cache.lookup(SCRIPT, text, {"SOFTWARE_VERSION": software_version()})


def _rehash(entry) -> None:
    """Make the entry's record list its files with matching hashes, as a forger would."""
    record = provenance.load(entry.path)
    files = sorted(p for p in entry.files_dir.rglob("*") if p.is_file())
    record["files"] = {str(p.relative_to(entry.files_dir)): provenance.sha256(p.read_bytes()) for p in files}
    provenance.write(entry.path, record)


def _replay(cache: ResultsCache, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / SCRIPT).write_text(experiment_scripts()[SCRIPT])
    monkeypatch.setattr("helpers.backends.replay.ResultsCache", lambda: cache)
    return execute_on_hardware(SCRIPT, backend="replay", destination=tmp_path / "out")


def test_the_committed_results_hold_no_pickle():
    for file in RESULTS.rglob("*"):
        if file.is_file():
            assert file.read_bytes()[:1] != b"\x80", f"{file} is a pickle"


def test_the_committed_results_replay_as_the_dat_file_the_tutorial_reads(cache, tmp_path, monkeypatch):
    job_id = _replay(cache, tmp_path, monkeypatch)
    block = safe_pickle.read_block(tmp_path / "out" / f"job_{job_id}" / "first_experiment.dat")
    assert len(block.segments[0].irregularlysampledsignals[0]) > 1000


def test_a_pickle_in_a_results_pull_request_never_runs(cache, marker, tmp_path, monkeypatch):
    entry = _entry(cache)
    shutil.rmtree(entry.files_dir / "first_experiment.dat.neo")
    (entry.files_dir / "first_experiment.dat").write_bytes(pickle.dumps(Payload(marker)))
    _rehash(entry)
    with pytest.raises(CorruptCacheEntry, match=r"first_experiment\.dat is a pickle.*never holds one"):
        _replay(cache, tmp_path, monkeypatch)
    assert not marker.exists()


def test_an_array_that_hides_a_pickle_never_runs(cache, marker, tmp_path, monkeypatch):
    entry = _entry(cache)
    array = next((entry.files_dir / "first_experiment.dat.neo").glob("*.npy"))
    np.save(array, np.array([Payload(marker)], dtype=object), allow_pickle=True)
    _rehash(entry)
    with pytest.raises(CorruptCacheEntry, match="cannot be read"):
        _replay(cache, tmp_path, monkeypatch)
    assert not marker.exists()


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (lambda b: b["segments"][0]["irregularlysampledsignals"][0].update(values="../../x.npy"), "names the array"),
        (lambda b: b["segments"][0]["irregularlysampledsignals"][0].update(units="__import__('os')"), "not a unit"),
        (lambda b: b["segments"][0]["irregularlysampledsignals"][0].update(type="Popen"), "type 'Popen'"),
    ],
    ids=["path", "units", "type"],
)
def test_an_index_that_names_anything_else_is_refused(cache, tmp_path, monkeypatch, edit, message):
    entry = _entry(cache)
    index_file = entry.files_dir / "first_experiment.dat.neo" / neo_arrays.INDEX
    index = json.loads(index_file.read_text())
    edit(index["block"])
    index_file.write_text(json.dumps(index))
    _rehash(entry)
    with pytest.raises(CorruptCacheEntry, match=message):
        _replay(cache, tmp_path, monkeypatch)


def test_a_downloaded_result_file_loads_only_neo_data(marker, tmp_path):
    hostile = tmp_path / "job_1000" / "first_experiment.dat"
    hostile.parent.mkdir()
    hostile.write_bytes(pickle.dumps(Payload(marker)))
    with pytest.raises(ResultFileError, match=r"builtins\.exec, which is not part of neo's data.*nothing in it ran"):
        plot_membrane_dynamics(hostile)
    assert not marker.exists()


def test_a_downloaded_pickle_is_never_stored_in_the_cache(marker, tmp_path):
    job_dir = tmp_path / "job_1000"
    job_dir.mkdir()
    (job_dir / "first_experiment.dat").write_bytes(pickle.dumps(Payload(marker)))
    record = {"job_id": "1000", "backend": "nmpi", "files": {"first_experiment.dat": "0" * 64}}
    provenance.write(job_dir, record)
    with pytest.raises(CorruptCacheEntry, match="was not stored"):
        ResultsCache(tmp_path / "results").store(SCRIPT, b"code", {}, job_dir)
    assert not marker.exists() and not list((tmp_path / "results").iterdir())
