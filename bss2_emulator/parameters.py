"""The HXNeuron parameter table: names, ranges and defaults, and their validation.

The names are the flattened fields of the BrainScaleS-2 neuron circuit
(``<block>_<field>``), as exposed by ``pynn_brainscales``. Analog values are
CapMem DAC settings in LSB; everything defaults to 0/False (a silent neuron)
except the few exceptions the hardware has.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass

import numpy as np
from pyNN import errors


@dataclass(frozen=True)
class Parameter:
    """One neuron parameter: its default and its inclusive integer range (booleans: 0..1)."""

    default: int | bool
    low: int
    high: int

    @property
    def is_bool(self) -> bool:
        return isinstance(self.default, bool)


def _capmem(default: int = 0) -> Parameter:
    return Parameter(default, 0, 1022)


def _flag(default: bool = False) -> Parameter:
    return Parameter(default, 0, 1)


def _synaptic_input() -> dict[str, Parameter]:
    return {
        "enable": _flag(),
        "i_bias_tau": _capmem(),
        "i_bias_gm": _capmem(),
        "i_shift_reference": _capmem(),
        "i_drop_input": _capmem(),
        "i_bias_coba": _capmem(),
        "v_rev_coba": _capmem(),
        "enable_small_capacitance": _flag(True),
        "enable_high_resistance": _flag(),
        "enable_coba_mode": _flag(),
        "enable_copy": _flag(),
    }


_BLOCKS: dict[str, dict[str, Parameter]] = {
    "leak": {
        "v_leak": _capmem(),
        "i_bias": _capmem(),
        "enable_degeneration": _flag(),
        "enable_division": _flag(),
        "enable_multiplication": _flag(),
    },
    "reset": {
        "v_reset": _capmem(),
        "i_bias": _capmem(),
        "enable_degeneration": _flag(),
        "enable_division": _flag(),
        "enable_multiplication": _flag(),
    },
    "threshold": {"enable": _flag(), "v_threshold": _capmem()},
    "excitatory_input": _synaptic_input(),
    "inhibitory_input": _synaptic_input(),
    "exponential": {"enable": _flag(), "v_exp": _capmem(), "i_bias": _capmem()},
    "adaptation": {
        "enable": _flag(),
        "enable_pulse": _flag(),
        "invert_a": _flag(),
        "invert_b": _flag(),
        "v_leak": _capmem(),
        "v_ref": _capmem(),
        "i_bias_tau": _capmem(),
        "i_bias_a": _capmem(),
        "i_bias_b": _capmem(),
    },
    "constant_current": {"enable": _flag(), "i_offset": _capmem()},
    "membrane_capacitance": {"capacitance": Parameter(0, 0, 63)},
    "refractory_period": {
        "refractory_time": Parameter(0, 0, 255),
        "reset_holdoff": Parameter(15, 0, 15),
        "input_clock": Parameter(0, 0, 1),
        "enable_pause": _flag(),
    },
    "multicompartment": {
        "connect_soma": _flag(),
        "connect_soma_right": _flag(),
        "connect_right": _flag(),
        "connect_vertical": _flag(),
        "enable_conductance": _flag(),
        "enable_conductance_division": _flag(),
        "enable_conductance_multiplication": _flag(),
        "i_bias_nmda": _capmem(),
        "i_bias_conductance": _capmem(),
    },
    "event_routing": {
        "address": Parameter(0, 0, 255),
        "enable_bypass_excitatory": _flag(),
        "enable_bypass_inhibitory": _flag(),
        "enable_post_overwrite": _flag(),
    },
    "readout": {"enable_unbuffered_access": _flag()},
    "bayesian": {
        "enable": _flag(),
        "connect_fire_vertical": _flag(),
        "connect_fire_to_right": _flag(),
        "connect_fire_from_right": _flag(),
        "enable_master": _flag(),
        "enable_slave": _flag(),
        "enable_0": _flag(),
        "enable_1": _flag(),
        "operation": Parameter(0, 0, 3),
        "to_post_pulse": _flag(True),
    },
}

#: Every HXNeuron parameter by its flattened name.
PARAMETERS: dict[str, Parameter] = {
    f"{block}_{field}": parameter for block, fields in _BLOCKS.items() for field, parameter in fields.items()
}

#: Parameters the emulator models (the emulator page lists them). Any other parameter set away from its
#: default is named in a warning in the job's log: it has no effect here.
ADAPTATION_FIELDS = ("enable", "enable_pulse", "invert_a", "invert_b", "v_leak", "v_ref", "i_bias_tau", "i_bias_a",
                     "i_bias_b")  # fmt: skip
MODELLED = frozenset(
    {
        *(f"leak_{f}" for f in ("v_leak", "i_bias", "enable_degeneration", "enable_division", "enable_multiplication")),
        *(
            f"reset_{f}"
            for f in ("v_reset", "i_bias", "enable_degeneration", "enable_division", "enable_multiplication")
        ),
        "threshold_enable",
        "threshold_v_threshold",
        *(f"{k}_input_{f}" for k in ("excitatory", "inhibitory") for f in ("enable", "i_bias_tau", "i_bias_gm")),
        "constant_current_enable",
        "constant_current_i_offset",
        "membrane_capacitance_capacitance",
        "refractory_period_refractory_time",
        "refractory_period_input_clock",
        *(f"exponential_{f}" for f in ("enable", "v_exp", "i_bias")),
        *(f"adaptation_{f}" for f in ADAPTATION_FIELDS),
        "event_routing_enable_bypass_excitatory",
        "event_routing_enable_bypass_inhibitory",
        # the coupling of multicompartment neurons (pynn.morphology); their circuits' switches come from it
        *(
            f"multicompartment_{f}"
            for f in ("i_bias_nmda", "enable_conductance_division", "enable_conductance_multiplication")
        ),
    }
)


def unmodelled_settings(params: dict[str, np.ndarray]) -> dict[str, str]:
    """The parameters set away from their default that the emulator does not model: name -> ``name=value``."""
    found = {}
    for name, values in params.items():
        if name in MODELLED:
            continue
        changed = np.asarray(values, dtype=float) != float(PARAMETERS[name].default)
        if np.any(changed):
            found[name] = f"{name}={np.asarray(values, dtype=float)[changed].flat[0]:g}"
    return found


class UnknownParameterError(errors.NonExistentParameterError):
    """An HXNeuron parameter name that does not exist; the message suggests the closest names."""

    def __str__(self) -> str:
        close = difflib.get_close_matches(self.parameter_name, PARAMETERS, n=3, cutoff=0.5)
        hint = f" Did you mean {', '.join(repr(c) for c in close)}?" if close else ""
        return (
            f"HXNeuron has no parameter {self.parameter_name!r}.{hint} "
            f"All {len(PARAMETERS)} names are listed in bss2_emulator.parameters.PARAMETERS."
        )


def check_name(name: str) -> Parameter:
    """Return the parameter called ``name``, or raise an error naming the closest valid names."""
    try:
        return PARAMETERS[name]
    except KeyError:
        raise UnknownParameterError(name, "HXNeuron", list(PARAMETERS)) from None


def check_value(name: str, value: object) -> None:
    """Raise ``ValueError`` naming the parameter, the value and the range if ``value`` is invalid."""
    parameter = check_name(name)
    values = np.asarray(value)
    if values.dtype.kind not in "biuf":
        raise ValueError(f"HXNeuron parameter {name!r} must be a number, got {value!r}.")
    if parameter.is_bool:
        bad = values[(values != 0) & (values != 1)]
        if bad.size:
            raise ValueError(f"HXNeuron parameter {name!r} is a switch: use True or False, not {bad.flat[0].item()!r}.")
        return
    bad = values[(values < parameter.low) | (values > parameter.high) | (values != np.round(values))]
    if bad.size:
        raise ValueError(
            f"HXNeuron parameter {name!r} = {bad.flat[0].item()!r} is out of range: "
            f"it takes whole numbers from {parameter.low} to {parameter.high}."
        )
