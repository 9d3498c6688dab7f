"""The results cache: keys, replay, clear errors for edited scripts and corrupt entries, atomic writes."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
import threading

import pytest

from helpers.cache import provenance
from helpers.cache import store as results_cache
from helpers.cache.store import CorruptCacheEntry, NotCached, ResultsCache, cache_key
from helpers.jobs import Job, JobRecord

CONFIG = {"SOFTWARE_VERSION": "stable"}


def finished_job(folder, files=("out.dat",)):
    """A job folder as a backend leaves it: output files and their provenance record."""
    folder.mkdir()
    for name in files:
        (folder / name).write_bytes(b"data" if name == "out.dat" else b"more")
    script = folder.parent / "x_experiment.py"
    script.write_bytes(b"code")
    record = JobRecord("emu-0000000001", "emulator", "stable", "t0", "t1", "line 1\nline 2\n", list(files))
    provenance.write(folder, provenance.build(Job(script, CONFIG), record, folder))
    return folder


@pytest.fixture
def job_dir(tmp_path):
    return finished_job(tmp_path / "job")


def test_key_depends_on_script_and_config_not_trailing_whitespace():
    assert cache_key(b"print(1)\n", CONFIG) == cache_key(b"print(1)", CONFIG)
    assert cache_key(b"print(1)", CONFIG) != cache_key(b"print(2)", CONFIG)
    assert cache_key(b"print(1)", CONFIG) != cache_key(b"print(1)", {"SOFTWARE_VERSION": "experimental"})


def test_store_and_lookup_with_provenance(tmp_path, job_dir):
    cache = ResultsCache(tmp_path / "cache")
    cache.store("x_experiment.py", b"code", CONFIG, job_dir)
    entry = cache.lookup("x_experiment.py", b"code", CONFIG)
    assert (entry.files_dir / "out.dat").read_bytes() == b"data"
    p = entry.provenance
    assert p["backend"] == "emulator" and p["emulated"] is True and p["job_id"] == "emu-0000000001"
    assert p["platform"] == "BrainScaleS-2" and p["software_version"] == "stable"
    assert p["log_excerpt"] == "line 1\nline 2"
    assert {"neo", "PyNN", "emulator"} <= set(p["versions"])


def test_edited_script_names_script_and_refresh_command(tmp_path, job_dir):
    cache = ResultsCache(tmp_path / "cache")
    cache.store("x_experiment.py", b"code", CONFIG, job_dir)
    with pytest.raises(NotCached, match=r"x_experiment\.py.*\n.*make results"):
        cache.lookup("x_experiment.py", b"edited code", CONFIG)


def test_corrupt_entry_is_reported_not_a_neo_traceback(tmp_path, job_dir):
    cache = ResultsCache(tmp_path / "cache")
    entry = cache.store("x_experiment.py", b"code", CONFIG, job_dir)
    (entry.files_dir / "out.dat").write_bytes(b"dat")
    with pytest.raises(CorruptCacheEntry, match=r"out\.dat is missing or changed"):
        cache.lookup("x_experiment.py", b"code", CONFIG)
    (entry.path / "provenance.json").write_text("{not json")
    with pytest.raises(CorruptCacheEntry, match="unreadable"):
        cache.lookup("x_experiment.py", b"code", CONFIG)


def test_interrupted_write_leaves_no_entry(tmp_path, job_dir, monkeypatch):
    cache = ResultsCache(tmp_path / "cache")
    two_files = finished_job(tmp_path / "job2", files=("out.dat", "second.dat"))
    copies = []

    def copy_then_crash(src, dst):
        copies.append(src)
        if len(copies) == 2:
            raise KeyboardInterrupt("interrupted mid-write")
        return real(src, dst)

    real = shutil.copyfile
    monkeypatch.setattr(results_cache.shutil, "copyfile", copy_then_crash)
    with pytest.raises(KeyboardInterrupt):
        cache.store("x_experiment.py", b"code", CONFIG, two_files)
    assert list((tmp_path / "cache").iterdir()) == []  # no entry, no staging folder
    with pytest.raises(NotCached):
        cache.lookup("x_experiment.py", b"code", CONFIG)


def test_interrupted_rewrite_keeps_the_old_entry(tmp_path, job_dir, monkeypatch):
    cache = ResultsCache(tmp_path / "cache")
    cache.store("x_experiment.py", b"code", CONFIG, job_dir)

    def crash(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(results_cache.shutil, "copyfile", crash)
    with pytest.raises(OSError, match="disk full"):
        cache.store("x_experiment.py", b"code", CONFIG, job_dir)
    assert cache.lookup("x_experiment.py", b"code", CONFIG).provenance["job_id"] == "emu-0000000001"
    assert [p.name for p in (tmp_path / "cache").iterdir()] == [f"x_experiment-{cache_key(b'code', CONFIG)}"]


def test_prune_removes_older_versions_of_a_script(tmp_path, job_dir):
    cache = ResultsCache(tmp_path / "cache")
    cache.store("x_experiment.py", b"old", CONFIG, job_dir)
    new = cache.store("x_experiment.py", b"new", CONFIG, job_dir)
    cache.prune("x_experiment.py", keep=new.path)
    assert [p.name for p in (tmp_path / "cache").iterdir()] == [new.path.name]


def test_committed_cache_matches_the_notebook():
    """Every %%file cell of the tutorial has a verified entry, so the offline build can replay it."""
    from helpers.experiments import experiment_scripts
    from helpers.kernel import software_version

    for name, text in experiment_scripts().items():
        entry = ResultsCache().lookup(name, text.encode(), {"SOFTWARE_VERSION": software_version()})
        assert entry.provenance["script"] == name


# -- A committed entry arrives in pull requests: every tampered one is refused with a clear message. -------


def tamper(entry, **changes) -> None:
    record = json.loads((entry.path / "provenance.json").read_text())
    (entry.path / "provenance.json").write_text(json.dumps({**record, **changes}))


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"job_id": "../../victim"}, "neither a queue nor an emulator id"),
        ({"emulated": False}, "says 'emulated': false, but it ran on the 'emulator' backend"),
        ({"emulated": False, "backend": "nmpi", "job_id": "42"}, "no job record of the queue"),
        ({"files": ["out.dat"]}, "must map every output file"),
        ({"files": {"../out.dat": "0" * 64}}, "lists '../out.dat'"),
        ({"files": {}}, "holds out.dat, which its provenance record does not list"),
    ],
    ids=["job-id-traversal", "flipped-label", "no-queue-record", "files-a-list", "file-escape", "unlisted"],
)
def test_a_tampered_entry_is_refused(tmp_path, job_dir, changes, message):
    cache = ResultsCache(tmp_path / "cache")
    entry = cache.store("x_experiment.py", b"code", CONFIG, job_dir)
    tamper(entry, **changes)
    with pytest.raises(CorruptCacheEntry, match=re.escape(message)):
        cache.lookup("x_experiment.py", b"code", CONFIG)


def test_replay_of_a_traversing_job_id_touches_nothing_outside(tmp_path, job_dir, monkeypatch):
    from helpers.backends import replay
    from helpers.execution import _publish

    victim = tmp_path / "victim"
    (victim / "keep.txt").parent.mkdir()
    (victim / "keep.txt").write_text("precious")
    cache = ResultsCache(tmp_path / "cache")
    entry = cache.store("x_experiment.py", b"code", CONFIG, job_dir)
    tamper(entry, job_id="../victim")
    script = tmp_path / "x_experiment.py"
    with pytest.raises(CorruptCacheEntry):
        _publish(tmp_path / "out", lambda staging: replay.run(Job(script, CONFIG), staging, cache))
    assert (victim / "keep.txt").read_text() == "precious"
    assert list((tmp_path / "out").iterdir()) == []


def test_a_swapped_file_is_refused(tmp_path, job_dir):
    cache = ResultsCache(tmp_path / "cache")
    first = cache.store("x_experiment.py", b"code", CONFIG, job_dir)
    other = finished_job(tmp_path / "other")
    (other / "out.dat").write_bytes(b"other data")
    provenance.write(other, {**provenance.load(other), "files": {"out.dat": provenance.sha256(b"other data")}})
    second = cache.store("y_experiment.py", b"code", CONFIG, other)
    shutil.copyfile(second.files_dir / "out.dat", first.files_dir / "out.dat")
    with pytest.raises(CorruptCacheEntry, match=r"out\.dat is missing or changed"):
        cache.lookup("x_experiment.py", b"code", CONFIG)


def test_concurrent_replays_into_one_folder_all_succeed_and_leave_nothing_behind(tmp_path, job_dir):
    from helpers.backends import replay
    from helpers.execution import _publish

    cache = ResultsCache(tmp_path / "cache")
    cache.store("x_experiment.py", b"code", CONFIG, job_dir)
    script = tmp_path / "x_experiment.py"
    out = tmp_path / "out"
    errors = []

    def replay_once() -> None:
        try:
            _publish(out, lambda staging: replay.run(Job(script, CONFIG), staging, cache))
        except Exception as error:
            errors.append(error)

    for _ in range(20):
        threads = [threading.Thread(target=replay_once) for _ in range(16)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    assert errors == []
    assert sorted(p.name for p in out.iterdir()) == ["job_emu-0000000001"]
    assert (out / "job_emu-0000000001" / "out.dat").read_bytes() == b"data"


def test_what_a_killed_process_staged_is_swept(tmp_path):
    from helpers.cache import atomic

    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    stale = tmp_path / f".staging-{dead.stdout.strip()}-abc"
    (stale / "half").mkdir(parents=True)
    mine = tmp_path / f"{atomic.staging_name()}keep"
    mine.mkdir()
    with atomic.staging_area(tmp_path):
        pass
    assert not stale.exists() and mine.exists()
