"""The results cache: job folders published atomically, their provenance, and the committed ``results/`` store.

- ``atomic``: folders that appear whole or not at all;
- ``provenance``: the record of where a result came from, and its label;
- ``store``: the committed cache, keyed by script and configuration;
- ``refresh``: re-recording every experiment of a tutorial into the store.
"""
