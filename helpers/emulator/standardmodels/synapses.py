"""``StaticSynapse``: a 6-bit synapse of the chip's synapse array, with no configurable delay."""

from __future__ import annotations

from pyNN.standardmodels import build_translations, synapses


class StaticSynapse(synapses.StaticSynapse):
    """A static synapse; weight in hardware units (-63..63), delay fixed at 0."""

    default_parameters = {"weight": 0.0, "delay": 0.0}
    translations = build_translations(("weight", "weight"), ("delay", "delay"))

    def _get_minimum_delay(self) -> float:
        return 0.0


__all__ = ["StaticSynapse"]
