"""Where ranx's ir_datasets and matplotlib keep their files.

Both write under $HOME unless told otherwise; evaluation points them at ./.cache/ (as the Makefile does) when
the variables are unset. Called by the modules that import those libraries, before importing them, so other
`overblik` commands keep their environment as it is. (numba, which ranx compiles with, caches next to the
installed package unless NUMBA_CACHE_DIR says otherwise; the search path imports it first, so it is not set
here.)
"""

from __future__ import annotations

import os
from pathlib import Path

CACHE_VARIABLES = {"MPLCONFIGDIR": "matplotlib", "IR_DATASETS_HOME": "ir_datasets"}


def use_work_caches() -> None:
    for variable, folder in CACHE_VARIABLES.items():
        os.environ.setdefault(variable, str(Path.cwd() / ".cache" / folder))
