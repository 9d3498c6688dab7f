"""A catalogue page is read as the catalogue's own notebook build reads it."""

from __future__ import annotations

import textwrap

import pytest

from helpers.catalogue.pages import cells, condition_holds, pages, static_files
from tests.support.catalogue import write_catalogue


def page(tmp_path, text: str, name: str = "page.rst"):
    path = tmp_path / name
    path.write_text(textwrap.dedent(text).lstrip())
    return path


@pytest.mark.parametrize(
    ("expression", "holds"),
    [("jupyter", True), ("not Solution", False), ("exclude_nmpi and not latex", True), ("latex or html", False),
     ("not (jupyter and Solution)", False)],
)  # fmt: skip
def test_only_conditions_follow_the_tested_builds_tags(expression, holds):
    assert condition_holds(expression) is holds


def test_code_blocks_become_cells_in_order_and_other_languages_do_not(tmp_path):
    path = page(
        tmp_path,
        """
        Text.

        .. code:: ipython3

            a = 1

            b = 2

        .. code-block:: bash

            make html

        .. code::

            c = 3
        """,
    )
    assert cells(path) == ["a = 1\n\nb = 2", "c = 3"]


def test_includes_only_blocks_and_tabs_as_docutils_reads_them(tmp_path):
    page(tmp_path, ".. code:: ipython3\n\n    shared = True\n", name="common_part.rst")
    page(tmp_path, "%%file x.py\nline_one = 1\nline_two = 2\n", name="script.txt")
    path = page(
        tmp_path,
        """
        .. include:: common_part.rst

        .. only:: not Solution

            .. code:: ipython3

                stub = ...

        .. only:: exclude_nmpi

            .. include:: script.txt
                :code: python
                :start-line: 1

        .. code:: ipython3

            if True:
        \tindented = "by a tab"
        """,
    )
    assert cells(path) == ["shared = True", "line_one = 1\nline_two = 2", 'if True:\n    indented = "by a tab"']


def test_pages_static_files_and_shared_snippets(tmp_path):
    root = write_catalogue(tmp_path)
    assert [p.name for p in pages(root)] == [
        "aa_single_neuron.rst", "bb_broken.rst", "bb_broken_widget.rst", "cc_low_level.rst"
    ]  # fmt: skip
    assert [p.name for p in static_files(root)] == ["_static", "matplotlibrc"]
    (root / "conf.py").write_text("import os\njupyter_static_file_path = os.listdir('.')\n")  # not a literal: unread
    assert [p.name for p in static_files(root)] == ["_static"]
