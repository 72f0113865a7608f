"""The loopback page server as a fixture for the import tests."""

import pytest

from tests.intake.server import serving


@pytest.fixture
def site(settings):
    """A page server on 127.0.0.1 (so private addresses are allowed) with no pacing."""
    settings.GLOSS_FETCH_ALLOW_PRIVATE = True
    settings.GLOSS_FETCH_HOST_INTERVAL = 0
    with serving() as site:
        yield site
