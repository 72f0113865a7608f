"""API token authentication, as a Django authentication backend.

`cms.jsonapi` reads `Authorization: Bearer <key>` and asks Django's `authenticate(request,
api_token=key)`; this backend answers with the token's owner. The JSON plumbing so never
imports this app (cms imports no app).
"""

from datetime import timedelta

from django.contrib.auth.backends import BaseBackend
from django.utils import timezone

from annotations.models import ApiToken

# How stale `ApiToken.last_used` may be: it says when a token was last used, to the minute.
LAST_USED_EVERY = timedelta(minutes=1)


class ApiTokenBackend(BaseBackend):
    """Authenticates `api_token=<key>`: the owner of the active token whose SHA-256 it is,
    or None for an unknown or revoked token, or a deactivated owner."""

    def authenticate(self, request, api_token=None, **kwargs):
        if not api_token:
            return None
        token = (
            ApiToken.objects.active()
            .select_related("user")
            .filter(key_sha256=ApiToken.hash_key(api_token))
            .first()
        )
        if token is None:
            return None
        # update() rather than save(): no full-row write, no race with a concurrent revoke.
        # At most once a minute: clients writing in parallel with one token would otherwise
        # queue on its row, one request after the other.
        now = timezone.now()
        if token.last_used is None or now - token.last_used >= LAST_USED_EVERY:
            ApiToken.objects.filter(pk=token.pk).update(last_used=now)
        return token.user


def is_token_attempt(request, credentials) -> bool:
    """AXES_WHITELIST_CALLABLE: django-axes throttles password logins, not tokens.

    Keys are 256-bit random, so guessing one is hopeless; counted, a few bad tokens from
    one address would lock every token from it out, with axes' HTML page instead of the
    API's JSON 401.
    """
    return "api_token" in (credentials or {})
