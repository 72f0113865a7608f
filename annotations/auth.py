"""Who is calling the JSON API: a personal token (scripts) or the session (the workspace).

Token requests carry no cookies, so they are exempt from CSRF; session requests that
change anything must pass Django's own CSRF check, exactly as a form post would.
"""

from dataclasses import dataclass

from django.contrib.auth.models import AnonymousUser
from django.middleware.csrf import CsrfViewMiddleware
from django.utils import timezone

from annotations.models import ApiToken


class InvalidToken(Exception):
    """The Authorization header is malformed, or names no active token."""


@dataclass(frozen=True, slots=True)
class Caller:
    user: object
    by_token: bool


def caller_for(request) -> Caller:
    """The user behind `request`: the token's owner if it sends `Authorization: Bearer`,
    otherwise the session user (possibly anonymous). Raises InvalidToken."""
    header = request.headers.get("Authorization")
    if header is None:
        return Caller(user=getattr(request, "user", None) or AnonymousUser(), by_token=False)
    scheme, _, key = header.partition(" ")
    key = key.strip()
    if scheme.lower() != "bearer" or not key:
        raise InvalidToken("Send the token as `Authorization: Bearer <token>`.")
    token = (
        ApiToken.objects.active()
        .select_related("user")
        .filter(key_sha256=ApiToken.hash_key(key))
        .first()
    )
    if token is None:
        raise InvalidToken("The token is unknown or revoked.")
    # update() rather than save(): no full-row write, no race with a concurrent revoke.
    ApiToken.objects.filter(pk=token.pk).update(last_used=timezone.now())
    return Caller(user=token.user, by_token=True)


class _CsrfCheck(CsrfViewMiddleware):
    def _reject(self, request, reason):
        return reason


def csrf_failure(request) -> str | None:
    """Why the session request fails Django's CSRF check, or None if it passes."""
    check = _CsrfCheck(lambda _request: None)
    check.process_request(request)
    return check.process_view(request, None, (), {})
