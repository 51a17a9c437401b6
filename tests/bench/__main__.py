"""`python -m tests.bench`: run the benchmark suite (see tests/bench/README.md)."""

import sys

from tests.bench.run import main

sys.exit(main())
