"""Personal API tokens (not corpus data: no version bump, no history)."""

from django.core.exceptions import ValidationError
from django.db import transaction

from annotations.models import ApiToken


@transaction.atomic(durable=True)
def api_token_create(*, user, name: str, token: ApiToken | None = None) -> str:
    """Create a personal API token for `user`; returns the key, which is never stored."""
    if not name.strip():
        raise ValidationError({"name": ValidationError("Name the token.", code="required")})
    key = ApiToken.generate_key()
    token = token or ApiToken()
    token.user, token.name = user, name.strip()
    token.key_prefix, token.key_sha256 = key[:8], ApiToken.hash_key(key)
    token.full_clean()
    token.save()
    return key


@transaction.atomic(durable=True)
def api_token_rename(*, token: ApiToken, name: str) -> ApiToken:
    """Give a token another name (its key stays)."""
    if not name.strip():
        raise ValidationError({"name": ValidationError("Name the token.", code="required")})
    token.name = name.strip()
    token.full_clean()
    token.save(update_fields=["name"])
    return token


@transaction.atomic(durable=True)
def api_tokens_revoke(*, tokens, at) -> int:
    """Revoke every token of `tokens` not revoked yet; returns how many."""
    return tokens.filter(revoked=None).update(revoked=at)
