"""The personal API tokens scripts send (`Authorization: Bearer <key>`): a model of the
`annotations` app, kept apart from the passages' models (`annotations.models` imports it,
so `from annotations.models import ApiToken` still works)."""

import hashlib
import secrets

from django.conf import settings
from django.db import models


class ApiTokenQuerySet(models.QuerySet):
    def active(self):
        return self.filter(revoked=None, user__is_active=True)


class ApiToken(models.Model):
    """A personal token a script sends as `Authorization: Bearer <key>`.

    Only the SHA-256 of the key is stored; the key itself is shown once, when created.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens"
    )
    name = models.CharField(max_length=100, help_text="What the token is for.")
    key_prefix = models.CharField(max_length=8, editable=False)
    key_sha256 = models.CharField(max_length=64, unique=True, editable=False)
    created = models.DateTimeField(auto_now_add=True)
    last_used = models.DateTimeField(null=True, blank=True, editable=False)
    revoked = models.DateTimeField(null=True, blank=True)

    objects = ApiTokenQuerySet.as_manager()

    class Meta:
        ordering = ["-created"]
        verbose_name = "API token"

    def __str__(self) -> str:
        return f"{self.name} ({self.key_prefix}…)"

    @staticmethod
    def hash_key(key: str) -> str:
        return hashlib.sha256(key.encode()).hexdigest()

    @staticmethod
    def generate_key() -> str:
        return secrets.token_urlsafe(32)
