"""API token authentication, as a Django authentication backend.

`cms.jsonapi` reads `Authorization: Bearer <key>` and asks Django's `authenticate(request,
api_token=key)`; this backend answers with the token's owner. The JSON plumbing so never
imports this app (cms imports no app).
"""

from django.contrib.auth.backends import BaseBackend
from django.utils import timezone

from annotations.models import ApiToken


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
        ApiToken.objects.filter(pk=token.pk).update(last_used=timezone.now())
        return token.user


def is_token_attempt(request, credentials) -> bool:
    """AXES_WHITELIST_CALLABLE: django-axes throttles password logins, not tokens.

    Keys are 256-bit random, so guessing one is hopeless; counted, a few bad tokens from
    one address would lock every token from it out, with axes' HTML page instead of the
    API's JSON 401.
    """
    return "api_token" in (credentials or {})
