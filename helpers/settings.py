"""Every environment variable the project reads, in one typed table with its default and help text.

Modelled on MyST-NB's ``NbParserConfig``: one dataclass field per setting, whose
metadata names its environment variable and says what it does. ``current()``
reads the environment each time it is called, so a value set in a notebook
cell or a test takes effect at once. A value that cannot be used is a
``SettingError`` that names the variable, the value and what it accepts.

``python -m helpers settings`` prints the table; the README's copy is checked
against it by a test.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass, field, fields
from pathlib import Path

from .errors import SettingError

BACKENDS = ("auto", "replay", "emulator", "nmpi")
SOFTWARE_VERSIONS = ("stable", "experimental")
PRODUCTION_JOB_SERVICE = "https://nmpi-v3.hbpneuromorphic.eu"
PRODUCTION_USERINFO_URL = "https://iam.ebrains.eu/auth/realms/hbp/protocol/openid-connect/userinfo"


def _choice(*allowed: str) -> Callable[[str], str]:
    def parse(raw: str) -> str:
        if raw.lower() not in allowed:
            raise ValueError(f"must be one of {', '.join(allowed)}")
        return raw.lower()

    return parse


def _seconds(raw: str) -> float:
    try:
        value = float(raw)
    except ValueError:
        raise ValueError("must be a number of seconds, such as 600") from None
    if not value > 0 or value == float("inf"):
        raise ValueError("must be a positive, finite number of seconds")
    return value


def _switch(raw: str) -> bool:
    if raw.lower() in ("1", "true", "yes", "on"):
        return True
    if raw.lower() in ("0", "false", "no", "off"):
        return False
    raise ValueError("must be 1 (on) or 0 (off)")


def _seed(raw: str) -> int:
    try:
        value = int(raw)
    except ValueError:
        raise ValueError("must be a whole number, such as 2326") from None
    if not 0 <= value < 2**32:
        raise ValueError("must be a whole number from 0 to 4294967295")
    return value


def _url(raw: str) -> str:
    if not raw.startswith(("http://", "https://")):
        raise ValueError("must be an http:// or https:// URL")
    return raw.rstrip("/")


def _text(raw: str) -> str:
    return raw


def _setting(env: str, default: object, help: str, parse: Callable[[str], object] = _text, **extra) -> object:
    """A dataclass field for the environment variable ``env``."""
    return field(default=default, metadata={"env": env, "help": help, "parse": parse, **extra})


@dataclass(frozen=True)
class Settings:
    """The project's settings, as read from the environment."""

    backend: str = _setting(
        "BSS2_BACKEND",
        "auto",
        "Where jobs run: `auto`, `replay` (results cache only), `emulator`, or `nmpi` (the EBRAINS queue). "
        "`auto`: the chip through the queue when a token is available (in the Lab, always), else the emulator.",
        _choice(*BACKENDS),
    )
    output_dir: Path | None = _setting(
        "BSS2_OUTPUT_DIR",
        None,
        "Where `job_<id>/` folders go.",
        Path,
        default_text="in the Lab the home directory, elsewhere `jobs/` in the working directory",
    )
    software_version: str | None = _setting(
        "BSS2_SOFTWARE_VERSION",
        None,
        "BrainScaleS-2 software to request, `stable` or `experimental`.",
        _choice(*SOFTWARE_VERSIONS),
        default_text="from the Lab kernel's name, else `stable`",
    )
    job_timeout: float = _setting(
        "BSS2_JOB_TIMEOUT", 3600.0, "Longest wait for a queue job, in seconds.", _seconds, default_text="`3600`"
    )
    poll_interval: float = _setting(
        "BSS2_POLL_INTERVAL",
        2.0,
        "Longest pause between two status requests for a queue job, in seconds.",
        _seconds,
        default_text="`2`",
    )
    http_timeout: float = _setting(
        "BSS2_HTTP_TIMEOUT",
        30.0,
        "Longest wait for one answer from an EBRAINS service, in seconds.",
        _seconds,
        default_text="`30`",
    )
    record: bool = _setting("BSS2_RECORD", False, "`1` stores live results in `results/`.", _switch, default_text="`0`")
    signing_key: Path | None = _setting(
        "BSS2_SIGNING_KEY",
        None,
        "The SSH key that signs hardware results stored in `results/`; its public key must be in `allowed_signers`.",
        Path,
        default_text="unset: hardware results cannot be stored",
    )
    # The default chip: the first seed (of 1..3000) whose neuron 0 lies within about 1 LSB / 1 % of the
    # nominal curves in every deviation, like the neuron of the published single-neuron plots.
    emulator_seed: int = _setting(
        "BSS2_EMULATOR_SEED", 2326, "Which emulated chip (its fixed-pattern noise) the emulator uses.", _seed
    )
    emulator_trial_seed: int | None = _setting(
        "BSS2_EMULATOR_TRIAL_SEED",
        None,
        "Fixes the emulator's trial-to-trial noise (readout noise, starting phase, membrane noise), for tests.",
        _seed,
        default_text="fresh noise in every run, as on the chip",
    )
    repository_url: str | None = _setting(
        "BSS2_REPOSITORY_URL",
        None,
        "The published repository, for the site's repository and launch buttons.",
        _url,
        default_text="the git remote `origin`; with neither, the buttons are left out",
    )
    token: str | None = _setting(
        "EBRAINS_TOKEN",
        None,
        "EBRAINS access token outside the Lab; never printed or stored.",
        secret=True,
        default_text="the Lab's token",
    )
    collab: str | None = _setting(
        "EBRAINS_COLLAB", None, "The collab that pays for jobs, as in its URL.", default_text="from the Drive path"
    )
    job_service: str = _setting("EBRAINS_JOB_SERVICE", PRODUCTION_JOB_SERVICE, "The job queue's URL.", _url)
    userinfo_url: str = _setting(
        "EBRAINS_USERINFO_URL", PRODUCTION_USERINFO_URL, "The identity service's userinfo URL.", _url
    )
    drive_url: str | None = _setting(
        "EBRAINS_DRIVE_URL", None, "The Drive's URL.", _url, default_text="`ebrains_drive`'s own"
    )
    drive_root: Path = _setting(
        "EBRAINS_DRIVE_ROOT", Path("/mnt/user/shared"), "Where the Lab mounts the collabs' Drives.", Path
    )
    lab_kernel_name: str | None = _setting(
        "LAB_KERNEL_NAME",
        None,
        "Set by the EBRAINS Lab: the kernel's name, e.g. `EBRAINS-experimental`.",
        default_text="unset outside the Lab",
    )
    lab_image_name: str | None = _setting(
        "LAB_IMAGE_NAME", None, "Set by the EBRAINS Lab: the Lab image's name.", default_text="unset outside the Lab"
    )


