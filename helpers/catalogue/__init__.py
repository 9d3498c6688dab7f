"""The official tutorial catalogue (electronicvisions/brainscales2-demos) run page by page on the emulator.

``pages`` turns each reStructuredText page into the notebook its own build makes; ``runner``
executes those notebooks in the emulator's Jupyter kernel and reports what ran, how long each page
took, its first error, and its figures. ``python -m helpers catalogue DIR`` is the command.
"""
