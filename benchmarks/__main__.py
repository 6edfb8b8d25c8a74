"""``python -m benchmarks``: see :mod:`benchmarks` and ``--help``."""

from benchmarks.run import main

raise SystemExit(main())
