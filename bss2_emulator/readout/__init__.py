"""The readout: the MADC's sampling, noise and digitization."""
