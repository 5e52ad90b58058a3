"""Settings for the benchmarks only: the app's settings plus a trivial view (bench/urls.py).

Never used in production: the trivial view exists only under this module, which only the
scripts in bench/ name (DJANGO_SETTINGS_MODULE=bench.settings).
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from config.settings import *  # noqa: F403

ROOT_URLCONF = "bench.urls"
# collectstatic for the page-weight run goes here, not into the working tree's staticfiles/.
STATIC_ROOT = Path(os.environ.get("BENCH_STATIC_ROOT", Path(tempfile.gettempdir()) / "assaultlog-bench-static"))
