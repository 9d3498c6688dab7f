"""A hardware label is earned: a cache entry is served as hardware only with a trusted maintainer's signature."""

from __future__ import annotations

import json
import subprocess

import pytest

from helpers.cache import provenance, signatures
from helpers.cache.store import CorruptCacheEntry, ResultsCache, cache_key
from helpers.errors import SettingError
from helpers.execution import refresh_results
from helpers.jobs import Job, JobRecord

CONFIG = {"SOFTWARE_VERSION": "stable"}
QUEUE_JOB = {"id": "1000", "status": "finished", "hardware_platform": "BrainScaleS-2", "collab": "my-collab"}


def hardware_job(folder):
    """A job folder as the queue path leaves it after a run on the chip."""
    folder.mkdir()
    (folder / "out.txt").write_text("membrane trace")
    script = folder.parent / "x_experiment.py"
    script.write_bytes(b"code")
    extra = {"hardware_provenance": {"platform": "BrainScaleS-2"}, "queue_job": QUEUE_JOB}
    record = JobRecord("1000", "nmpi", "stable", "t0", "t1", "log", ["out.txt"], extra)
    provenance.write(folder, provenance.build(Job(script, CONFIG), record, folder))
    return folder


def key_pair(folder, who):
    key = folder / f"{who}_key"
    subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", who, "-f", str(key)], check=True)
    return key, f'{who}@example.org namespaces="{signatures.NAMESPACE}" {(folder / f"{who}_key.pub").read_text()}'


@pytest.fixture
def keys(tmp_path):
    maintainer, maintainer_line = key_pair(tmp_path, "maintainer")
    stranger, _ = key_pair(tmp_path, "stranger")
    allowed = tmp_path / "allowed_signers"
    allowed.write_text(maintainer_line)
    return maintainer, stranger, allowed


@pytest.fixture
def cache(tmp_path, keys):
    return ResultsCache(tmp_path / "results", allowed_signers=keys[2])


def lookup(cache):
    return cache.lookup("x_experiment.py", b"code", CONFIG)


def test_a_signed_hardware_entry_is_shown_as_hardware_with_its_signer(tmp_path, keys, cache):
    cache.store("x_experiment.py", b"code", CONFIG, hardware_job(tmp_path / "job"), signing_key=keys[0])
    label = provenance.label(lookup(cache).provenance)
    assert not label.emulated and label.headline == "BrainScaleS-2 hardware"
    assert ("Signed by", "maintainer@example.org") in label.rows


def test_a_forged_hardware_entry_is_never_shown_as_hardware(tmp_path, cache):
    """The pull request writes a self-consistent record, hashes included, but holds no maintainer's key."""
    job = hardware_job(tmp_path / "job")
    entry = cache._path("x_experiment.py", cache_key(b"code", CONFIG))
    (entry / "files").mkdir(parents=True)
    (entry / "files" / "out.txt").write_text("membrane trace")
    record = {**provenance.load(job), "signed_by": "maintainer@example.org"}
    provenance.write(entry, record)
    with pytest.raises(CorruptCacheEntry, match=r"not shown as a hardware result: .*carries no signature.*delete"):
        lookup(cache)


def test_a_signature_by_a_key_not_trusted_is_refused(tmp_path, keys, cache):
    ResultsCache(cache.root, allowed_signers=keys[2]).store(
        "x_experiment.py", b"code", CONFIG, hardware_job(tmp_path / "job"), signing_key=keys[1]
    )
    with pytest.raises(CorruptCacheEntry, match="not made by a key in allowed_signers"):
        lookup(cache)


def test_a_record_changed_after_signing_is_refused(tmp_path, keys, cache):
    entry = cache.store("x_experiment.py", b"code", CONFIG, hardware_job(tmp_path / "job"), signing_key=keys[0])
    record = json.loads((entry.path / provenance.PROVENANCE_FILE).read_text())
    record["completed_at"] = "2030-01-01"
    provenance.write(entry.path, record)
    with pytest.raises(CorruptCacheEntry, match=r"changed after maintainer@example\.org signed it"):
        lookup(cache)


def test_an_emulated_entry_needs_no_signature_and_claims_no_signer(tmp_path, cache):
    job = tmp_path / "job"
    job.mkdir()
    (job / "out.txt").write_text("trace")
    (tmp_path / "x_experiment.py").write_bytes(b"code")
    record = JobRecord("emu-0000000001", "emulator", "stable", "t0", "t1", "", ["out.txt"])
    provenance.write(
        job, {**provenance.build(Job(tmp_path / "x_experiment.py", CONFIG), record, job), "signed_by": "x"}
    )
    cache.store("x_experiment.py", b"code", CONFIG, job)
    label = provenance.label(lookup(cache).provenance)
    assert label.emulated and not [row for row in label.rows if row[0] == "Signed by"]


def test_a_hardware_result_is_not_stored_unsigned(tmp_path, cache):
    with pytest.raises(signatures.SignatureError, match="set BSS2_SIGNING_KEY"):
        cache.store("x_experiment.py", b"code", CONFIG, hardware_job(tmp_path / "job"))
    assert not list(cache.root.glob("x_experiment-*"))


def test_a_hardware_refresh_without_a_signing_key_submits_nothing(fake_ebrains, monkeypatch, tmp_path):
    monkeypatch.setenv("EBRAINS_COLLAB", "my-collab")
    with pytest.raises(SettingError, match=r"set BSS2_SIGNING_KEY.*Nothing was submitted"):
        refresh_results("nmpi", ResultsCache(tmp_path / "results"))
    assert fake_ebrains.submissions() == 0
