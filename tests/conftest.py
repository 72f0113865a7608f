"""Shared fixtures. Factories live in tests/factories.py."""

import importlib
from pathlib import Path

import pytest
from django.conf import settings

_starting_data = importlib.import_module("annotations.migrations.0002_starting_tags_and_groups")


@pytest.fixture(autouse=True)
def _test_settings(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    # Background imports run at once, in the test's own thread and transaction.
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}
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
    from intake.importers import import_articles, import_organizations

    import_organizations(seeds_dir / "organizations.csv")
    import_articles([seeds_dir], manifest=seeds_dir / "manifest.csv")
    return seeds_dir


@pytest.fixture(autouse=True)
def _starting_rows(request):
    """Transactional tests (browser tests) flush every table after they run, dropping the
    groups and starting tags the data migration made (post_migrate brings back only
    content types and permissions). Put them back before each such test, and before any
    other database test that a flush on the same worker left without them (inside its
    transaction, so rolled back with it)."""
    marker = request.node.get_closest_marker("django_db")
    if not marker:
        return
    from django.contrib.auth.models import Group

    if marker.kwargs.get("transaction"):
        request.getfixturevalue("transactional_db")
    else:
        request.getfixturevalue("db")
        if Group.objects.filter(name="editors").exists():
            return
    restore_starting_rows()


def restore_starting_rows() -> None:
    """The groups, their grants and the starting tags, as the migrations make them."""
    from django.contrib.auth.models import Group, Permission

    from annotations.models import Tag

    for name, slug, colour, description in _starting_data.STARTING_TAGS:
        Tag.objects.update_or_create(
            slug=slug, defaults={"name": name, "colour": colour, "description": description}
        )
    for group_name, grants in (
        ("annotators", _starting_data.ANNOTATOR_PERMISSIONS),
        ("editors", _starting_data.EDITOR_PERMISSIONS),
    ):
        group, _ = Group.objects.get_or_create(name=group_name)
        group.permissions.add(
            *(
                Permission.objects.get(
                    content_type__app_label=app_label,
                    codename=_starting_data.codename(action, model),
                )
                for (app_label, model), actions in grants.items()
                for action in actions
            )
        )
    # The history's own grant (audit/migrations/0002_editors_see_history.py).
    Group.objects.get(name="editors").permissions.add(
        Permission.objects.get(content_type__app_label="audit", codename="view_historyrecord")
    )


@pytest.fixture(autouse=True)
def _empty_page_cache():
    """Every test starts with no cached page (the locmem cache outlives a test's rollback,
    and the corpus version restarts with each test's database)."""
    from django.core.cache import caches

    caches[settings.GLOSS_PAGE_CACHE].clear()
