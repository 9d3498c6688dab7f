"""A catalogue page as the notebook its own build makes: its code blocks, in order, one cell each.

The catalogue's notebook build (sphinxcontrib-jupyter) turns every ``.. code:: ipython3`` block into
a code cell, pulls in ``.. include::`` files, and keeps an ``.. only::`` block when its condition holds
for the build's tags. Its tested variant is built with the tags ``jupyter``, ``exclude_nmpi`` and
``Solution``; ``cells`` reads a page the same way.
"""

from __future__ import annotations

import ast
import re
import textwrap
from pathlib import Path

import nbformat

#: The tags of the catalogue's tested notebook build.
TAGS = frozenset({"jupyter", "exclude_nmpi", "Solution"})
#: Code-block languages that become code cells; an empty language is the build's default, Python.
CODE_LANGUAGES = {"", "ipython3", "ipython", "python", "python3"}

_DIRECTIVE = re.compile(r"^(?P<indent>\s*)\.\. (?P<name>[\w-]+)::\s*(?P<argument>.*?)\s*$")


def condition_holds(expression: str, tags: frozenset[str] = TAGS) -> bool:
    """Whether an ``.. only::`` condition (tag names with ``and``, ``or``, ``not``, brackets) holds for ``tags``."""

    def value(node: ast.AST) -> bool:
        if isinstance(node, ast.Name):
            return node.id in tags
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.Not):
            return not value(node.operand)
        if isinstance(node, ast.BoolOp):
            results = [value(operand) for operand in node.values]
            return all(results) if isinstance(node.op, ast.And) else any(results)
        raise ValueError(f"unsupported '.. only::' condition: {expression!r}")

    return value(ast.parse(expression.strip(), mode="eval").body)


def _body(lines: list[str], start: int, indent: int) -> tuple[list[str], int]:
    """The lines of a directive's body (indented deeper than ``indent``) from ``start``, and where it ends."""
    end = start
    while end < len(lines) and (not lines[end].strip() or len(lines[end]) - len(lines[end].lstrip()) > indent):
        end += 1
    while end > start and not lines[end - 1].strip():
        end -= 1
    return lines[start:end], end


def _split_options(body: list[str]) -> list[str]:
    """A directive's body without its ``:option:`` lines."""
    content = textwrap.dedent("\n".join(body)).split("\n")
    while content and (content[0].startswith(":") or not content[0].strip()):
        content.pop(0)
    return content


def _lines(path: Path) -> list[str]:
    """The lines of a source file with tabs expanded to 8 columns, as docutils reads them."""
    return [line.expandtabs(8) for line in path.read_text(encoding="utf-8").splitlines()]


def _options(body: list[str]) -> dict[str, str]:
    """A directive's ``:name: value`` options."""
    found = {}
    for line in textwrap.dedent("\n".join(body)).split("\n"):
        match = re.match(r"^:([\w-]+):\s*(.*)$", line)
        if not match:
            break
        found[match[1]] = match[2].strip()
    return found


def _include(path: Path, options: dict[str, str], tags: frozenset[str]) -> list[str]:
    """An included file: reStructuredText to read on, or, with ``:code:``, one code block."""
    lines = _lines(path)
    lines = lines[int(options.get("start-line", 0)) : int(options["end-line"]) if "end-line" in options else None]
    if "code" in options:
        code = "\n".join(lines).strip("\n")
        return [code] if options["code"] in CODE_LANGUAGES and code.strip() else []
    if "literal" in options:
        return []
    return _cells(lines, path.parent, tags)


def _cells(lines: list[str], folder: Path, tags: frozenset[str]) -> list[str]:
    cells: list[str] = []
    index = 0
    while index < len(lines):
        match = _DIRECTIVE.match(lines[index])
        if not match:
            index += 1
            continue
        indent, name, argument = len(match["indent"]), match["name"], match["argument"]
        body, index = _body(lines, index + 1, indent)
        if name in ("code", "code-block", "sourcecode"):
            if argument in CODE_LANGUAGES:
                code = "\n".join(_split_options(body)).strip("\n")
                if code.strip():
                    cells.append(code)
        elif name == "include":
            cells += _include(folder / argument, _options(body), tags)
        elif name == "only":
            if condition_holds(argument, tags):
                cells += _cells(textwrap.dedent("\n".join(body)).split("\n"), folder, tags)
        else:  # admonitions, notes and the like may hold code blocks of their own
            cells += _cells(textwrap.dedent("\n".join(body)).split("\n"), folder, tags)
    return cells


def cells(page: Path, tags: frozenset[str] = TAGS) -> list[str]:
    """The code cells of the catalogue page ``page``, as its notebook build extracts them."""
    return _cells(_lines(page), page.parent, tags)


def notebook(page: Path, kernel_name: str, display_name: str | None = None) -> nbformat.NotebookNode:
    """The page as a notebook for the kernel ``kernel_name``."""
    book = nbformat.v4.new_notebook()
    book.cells = [nbformat.v4.new_code_cell(code) for code in cells(page)]
    shown = display_name or kernel_name
    book.metadata["kernelspec"] = {"name": kernel_name, "display_name": shown, "language": "python"}
    return book


def static_files(checkout: Path) -> list[Path]:
    """What the catalogue's build copies into the notebooks' ``_static`` folder (``jupyter_static_file_path``
    in its ``conf.py``, read as a literal, never run); ``_static`` alone where it says nothing."""
    conf = checkout / "conf.py"
    names: list[str] = ["_static"]
    if conf.is_file():
        for node in ast.walk(ast.parse(conf.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Assign) and any(
                isinstance(target, ast.Name) and target.id == "jupyter_static_file_path" for target in node.targets
            ):
                try:
                    value = ast.literal_eval(node.value)
                except ValueError:
                    continue
                if isinstance(value, list) and all(isinstance(name, str) for name in value):
                    names = value
    return [checkout / name for name in names if (checkout / name).exists()]


def pages(checkout: Path) -> list[Path]:
    """The catalogue's pages with code, in name order: top-level ``.rst`` files that are not shared snippets."""
    found = []
    for page in sorted(checkout.glob("*.rst")):
        if page.name.startswith("common_") or page.stem == "index":
            continue
        if cells(page):
            found.append(page)
    return found
