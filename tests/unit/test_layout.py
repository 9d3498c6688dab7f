"""The package's shape: stages import only from stages below them, and the README's layout table is the tree."""

from __future__ import annotations

import ast
import re
import subprocess

import pytest

from helpers.paths import REPOSITORY

#: The data path's stages, bottom to top; a module may import from its own stage and the ones below.
#: The emulator is a PyNN backend of its own at the bottom: it imports nothing of the helpers. Inside it, the
#: chip model sits below the solvers and the readout, those below the network run, and that below the PyNN surface.
STAGES = [
    ("bss2_emulator.config", "bss2_emulator.paths", "bss2_emulator.missing", "bss2_emulator.pylogging",
     "bss2_emulator.parameters"),
    ("bss2_emulator.chip",),
    ("bss2_emulator.solvers", "bss2_emulator.readout"),
    ("bss2_emulator.standardmodels", "bss2_emulator.morphology", "bss2_emulator.network"),
    ("bss2_emulator",),
    ("helpers.paths", "helpers.plain_text", "helpers.errors", "helpers.settings", "helpers.jobs", "helpers.analysis",
     "helpers.experiments", "helpers.safe_pickle"),
    ("helpers.cache",),
    ("helpers.backends",),
    ("helpers.execution", "helpers.collab", "helpers.kernel", "helpers.plotting", "helpers.fidelity", "helpers.cli",
     "helpers.__main__", "helpers"),
    ("sphinxext",),
]  # fmt: skip


def stage(module: str) -> int:
    """The stage of a module: the longest matching prefix in STAGES."""
    matches = [
        (len(prefix), rank)
        for rank, prefixes in enumerate(STAGES)
        for prefix in prefixes
        if module == prefix or module.startswith(prefix + ".")
    ]
    if not matches:
        raise AssertionError(f"{module} belongs to no stage: add it to STAGES and to the README's layout table.")
    return max(matches)[1]


def module_name(path) -> str:
    parts = list(path.relative_to(REPOSITORY).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def is_module(name: str) -> bool:
    path = REPOSITORY.joinpath(*name.split("."))
    return path.with_suffix(".py").is_file() or (path / "__init__.py").is_file()


def imported(path) -> set[str]:
    """Every project module that the file at ``path`` imports, anywhere in it, as absolute names."""
    name = module_name(path)
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module
            for alias in node.names:
                # ``from package import module`` imports the module; ``from module import name``, the module.
                found.add(f"{target}.{alias.name}" if is_module(f"{target}.{alias.name}") else target)
    return {m for m in found if m.split(".")[0] in PACKAGES}


PACKAGES = ("bss2_emulator", "helpers", "sphinxext")
SOURCES = sorted(path for package in PACKAGES for path in (REPOSITORY / package).rglob("*.py"))


@pytest.mark.parametrize("path", SOURCES, ids=lambda p: str(p.relative_to(REPOSITORY)))
def test_no_module_imports_from_a_stage_above_it(path):
    mine = stage(module_name(path))
    above = sorted(m for m in imported(path) if stage(m) > mine)
    assert above == [], f"{module_name(path)} (stage {mine}) imports from a stage above it: {above}"


def test_file_paths_are_computed_in_one_place_per_package():
    computed = [p for p in SOURCES if re.search(r"\.parents?\b", p.read_text()) and "__file__" in p.read_text()]
    assert sorted(str(p.relative_to(REPOSITORY)) for p in computed) == ["bss2_emulator/paths.py", "helpers/paths.py"]


def layout_rows() -> list[str]:
    readme = (REPOSITORY / "README.md").read_text()
    table = readme.split("## Layout", 1)[1]
    first_cells = re.findall(r"^\| ([^|]+)\|", table, flags=re.M)
    return [path for cell in first_cells for path in re.findall(r"`([^`]+)`", cell)]


def test_readme_layout_table_matches_the_tree():
    rows = layout_rows()
    missing = [row for row in rows if not (REPOSITORY / row.rstrip("/")).exists()]
    assert missing == [], f"The README's layout table names paths that do not exist: {missing}"
    packages = [p.parent for top in ("helpers", "bss2_emulator") for p in (REPOSITORY / top).glob("*/__init__.py")]
    modules = [p for p in (REPOSITORY / "helpers").glob("*.py") if p.name != "__init__.py"]
    tops = [REPOSITORY / "bss2_emulator", REPOSITORY / "sphinxext", REPOSITORY / "tests" / "support"]
    for path in [*packages, *modules, *tops]:
        shown = str(path.relative_to(REPOSITORY)) + ("/" if path.is_dir() else "")
        assert shown in rows, f"{shown} is missing from the README's layout table"


def test_the_usual_files_of_a_published_project():
    assert "MIT License" in (REPOSITORY / "LICENSE").read_text()
    assert 'license = { text = "MIT" }' in (REPOSITORY / "pyproject.toml").read_text()
    citation = (REPOSITORY / "CITATION.cff").read_text()
    assert "cff-version: 1.2.0" in citation and "license: MIT" in citation
    contributing = (REPOSITORY / "CONTRIBUTING.md").read_text()
    assert all(step in contributing for step in ("make html", "make test", "make results", "fake_ebrains"))


@pytest.mark.parametrize("path", sorted((REPOSITORY / "benchmarks").glob("*.py")), ids=lambda p: p.name)
def test_every_project_name_a_benchmark_imports_exists(path):
    """Benchmarks import from the helpers and the test support, also inside functions: those names must exist."""
    import importlib

    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.split(".")[0] in ("helpers", "tests"):
            module = importlib.import_module(node.module)
            missing = [alias.name for alias in node.names if not hasattr(module, alias.name)]
            assert missing == [], f"{path.name} imports {missing} from {node.module}, which has no such name"


@pytest.mark.parametrize("folder", ["jobs", "out", "OUT", "my_experiments"])
def test_the_output_folders_the_readme_names_are_ignored_by_git(folder):
    """What the README's commands write stays out of a reviewer's diff."""
    readme = (REPOSITORY / "README.md").read_text()
    assert folder in readme
    check = subprocess.run(["git", "check-ignore", "-q", f"{folder}/job_1/result.dat"], cwd=REPOSITORY, check=False)
    assert check.returncode == 0, f"{folder}/ is not in .gitignore"
