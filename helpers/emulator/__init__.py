"""A PyNN backend that emulates the BrainScaleS-2 chip, with the API of ``pynn_brainscales.brainscales2``.

It follows the layout of PyNN's own backends (``pyNN/mock``): PyNN provides
populations, connectors, recording into neo and reset into segments; this
package provides the chip (``chip``), its dynamics (``dynamics``), the MADC
readout (``madc``) and the hardware's rules.
"""

from pyNN import errors, random, space  # noqa: F401
from pyNN.connectors import *
from pyNN.random import NumpyRNG, RandomDistribution  # noqa: F401
from pyNN.space import Space  # noqa: F401

from . import pylogging as logger  # noqa: F401  (pynn.logger is the pylogging module)
from . import standardmodels  # noqa: F401
from .control import (  # noqa: F401
    end,
    get_current_time,
    get_max_delay,
    get_min_delay,
    get_time_step,
    initialize,
    num_processes,
    rank,
    reset,
    run,
    run_for,
    run_until,
    setup,
)
from .populations import Assembly, Population, PopulationView  # noqa: F401
from .projections import Projection  # noqa: F401
from .standardmodels import cells, synapses  # noqa: F401
from .standardmodels.synapses import StaticSynapse  # noqa: F401

__version__ = "0.2.0"
