"""What the web importer keeps: the pages it fetched, and the batches editors started."""

import zlib

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse


class Snapshot(models.Model):
    """One fetched (or uploaded) page, kept as it came, for provenance and `reextract`.

    `html` is the raw response body, zlib-compressed; `size` is its uncompressed length in
    bytes and `sha256` the hex SHA-256 of those bytes. `status` is the HTTP status (None for
    a page an editor uploaded). `article` is the article made or revised from it, if any.
    """

    url = models.URLField(max_length=2000, blank=True, help_text="The URL asked for.")
    final_url = models.URLField(max_length=2000, blank=True, help_text="After redirects.")
    file_name = models.CharField(max_length=255, blank=True, help_text="An uploaded page's name.")
    status = models.PositiveSmallIntegerField(null=True, blank=True)
    content_type = models.CharField(max_length=100, blank=True)
    charset = models.CharField(max_length=40, blank=True)
    fetched_at = models.DateTimeField()
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64, db_index=True)
    html = models.BinaryField()
    article = models.ForeignKey(
        "articles.Article",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="snapshots",
    )

    class Meta:
        ordering = ["-fetched_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(url="") | ~Q(file_name=""), name="intake_snapshot_has_source"
            ),
        ]

    def __str__(self) -> str:
        return self.final_url or self.url or self.file_name

    def get_absolute_url(self) -> str:
        return reverse("intake-snapshot", kwargs={"pk": self.pk})

    @staticmethod
    def compress(body: bytes) -> bytes:
        return zlib.compress(body, level=6)

    def raw(self) -> bytes:
        return zlib.decompress(bytes(self.html))


class ImportBatch(models.Model):
    """A list of URLs or uploaded pages an editor (or `import_urls`) asked to import."""

    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    created = models.DateTimeField(auto_now_add=True)
    article_status = models.CharField(max_length=16, default="published")
    outlet_name = models.CharField(max_length=200, blank=True, help_text="Overrides the page's.")

    class Meta:
        ordering = ["-created", "-id"]
        verbose_name_plural = "import batches"

    def __str__(self) -> str:
        return f"Import batch {self.pk}"

    def get_absolute_url(self) -> str:
        return reverse("intake-batch", kwargs={"pk": self.pk})


class ImportItem(models.Model):
    """One URL or uploaded page of a batch, and how far its import got."""

    class State(models.TextChoices):
        QUEUED = "queued", "Queued"
        FETCHING = "fetching", "Fetching"
        CREATED = "created", "Created"
        UPDATED = "updated", "Updated with a new revision"
        UNCHANGED = "unchanged", "Unchanged"
        FAILED = "failed", "Failed"

    FINISHED = (State.CREATED, State.UPDATED, State.UNCHANGED, State.FAILED)

    batch = models.ForeignKey(ImportBatch, on_delete=models.CASCADE, related_name="items")
    position = models.PositiveIntegerField()
    url = models.URLField(max_length=2000, blank=True)
    file_name = models.CharField(max_length=255, blank=True)
    state = models.CharField(max_length=16, choices=State.choices, default=State.QUEUED)
    reason_code = models.CharField(max_length=40, blank=True)
    reason = models.CharField(max_length=500, blank=True, help_text="Why it failed.")
    snapshot = models.ForeignKey(Snapshot, null=True, blank=True, on_delete=models.SET_NULL)
    article = models.ForeignKey(
        "articles.Article", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    modified = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["batch", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["batch", "position"], name="intake_importitem_position_unique"
            ),
            models.CheckConstraint(
                condition=~Q(url="") | ~Q(file_name=""), name="intake_importitem_has_source"
            ),
        ]

    def __str__(self) -> str:
        return self.url or self.file_name

    @property
    def finished(self) -> bool:
        return self.state in self.FINISHED
