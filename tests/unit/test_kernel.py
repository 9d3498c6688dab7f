"""Kernel check and software version, inside a simulated EBRAINS Lab and outside it."""

from __future__ import annotations

import pytest

from helpers.kernel import check_kernel, in_ebrains_lab, software_version


def test_outside_the_lab_everything_works():
    assert not in_ebrains_lab()
    assert "not in the EBRAINS Lab" in check_kernel()
    assert software_version() == "stable"


@pytest.mark.parametrize(
    ("kernel", "version"),
    [("EBRAINS-experimental", "experimental"), ("EBRAINS-25.02", "stable"), ("ebrains-stable", "stable")],
)
def test_any_ebrains_kernel_is_accepted(monkeypatch, kernel, version):
    monkeypatch.setenv("LAB_KERNEL_NAME", kernel)
    assert in_ebrains_lab()
    assert check_kernel() == kernel
    assert software_version() == version


def test_non_ebrains_kernel_in_the_lab_is_explained(monkeypatch):
    monkeypatch.setenv("LAB_KERNEL_NAME", "Python 3 (ipykernel)")
    with pytest.raises(RuntimeError, match="Change kernel"):
        check_kernel()


def test_software_version_override(monkeypatch):
    monkeypatch.setenv("LAB_KERNEL_NAME", "EBRAINS-experimental")
    monkeypatch.setenv("BSS2_SOFTWARE_VERSION", "stable")
    assert software_version() == "stable"
