"""Settings for the benchmarks only: the app's settings plus a trivial view (bench/urls.py)
and the benchmark commands (bench/management/commands).

Never used in production: the trivial view exists only under this module, which only the
scripts in bench/ name (DJANGO_SETTINGS_MODULE=bench.settings).
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from config.settings import *  # noqa: F403

ROOT_URLCONF = "bench.urls"
# The benchmark commands (seed_bench, bench_aggregation) and their synthetic data live in the
# bench app, installed here only: never in the production apps.
INSTALLED_APPS = [*INSTALLED_APPS, "bench"]  # noqa: F405
# collectstatic for the page-weight run goes here, not into the working tree's staticfiles/.
STATIC_ROOT = Path(os.environ.get("BENCH_STATIC_ROOT", Path(tempfile.gettempdir()) / "assaultlog-bench-static"))
