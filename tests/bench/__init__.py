"""Benchmarks, and the development-only app they need (`tests.bench`, label `bench`).

The app holds what must never ship in the product: the synthetic corpus (`synthetic.py`,
`manage.py generate_corpus`) and `/bench/ping`, the trivial view every benchmark figure is a
ratio against. `cms/settings.py` installs it, and `cms/urls.py` mounts `/bench/`, only when
GLOSS_BENCH is on (by default when DJANGO_DEBUG is); production settings never do. The
scripts beside it (`run.py`, `profile_pages.py`, `bench_reanchor.py`) are the benchmarks.
"""
