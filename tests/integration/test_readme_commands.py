"""The README's terminal commands, extracted from the README and run verbatim, as a new user pastes them."""

from __future__ import annotations

import os
import re
import subprocess

import pytest

from helpers.paths import REPOSITORY


def runnable_blocks() -> list[str]:
    """The README's bash blocks that use the helpers and need no account: no ``...`` placeholder, no job id."""
    blocks = re.findall(r"```bash\n(.*?)```", (REPOSITORY / "README.md").read_text(), flags=re.S)
    return [b for b in blocks if "-m helpers" in b and "..." not in b and "fetch 1234" not in b]


def test_the_readme_has_the_terminal_and_fake_ebrains_blocks():
    blocks = runnable_blocks()
    assert len(blocks) == 2 and "--backend emulator" in blocks[0] and "fake_ebrains" in blocks[1]


@pytest.mark.parametrize("block", runnable_blocks(), ids=["emulator", "fake-ebrains"])
def test_a_readme_block_runs_as_pasted(tmp_path, block):
    for name in (".venv", "bss2_emulator", "helpers", "tests"):  # a checkout, seen from a fresh working directory
        (tmp_path / name).symlink_to(REPOSITORY / name)
    process = subprocess.run(
        ["bash", "-e", "-c", block], cwd=tmp_path, capture_output=True, text=True, timeout=180, env=dict(os.environ)
    )
    assert process.returncode == 0, process.stdout + process.stderr
    job = re.search(r"job id: (\S+)", process.stdout).group(1)
    (result,) = tmp_path.glob(f"*/job_{job}/first_experiment.dat")
    assert result.is_file()
    if "fake_ebrains" in block:
        assert "stopping" in process.stdout  # and the fake is gone: the port is free again
        again = subprocess.run(["bash", "-e", "-c", block], cwd=tmp_path, capture_output=True, text=True, timeout=180)
        assert again.returncode == 0, again.stderr
