"""The settings module: every environment variable in one typed place, documented in the README."""

from __future__ import annotations

import ast
import re

import pytest

from helpers import settings
from helpers.errors import SettingError
from helpers.paths import REPOSITORY
from tests.conftest import PROJECT_PREFIXES


def test_readme_settings_table_is_generated_from_the_settings():
    readme = (REPOSITORY / "README.md").read_text()
    table = readme.split("<!-- settings:start -->\n", 1)[1].split("\n<!-- settings:end -->", 1)[0]
    assert table.strip() == settings.markdown_table(), "regenerate it with: .venv/bin/python -m helpers settings"


def test_only_the_settings_modules_read_the_environment():
    """Every variable is read through ``helpers.settings`` or the emulator's ``config``; job processes only hand
    the environment on."""
    readers = set()
    for path in [*(REPOSITORY / "helpers").rglob("*.py"), *(REPOSITORY / "bss2_emulator").rglob("*.py")]:
        for node in ast.walk(ast.parse(path.read_text())):
            reads = isinstance(node, ast.Attribute) and node.attr in ("environ", "getenv", "getenvb")
            if reads and isinstance(node.value, ast.Name) and node.value.id == "os":
                readers.add(str(path.relative_to(REPOSITORY)))
    assert readers <= {
        "helpers/settings.py",
        "bss2_emulator/config.py",
        "bss2_emulator/job_process.py",
        "bss2_emulator/kernel/__main__.py",
    }


def test_the_emulators_own_defaults_are_the_documented_ones():
    from bss2_emulator import config as emulator_config

    assert settings.Settings().emulator_seed == emulator_config.DEFAULT_CHIP_SEED


def test_every_setting_is_isolated_by_the_test_fixture():
    assert all(name.startswith(PROJECT_PREFIXES) for name in settings.variables())


def test_defaults_without_environment():
    config = settings.current({})
    assert config.backend == "auto" and config.job_timeout == 3600 and config.record is False
    assert config.emulator_seed == 2326 and config.job_service.startswith("https://")


def test_values_are_typed():
    config = settings.current({"BSS2_JOB_TIMEOUT": "2.5", "BSS2_RECORD": "1", "BSS2_BACKEND": "Emulator"})
    assert config.job_timeout == 2.5 and config.record is True and config.backend == "emulator"


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("BSS2_JOB_TIMEOUT", "abc", "number of seconds"),
        ("BSS2_JOB_TIMEOUT", "-1", "positive"),
        ("BSS2_SOFTWARE_VERSION", "nonsense", "stable, experimental"),
        ("BSS2_EMULATOR_SEED", "-1", "from 0 to"),
        ("BSS2_BACKEND", "spinnaker", "auto, replay, emulator, nmpi"),
        ("EBRAINS_JOB_SERVICE", "nmpi.example.org", "http"),
    ],
)
def test_bad_values_name_the_variable_and_what_it_takes(name, value, message):
    with pytest.raises(SettingError, match=rf"{name}='{re.escape(value)}' .*{message}.*unset it"):
        settings.current({name: value})
