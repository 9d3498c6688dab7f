"""A small catalogue in the format of brainscales2-demos, written by the tests (none of its pages are copied).

Its shared helpers do what the real catalogue's do on import and at set-up: set a log level through
``pynn.logger``, open a connection through ``dlens_vx_v3.hxcomm``, insist on an allocated chip, and load
the nightly calibration next to ``pynn.helper.nightly_calib_path()``.
"""

from __future__ import annotations

import textwrap
from pathlib import Path

HELPERS = """
import os
from dlens_vx_v3 import hxcomm
import pynn_brainscales.brainscales2 as pynn

logger = pynn.logger.get("catalogue_helpers")
pynn.logger.set_loglevel(logger, pynn.logger.LogLevel.INFO)


def setup_hardware_client():
    if os.environ.get("SLURM_FPGA_IPS") is None:
        raise Exception("No proper hardware connection is possible")
    with hxcomm.ManagedConnection() as connection:
        logger.INFO("Connection to ", connection.get_unique_identifier()[0], " established")


def get_nightly_calibration(filename="spiking_cocolist.pbin"):
    return pynn.helper.chip_from_file(pynn.helper.nightly_calib_path().parent.joinpath(filename))
"""

PAGES = {
    "common_setup.rst": """
        .. code:: ipython3

            from _static.common.helpers import setup_hardware_client
            setup_hardware_client()
    """,
    "aa_single_neuron.rst": """
        A neuron
        ========

        .. include:: common_setup.rst

        .. only:: not Solution

            .. code:: ipython3

                raise RuntimeError("the exercise stub: the tested build leaves it out")

        .. code:: ipython3

            %matplotlib inline
            import matplotlib.pyplot as plt
            plt.style.use("_static/matplotlibrc")
            import pynn_brainscales.brainscales2 as pynn
            from _static.common.helpers import get_nightly_calibration

            pynn.setup(initial_config=get_nightly_calibration())
            neuron = pynn.Population(1, pynn.cells.HXNeuron())
            neuron.record("v")
            pynn.run(0.05)
            signal = neuron.get_data().segments[0].irregularlysampledsignals[0]
            plt.plot(signal.times, signal)
            plt.show()

        .. code:: ipython3

            import ipywidgets

            @ipywidgets.interact(level=ipywidgets.IntSlider(min=300, max=900, value=600))
            def experiment(level):
                plt.plot([0, 1], [level, level])
                plt.show()
    """,
    "bb_broken.rst": """
        .. code:: ipython3

            raise ValueError("broken on purpose")
    """,
    "bb_broken_widget.rst": """
        .. code:: ipython3

            import ipywidgets

            @ipywidgets.interact(weight=ipywidgets.IntSlider(min=0, max=63, value=99))
            def experiment(weight):
                raise ValueError(f"weight {weight} broken inside the widget")
    """,
    "cc_low_level.rst": """
        .. code:: ipython3

            from dlens_vx_v3 import halco
    """,
}


def write_catalogue(root: Path) -> Path:
    """Write the small catalogue into ``root`` and return it."""
    (root / "_static" / "common").mkdir(parents=True)
    (root / "_static" / "common" / "helpers.py").write_text(HELPERS)
    (root / "matplotlibrc").write_text("axes.grid : True\n")
    (root / "conf.py").write_text('jupyter_static_file_path = ["_static", "matplotlibrc"]\n')
    for name, text in PAGES.items():
        (root / name).write_text(textwrap.dedent(text).lstrip())
    return root
