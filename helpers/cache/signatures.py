"""Signed hardware results: a cache entry counts as hardware only when a maintainer's key says so.

Hashes cannot prove where a result came from: whoever writes a record writes
its hashes too. So ``make results BSS2_BACKEND=nmpi`` signs each hardware
entry's ``provenance.json`` (which holds the hash of every file) with an SSH
key (``ssh-keygen -Y sign``), and the repository commits the keys it trusts in
``allowed_signers``. Replaying a hardware entry verifies the signature offline;
an entry whose hardware claim is unsigned, signed by a key not listed, or
changed since it was signed is refused with a message that names it.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

from ..errors import BSS2Error
from ..paths import REPOSITORY
from .provenance import PROVENANCE_FILE

ALLOWED_SIGNERS = REPOSITORY / "allowed_signers"
NAMESPACE = "bss2-results"
SIGNATURE_FILE = PROVENANCE_FILE + ".sig"


class SignatureError(BSS2Error, RuntimeError):
    """A hardware claim that could not be signed or verified."""


def _ssh_keygen() -> str:
    found = shutil.which("ssh-keygen")
    if not found:
        raise SignatureError(
            "Hardware results are signed and verified with ssh-keygen, which is not installed: install OpenSSH's "
            "client (Debian: apt-get install openssh-client)."
        )
    return found


def _run(*args: str, stdin: bytes | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([_ssh_keygen(), *args], input=stdin, capture_output=True, check=False, timeout=60)


def sign(entry: Path, key: Path) -> None:
    """Sign ``entry``'s provenance record with the SSH private key ``key`` (or its public key, with the agent)."""
    if not key.is_file():
        raise SignatureError(f"BSS2_SIGNING_KEY={key} is not a file: name your SSH key, e.g. ~/.ssh/id_ed25519.")
    signature = entry / SIGNATURE_FILE
    signature.unlink(missing_ok=True)
    done = _run("-Y", "sign", "-f", str(key), "-n", NAMESPACE, str(entry / PROVENANCE_FILE))
    if done.returncode != 0 or not signature.is_file():
        raise SignatureError(f"ssh-keygen could not sign {entry.name} with {key}: {done.stderr.decode().strip()}")


def signer(entry: Path, allowed_signers: Path = ALLOWED_SIGNERS) -> str:
    """Who signed ``entry``, as ``allowed_signers`` names them; ``SignatureError`` saying why not otherwise."""
    signature = entry / SIGNATURE_FILE
    how = (
        f"A maintainer whose key is in {allowed_signers.name} re-records it (BSS2_SIGNING_KEY=<key> make results "
        f"BSS2_BACKEND=nmpi), or delete {entry}"
    )
    if not signature.is_file():
        raise SignatureError(f"it claims to be a hardware result, but carries no signature ({SIGNATURE_FILE}). {how}")
    if not allowed_signers.is_file():
        raise SignatureError(f"it is signed, but {allowed_signers} is missing, so no key is trusted. {how}")
    found = _run("-Y", "find-principals", "-s", str(signature), "-f", str(allowed_signers))
    principals = found.stdout.decode().split()
    if found.returncode != 0 or not principals:
        raise SignatureError(f"its signature is not made by a key in {allowed_signers.name}. {how}")
    record = (entry / PROVENANCE_FILE).read_bytes()
    for principal in principals:
        checked = _run("-Y", "verify", "-f", str(allowed_signers), "-I", principal, "-n", NAMESPACE,
                       "-s", str(signature), stdin=record)  # fmt: skip
        if checked.returncode == 0:
            return principal
    raise SignatureError(f"its provenance record was changed after {principals[0]} signed it. {how}")
