"""Clear errors for what the emulator does not have: names of ``pynn_brainscales``, and whole libraries.

Two kinds of absence:

- a name of ``pynn_brainscales`` that the emulator lacks is an ``AttributeError`` that says so;
- a library of the chip's own software stack that the emulator does not provide (the low-level chip
  access of ``dlens_vx_v3``/``pyhalco``, ``hxtorch``, the embedded processor's plasticity rules) is an
  ``ImportError`` or ``AttributeError`` that names the missing piece, so a page that needs it fails
  at once with a sentence instead of deep inside a run.
"""

from __future__ import annotations

#: Where students find what the emulator models.
EMULATOR_PAGE = "the emulator page of the tutorial site (emulator.html#what-the-emulator-models)"

#: Names of ``pynn_brainscales.brainscales2`` that belong to a part of the chip the emulator leaves out.
OUT_OF_SCOPE = {
    "PlasticityRule": "plasticity rules, programs for the chip's embedded processor (PPU)",
    "Timer": "the timer of plasticity rules, programs for the chip's embedded processor (PPU)",
    "InjectedConfiguration": "configuration injected into the chip's playback programs (low-level chip access)",
    "InjectedReadout": "reads injected into the chip's playback programs (low-level chip access)",
    "get_post_realtime_read": "the results of reads injected into the chip's playback programs (low-level chip access)",
    "grenade_chip_config": "the chip's whole low-level configuration after mapping (a lola.Chip)",
    "neuron_placement": "the placement of neurons on the chip's circuits as grenade computes it",
}

#: Libraries of the chip's software stack the emulator does not provide, and what they are. Only an import
#: that nothing installed satisfies gets this error: an installed torch is torch.
LIBRARIES = {
    "dlens_vx_v3": "low-level chip access (dlens_vx_v3: lola, haldls, stadls, halco)",
    "pyhalco_hicann_dls_vx_v3": "low-level chip access (the chip's coordinates, pyhalco)",
    "pyhaldls_vx_v3": "low-level chip access (the chip's containers, pyhaldls)",
    "pystadls_vx_v3": "low-level chip access (playback programs, pystadls)",
    "pylola_vx_v3": "low-level chip access (lola)",
    "pygrenade_vx": "the chip's experiment compiler (grenade)",
    "calix": "the chip's calibration library (calix)",
    "hxtorch": "PyTorch on the chip (hxtorch)",
    "torch": "PyTorch, which the catalogue's pages use for machine learning on the chip through hxtorch",
    "torchvision": "PyTorch's image data sets, for the catalogue's machine-learning pages on the chip",
}


#: What pynn_brainscales offers instead of PyNN's other standard cell types (IF_cond_exp, ...), which it lacks.
CELL_TYPES = (
    "HXNeuron (the circuit's settings), CalibHXNeuronCuba and CalibHXNeuronCoba (calibrated to targets in model "
    "units), and the sources SpikeSourceArray, SpikeSourcePoisson and SpikeSourcePoissonOnChip"
)


def _pynn_cell_type(name: str) -> bool:
    from pyNN.standardmodels import cells

    return isinstance(getattr(cells, name, None), type)


def missing_name(module: str, name: str) -> AttributeError:
    """An ``AttributeError`` that says the emulator lacks ``module.name`` and where to look."""
    if _pynn_cell_type(name):
        return AttributeError(
            f"{module}.{name}: pynn_brainscales has no {name}, on the chip as in the emulator. Its cell types are "
            f"{CELL_TYPES}; {EMULATOR_PAGE} describes them."
        )
    if name in OUT_OF_SCOPE:
        return AttributeError(
            f"{module}.{name}: the BrainScaleS-2 emulator does not model {OUT_OF_SCOPE[name]}. A page that needs "
            f"it runs on the chip only; {EMULATOR_PAGE} lists what the emulator models."
        )
    return AttributeError(
        f"module {module!r} has no attribute {name!r} in the BrainScaleS-2 emulator. See {EMULATOR_PAGE} for "
        "what the emulator models, and the pynn_brainscales documentation for what the chip's library offers."
    )


def missing_library(module: str) -> ModuleNotFoundError:
    """The error for importing a library of the chip's stack that the emulator does not provide."""
    top = module.split(".")[0]
    what = LIBRARIES.get(top, top)
    # No ``name``: importlib would otherwise turn it into a bare "cannot import name" and drop this text.
    return ModuleNotFoundError(
        f"No module named {module!r}: it is {what}, which the BrainScaleS-2 emulator does not provide. A page that "
        f"needs it runs on the chip only; {EMULATOR_PAGE} lists what the emulator models."
    )


def module_getattr(module: str):
    """A module-level ``__getattr__`` that raises ``missing_name`` for public names."""

    def __getattr__(name: str):
        if name.startswith("__"):
            raise AttributeError(name)
        raise missing_name(module, name)

    return __getattr__
