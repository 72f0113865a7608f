from django.apps import AppConfig


class BenchConfig(AppConfig):
    """Development only: installed when GLOSS_BENCH is on (see `tests/bench/__init__.py`)."""

    name = "tests.bench"
    label = "bench"
    verbose_name = "Benchmarks (development only)"
