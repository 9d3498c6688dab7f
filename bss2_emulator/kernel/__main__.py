"""Start the emulator kernel: alias the emulator, present the emulated chip as allocated, then run IPython."""

from __future__ import annotations

import os
import sys

from .. import aliases


def main() -> None:
    try:
        aliases.install()
    except aliases.RealLibraryInstalled as refusal:
        raise SystemExit(f"The BrainScaleS-2 (emulator) kernel does not start here: {refusal}") from None
    # The chip's cluster tells its software that a chip is allocated to this process through
    # SLURM_FPGA_IPS; the catalogue's helpers (setup_hardware_client) ask for it. Here it is the emulated chip.
    os.environ.setdefault("SLURM_FPGA_IPS", "emulated")
    from ipykernel import kernelapp

    kernelapp.launch_new_instance(argv=sys.argv[1:])


if __name__ == "__main__":
    main()
