"""``StaticSynapse``: synapses of the chip's synapse array, with whole-number weights and no delay."""

from __future__ import annotations

from pyNN.standardmodels import build_translations, synapses

from ..missing import module_getattr


class StaticSynapse(synapses.StaticSynapse):
    """A static synapse; weight in hardware units (a whole number; above 63 in magnitude, several synapses)."""

    default_parameters = {"weight": 0.0, "delay": 0.0}
    translations = build_translations(("weight", "weight"), ("delay", "delay"))

    def _get_minimum_delay(self) -> float:
        return 0.0


__all__ = ["StaticSynapse"]
__getattr__ = module_getattr("pynn_brainscales.brainscales2.standardmodels.synapses")
