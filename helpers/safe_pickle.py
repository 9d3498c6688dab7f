"""Read a neo pickle (a job's ``.dat`` file) without letting it run code.

The queue's jobs write their results with ``neo.io.PickleIO``, by the platform's
convention, and a pickle can name any function to call. This unpickler admits
only neo's data classes, quantities' units and numpy arrays, and the few helpers
they pickle themselves with; anything else stops the load with a message that
names it. Results committed to ``results/`` are never pickles at all (see
``helpers.cache.neo_arrays``).
"""

from __future__ import annotations

import pickle
from pathlib import Path

import neo

from .errors import BSS2Error

#: Modules whose classes (never their functions) a neo pickle may name.
_CLASS_MODULES = ("neo.core.", "quantities.")
#: The functions and non-neo classes that neo, quantities and numpy pickle themselves with.
_ALLOWED = {
    ("builtins", "dict"),
    ("builtins", "list"),
    ("builtins", "set"),
    ("builtins", "tuple"),
    ("builtins", "object"),
    ("collections", "OrderedDict"),
    ("copyreg", "_reconstructor"),
    ("datetime", "datetime"),
    ("datetime", "date"),
    ("datetime", "timedelta"),
    ("datetime", "timezone"),
    ("numpy", "dtype"),
    ("numpy", "ndarray"),
    ("numpy._core.multiarray", "_reconstruct"),
    ("numpy._core.multiarray", "scalar"),
    ("numpy.core.multiarray", "_reconstruct"),
    ("numpy.core.multiarray", "scalar"),
    ("numpy.dtypes", "Float64DType"),
    ("numpy.dtypes", "Int64DType"),
    ("neo.core.dataobject", "_normalize_array_annotations"),
    ("neo.core.spiketrain", "_new_spiketrain"),
    ("neo.core.analogsignal", "_new_AnalogSignalArray"),
    ("neo.core.irregularlysampledsignal", "_new_IrregularlySampledSignal"),
    ("neo.core.event", "_new_event"),
    ("neo.core.epoch", "_new_epoch"),
    ("quantities.quantity", "_reconstruct_quantity"),
}


class UnsafeResultFile(BSS2Error, pickle.UnpicklingError):
    """A result file that asks to load something other than neo data."""


class _NeoUnpickler(pickle.Unpickler):
    def find_class(self, module: str, name: str) -> object:
        if (module, name) in _ALLOWED:
            return super().find_class(module, name)
        if module.startswith(_CLASS_MODULES) and "." not in name:
            found = super().find_class(module, name)
            if isinstance(found, type):
                return found
        raise UnsafeResultFile(
            f"it asks to load {module}.{name}, which is not part of neo's data. Result files hold neo data only, so "
            "the file was not read, and nothing in it ran. Do not use it: re-run the job, or fetch it from the queue."
        )


def read_block(path: str | Path) -> neo.Block:
    """The neo ``Block`` in the pickle at ``path``; ``UnsafeResultFile`` if it holds anything but neo data."""
    with open(path, "rb") as handle:
        block = _NeoUnpickler(handle).load()
    if not isinstance(block, neo.Block):
        raise UnsafeResultFile(f"it holds a {type(block).__name__}, not a neo Block.")
    return block
