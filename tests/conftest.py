"""Shared fixtures. Factories live in tests/factories.py."""

from pathlib import Path

import pytest
from django.conf import settings


@pytest.fixture(autouse=True)
def _test_settings(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    # Tests render templates without running collectstatic first.
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


@pytest.fixture
def seeds_dir() -> Path:
    """The shared demo corpus; tests that need it skip loudly where it is absent."""
    path = Path(settings.GLOSS_SEEDS_DIR)
    if not (path / "manifest.csv").is_file():
        pytest.skip(f"seed corpus not found at {path}")
    return path


@pytest.fixture
def seeded(db, seeds_dir):
    """The five seed articles with their outlets and organizations, imported as in `make run`."""
    from articles.importers import import_articles, import_organizations

    import_organizations(seeds_dir / "organizations.csv")
    import_articles([seeds_dir], manifest=seeds_dir / "manifest.csv")
    return seeds_dir
