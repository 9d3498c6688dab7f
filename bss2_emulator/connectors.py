"""PyNN's connectors with the signatures of ``pynn_brainscales.brainscales2.connectors``.

The chip's library takes PyNN's arguments in PyNN's order, but without ``location_selector`` among
them: that one, and ``source_location_selector``, are keyword-only, and select the compartments of
multicompartment neurons that a projection connects. Every connector here is PyNN's own class with
that signature.

One repair on top: PyNN 0.13 builds one-to-one maps that, between two one-neuron populations, come
out as 0-d arrays, which numpy 2 refuses to ``nonzero()``; the map connectors here make them 1-d.
"""

from __future__ import annotations

import inspect

import numpy as np
from pyNN import connectors

LOCATION_KEYWORDS = ("location_selector", "source_location_selector")


class _OneDimensionalMaps:
    """Each column of a connection map as a 1-d array, also for a population of one."""

    def _standard_connect(self, projection, connection_map_generator, distance_map=None):
        def one_dimensional(*args, **kwargs):
            for mask in connection_map_generator(*args, **kwargs):
                yield np.atleast_1d(mask) if isinstance(mask, (np.ndarray, np.generic)) and np.ndim(mask) == 0 else mask

        return super()._standard_connect(projection, one_dimensional, distance_map)


def _with_locations(base: type) -> type:
    """``base`` with the signature of the chip library: keyword-only location and source location selectors."""
    pynn_parameters = inspect.signature(base.__init__).parameters
    accepts_location = "location_selector" in pynn_parameters
    positional = [p for name, p in pynn_parameters.items() if name not in ("self", "location_selector")]
    signature = inspect.Signature(
        [
            *[p.replace(kind=inspect.Parameter.POSITIONAL_OR_KEYWORD) for p in positional],
            *[inspect.Parameter(name, inspect.Parameter.KEYWORD_ONLY, default=None) for name in LOCATION_KEYWORDS],
        ]
    )

    def __init__(self, *args, location_selector=None, source_location_selector=None, **kwargs):
        arguments = inspect.Signature(positional).bind(*args, **kwargs).arguments
        if accepts_location:
            arguments["location_selector"] = location_selector
        base.__init__(self, **arguments)
        self.location_selector = location_selector
        self.source_location_selector = source_location_selector

    __init__.__signature__ = inspect.Signature(
        [inspect.Parameter("self", inspect.Parameter.POSITIONAL_OR_KEYWORD), *signature.parameters.values()]
    )
    bases = (_OneDimensionalMaps, base) if issubclass(base, connectors.MapConnector) else (base,)
    return type(base.__name__, bases, {"__init__": __init__, "__doc__": base.__doc__, "__module__": __name__})


AllToAllConnector = _with_locations(connectors.AllToAllConnector)
OneToOneConnector = _with_locations(connectors.OneToOneConnector)
FixedProbabilityConnector = _with_locations(connectors.FixedProbabilityConnector)
DistanceDependentProbabilityConnector = _with_locations(connectors.DistanceDependentProbabilityConnector)
IndexBasedProbabilityConnector = _with_locations(connectors.IndexBasedProbabilityConnector)
DisplacementDependentProbabilityConnector = _with_locations(connectors.DisplacementDependentProbabilityConnector)
FromListConnector = _with_locations(connectors.FromListConnector)
FromFileConnector = _with_locations(connectors.FromFileConnector)
FixedNumberPreConnector = _with_locations(connectors.FixedNumberPreConnector)
FixedNumberPostConnector = _with_locations(connectors.FixedNumberPostConnector)
SmallWorldConnector = _with_locations(connectors.SmallWorldConnector)
CSAConnector = _with_locations(connectors.CSAConnector)
CloneConnector = _with_locations(connectors.CloneConnector)
ArrayConnector = _with_locations(connectors.ArrayConnector)
FixedTotalNumberConnector = _with_locations(connectors.FixedTotalNumberConnector)

__all__ = [
    "AllToAllConnector",
    "ArrayConnector",
    "CSAConnector",
    "CloneConnector",
    "DisplacementDependentProbabilityConnector",
    "DistanceDependentProbabilityConnector",
    "FixedNumberPostConnector",
    "FixedNumberPreConnector",
    "FixedProbabilityConnector",
    "FixedTotalNumberConnector",
    "FromFileConnector",
    "FromListConnector",
    "IndexBasedProbabilityConnector",
    "OneToOneConnector",
    "SmallWorldConnector",
]
