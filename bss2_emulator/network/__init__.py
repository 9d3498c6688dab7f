"""The network and its placement on the chip: what ``pynn.run`` freezes and runs as one experiment."""
