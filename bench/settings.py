"""Settings for the benchmarks: the product's, plus the floor page (`bench/urls.py`)."""

from community.settings import *  # noqa: F403

ROOT_URLCONF = "bench.urls"
