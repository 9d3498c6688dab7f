"""Every hardware rule the emulator enforces, checked through its error message."""

from __future__ import annotations

import pytest
from pyNN.errors import ConnectionError as PyNNConnectionError

from bss2_emulator.parameters import UnknownParameterError


def source(pynn, times=(0.01,)):
    return pynn.Population(1, pynn.cells.SpikeSourceArray(spike_times=list(times)))


def test_the_madc_takes_one_even_and_one_odd_neuron(pynn):
    pop = pynn.Population(3, pynn.cells.HXNeuron())
    with pytest.raises(ValueError, match="at most two neurons"):
        pop.record(["v"])
    pop[0:1].record(["v"])  # the failed call left nothing recorded
    with pytest.raises(ValueError, match="both even"):
        pop[2:3].record("v")  # chip neurons 0 and 2 share a channel
    pop[1:2].record("v")  # 0 and 1: one channel each
    with pytest.raises(ValueError, match="Only one source can be recorded per neuron"):
        pop[1:2].record("exc_synin")
    with pytest.raises(ValueError, match="1 analog record type per neuron"):
        pop[1:2].record(["v", "exc_synin"])


def test_record_none_on_view_clears_whole_population(pynn):
    pop = pynn.Population(2, pynn.cells.HXNeuron())
    pop[0:1].record("v")
    pynn.PopulationView(pop, [1]).record(None)
    pop[1:2].record("v")


def test_nonzero_delay_is_rejected(pynn):
    pop = pynn.Population(1, pynn.cells.HXNeuron(excitatory_input_enable=True))
    with pytest.raises(ValueError, match="Setting the delay unequal 0 is not supported"):
        pynn.Projection(
            source(pynn),
            pop,
            pynn.AllToAllConnector(),
            synapse_type=pynn.StaticSynapse(weight=10, delay=1.0),
            receptor_type="excitatory",
        )


@pytest.mark.parametrize(("weight", "receptor"), [(-5, "excitatory"), (5, "inhibitory")])
def test_weight_sign_must_match_receptor(pynn, weight, receptor):
    pop = pynn.Population(1, pynn.cells.HXNeuron())
    with pytest.raises(PyNNConnectionError, match="Weights must be"):
        pynn.Projection(
            source(pynn),
            pop,
            pynn.AllToAllConnector(),
            synapse_type=pynn.StaticSynapse(weight=weight),
            receptor_type=receptor,
        )


def test_a_neuron_has_256_synapses_and_large_weights_take_several(pynn):
    pop = pynn.Population(1, pynn.cells.HXNeuron(excitatory_input_enable=True))
    many = pynn.Population(128, pynn.cells.SpikeSourceArray(spike_times=[0.01]))
    synapse = pynn.StaticSynapse(weight=126)  # two synapses each: 256 in all, a full column
    pynn.Projection(many, pop, pynn.AllToAllConnector(), synapse_type=synapse, receptor_type="excitatory")
    pynn.run(0.02)
    pynn.reset()
    pynn.Projection(source(pynn), pop, pynn.AllToAllConnector(), synapse_type=pynn.StaticSynapse(weight=1),
                    receptor_type="excitatory")  # fmt: skip
    with pytest.raises(ValueError, match=r"257 synapses.*256"):
        pynn.run(0.02)


def test_run_twice_without_reset_is_an_error(pynn):
    pynn.Population(1, pynn.cells.HXNeuron())
    pynn.run(0.01)
    with pytest.raises(RuntimeError, match="reset"):
        pynn.run(0.01)
    pynn.reset()
    pynn.run(0.01)


def test_out_of_range_parameter_names_parameter_value_and_range(pynn):
    with pytest.raises(ValueError, match=r"'leak_v_leak' = 1023 is out of range.*0 to 1022"):
        pynn.cells.HXNeuron(leak_v_leak=1023)
    with pytest.raises(ValueError, match=r"membrane_capacitance_capacitance.*0 to 63"):
        pynn.Population(1, pynn.cells.HXNeuron, cellparams={"membrane_capacitance_capacitance": 64})
    pop = pynn.Population(1, pynn.cells.HXNeuron())
    with pytest.raises(ValueError, match="refractory_period_refractory_time"):
        pop.set(refractory_period_refractory_time=256)


def test_unknown_parameter_suggests_closest_names(pynn):
    with pytest.raises(UnknownParameterError, match="Did you mean 'leak_v_leak'"):
        pynn.cells.HXNeuron(leak_v_leek=500)


def test_setup_rejects_unknown_keywords():
    import bss2_emulator as pynn

    with pytest.raises(KeyError, match=r"unhandled extra_params in call to pynn.setup\(...\):\{'speedup': 10\}"):
        pynn.setup(speedup=10)


def test_chip_has_512_neurons(pynn):
    pynn.Population(512, pynn.cells.HXNeuron())
    with pytest.raises(ValueError, match="512 neurons"):
        pynn.Population(1, pynn.cells.HXNeuron())


def test_sampling_interval_cannot_be_set(pynn):
    pop = pynn.Population(1, pynn.cells.HXNeuron())
    with pytest.raises(NotImplementedError, match="Sampling interval not implemented"):
        pop.record("v", sampling_interval=0.001)


def test_logger_joins_arguments_without_separator(pynn, caplog):
    pynn.logger.default_config(level=pynn.logger.LogLevel.INFO)
    log = pynn.logger.get("demo")
    log._logger.parent.propagate = True
    with caplog.at_level("INFO", logger="bss2"):
        log.INFO("run ", 3, " of ", 10)
        log.info("lower", "case")
    assert [r.getMessage() for r in caplog.records] == ["run 3 of 10", "lowercase"]
