"""A PyNN backend that emulates the BrainScaleS-2 chip, with the API of ``pynn_brainscales.brainscales2``.

It follows the layout of PyNN's own backends (``pyNN/mock``): PyNN provides
populations, connectors, recording into neo and reset into segments; this
package provides the chip model and its calibration (``chip``), the solvers
(``solvers``), the network run (``network``), multicompartment neurons
(``morphology``), the MADC readout (``readout``) and the hardware's rules. A
name the real library has and the emulator does not is an ``AttributeError``
that says so.
"""

from pyNN import common, errors, random, space  # noqa: F401
from pyNN.random import NumpyRNG, RandomDistribution  # noqa: F401
from pyNN.space import Space  # noqa: F401

from . import (
    connectors,  # noqa: F401
    helper,  # noqa: F401
    morphology,  # noqa: F401
    simulator,
    standardmodels,  # noqa: F401
)
from . import pylogging as logger  # noqa: F401  (pynn.logger is the pylogging module)
from .connectors import *
from .control import (  # noqa: F401
    RunCommand,
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
from .missing import module_getattr
from .populations import Assembly, Population, PopulationView  # noqa: F401
from .projections import Projection
from .standardmodels import cells, synapses  # noqa: F401
from .standardmodels.synapses import StaticSynapse

__version__ = "0.6.0"


def list_standard_models() -> list[type]:
    """The neuron cell types of this backend, as ``pynn_brainscales`` lists them."""
    return [cells.HXNeuron, cells.CalibHXNeuronCuba, cells.CalibHXNeuronCoba]


create = common.build_create(Population)
connect = common.build_connect(Projection, FixedProbabilityConnector, StaticSynapse)  # noqa: F405
set = common.set
record = common.build_record(simulator)
__getattr__ = module_getattr("pynn_brainscales.brainscales2")
