"""The chip model (transfer curves, fixed-pattern noise) and its calibration, fitted to the recordings."""
