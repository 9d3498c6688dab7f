"""Where a job runs: the results cache (``replay``), the ``emulator``, or the EBRAINS queue (``nmpi``)."""
