"""Benchmarks of the loader and the explorer (issue 6), measured in one run on this machine.

``python -m benchmarks --out results.json`` measures, each in a fresh worker process:

1. the real NICIP map plus the OPCS-4 table from ``../shared/data`` loaded into a fresh
   embedded store, against a bare pandas read of the same files (the floor) and a per-row
   ``MERGE`` loader (the naive anchor);
2. a generated SNOMED CT UK RF2 snapshot at full size (:mod:`benchmarks.synth`) loaded
   into a fresh store: time, peak RSS of python and redis-server, where the time went;
   ``--sizes`` adds the load-time curve (``benchmarks/scaling.png``);
3. every query the explorer runs, on that graph with the real map loaded on top: median
   and p95;
4. the explorer's memory: a process that opened the store and ran each view once.

It prints a table of medians, p95s and targets, and writes everything as JSON.
``--smoke`` runs all of it at tiny size in seconds (``tests/test_benchmarks_smoke.py``).
"""
