"""Benchmark: what the nmpi path adds on top of the queue's own job time, and concurrent against sequential refresh.

Reference for the overhead: the fake EBRAINS's own time for each job, from
submission to its final status (it runs the job on the emulator). Reference
for the refresh: the same four experiments submitted one after another.

    .venv/bin/python benchmarks/queue_overhead.py
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import time
from contextlib import redirect_stderr, redirect_stdout
from io import StringIO
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from helpers.cache.store import ResultsCache  # noqa: E402
from helpers.execution import execute_on_hardware, refresh_results, run  # noqa: E402
from helpers.experiments import experiment_scripts  # noqa: E402
from helpers.jobs import Job  # noqa: E402
from tests.support.fake_ebrains import FakeEbrains  # noqa: E402

JOBS = 8
TARGET = 0.2  # seconds of overhead per job


def main() -> None:
    fake = FakeEbrains()
    url = fake.start()
    home = tempfile.mkdtemp(prefix="bss2-bench-home-")
    os.environ.update(HOME=home, EBRAINS_TOKEN=fake.token, EBRAINS_JOB_SERVICE=url,
                      EBRAINS_USERINFO_URL=f"{url}/userinfo", EBRAINS_COLLAB="my-collab")  # fmt: skip
    work = Path(tempfile.mkdtemp(prefix="bss2-bench-"))
    # A refresh from the queue signs its entries: a throwaway maintainer's key, as in the tests.
    subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", str(work / "key")], check=True)
    os.environ["BSS2_SIGNING_KEY"] = str(work / "key")
    scripts = experiment_scripts()
    for name, text in scripts.items():
        (work / name).write_text(text)
    quiet = StringIO()

    overheads = []
    with redirect_stdout(quiet), redirect_stderr(quiet):
        execute_on_hardware(str(work / "first_experiment.py"), backend="nmpi", destination=work / "out")  # warm-up
        for _ in range(JOBS):
            start = time.monotonic()
            job_id = execute_on_hardware(str(work / "second_experiment.py"), backend="nmpi", destination=work / "out")
            overheads.append(time.monotonic() - start - fake.durations[int(job_id)])
    print(f"nmpi path overhead per job over the queue's own job time ({JOBS} jobs, fake EBRAINS on loopback):")
    median = statistics.median(overheads)
    print(f"  median {median:.3f} s, max {max(overheads):.3f} s; {median / TARGET:.2f} of the {TARGET} s target")

    with redirect_stdout(quiet), redirect_stderr(quiet):
        start = time.monotonic()
        for name in scripts:
            run("nmpi", Job(work / name, {"SOFTWARE_VERSION": "stable"}), work / "sequential")
        sequential = time.monotonic() - start
        start = time.monotonic()
        refresh_results("nmpi", cache=ResultsCache(work / "cache"))
        concurrent = time.monotonic() - start
    print(f"Refreshing the {len(scripts)} experiments of the tutorials:")
    print(f"  sequential (reference) {sequential:.2f} s, concurrent {concurrent:.2f} s, "
          f"speed-up {sequential / concurrent:.2f}x")  # fmt: skip
    fake.stop()


if __name__ == "__main__":
    main()
