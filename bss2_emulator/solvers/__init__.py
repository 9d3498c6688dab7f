"""The solvers: the exact event-driven solver and the 8 ns stepped integrator."""