def variables() -> list[str]:
    """The names of every environment variable the project reads."""
    return [f.metadata["env"] for f in fields(Settings)]


def parse(name: str, raw: str, given_as: str | None = None) -> object:
    """``raw`` read as the setting ``name`` (a field of ``Settings``); ``given_as`` names it in the error."""
    spec = Settings.__dataclass_fields__[name]
    try:
        return spec.metadata["parse"](raw)
    except ValueError as reason:
        shown = "(hidden)" if spec.metadata.get("secret") else repr(raw)
        raise SettingError(
            f"{given_as or spec.metadata['env']}={shown} {reason}. "
            "Set it to a valid value, or unset it for the default."
        ) from None


def current(environ: os._Environ | dict | None = None) -> Settings:
    """The settings from ``environ`` (default: the process environment); empty values mean the default."""
    environ = os.environ if environ is None else environ
    values = {}
    for spec in fields(Settings):
        raw = environ.get(spec.metadata["env"], "")
        if raw != "":
            values[spec.name] = parse(spec.name, raw)
    return Settings(**values)


def markdown_table() -> str:
    """The settings as a Markdown table, for the README."""
    rows = ["| variable | meaning | default |", "| --- | --- | --- |"]
    for spec in fields(Settings):
        shown = spec.metadata.get("default_text") or f"`{spec.default}`"
        rows.append(f"| `{spec.metadata['env']}` | {spec.metadata['help']} | {shown} |")
    return "\n".join(rows)
