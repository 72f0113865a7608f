"""Complete, versioned backups as JSON Lines: `manage.py export_backup` / `import_backup`.

Line 1 is a header, `{"format": "gloss-backup", "version": 4, "with_passwords": ...}`;
then one row per line, `{"model": "app.model", "pk": ..., "fields": {...}}`, models in
dependency order and rows by primary key, keys sorted, so the same database always gives
the same bytes, on SQLite or PostgreSQL; the last line is a trailer with the row count per
model and a SHA-256 of everything before it (`backups.format`). Times keep their
microseconds.

What is in it: user accounts (groups by name; the password hash only with
`--with-passwords`, otherwise imported accounts cannot log in until given a password),
outlets, organizations, articles (mentions as organization ids) with every revision,
tags (with their parent), passages (tags as tag ids), the whole history, the web
importer's snapshots (the pages articles were made from; their stored, compressed bytes in
base64) and the coding rounds: each round with its articles, coders and tags (as ids) and
the agreement it measured when it closed, the coders' done marks, and the adjudications
(the consensus passage each made and the coded passages it came from, as ids). Not in
it: API tokens (people make new ones), sessions, login-throttling records, the admin's own
action log (`django_admin_log`; the history records are the account of every write), the
web importer's batches (job progress records; `--replace` deletes them), and derived
tables, which are recomputed after an import.

Import (`backups.restore`) is all or nothing (the whole file verified first, then one
transaction that checks the trailer again before it ends), into a database that holds no
accounts, outlets, organizations, articles, passages or snapshots (only what the
migrations create: groups are matched by name; the starting tags are replaced by the
backup's). `replace=True` first deletes all of those rows, in the same transaction. Ids
are kept, so links and history stay valid;
PostgreSQL sequences are moved past them.
"""

from base64 import b64encode
from collections.abc import Iterator
from datetime import date, datetime
from typing import IO

from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.db import connection, transaction

from annotations.models import Annotation, Tag, TagField, TaggedAnnotation
from articles.models import Article, ArticleRevision, Organization, Outlet
from audit.models import HistoryRecord
from backups.format import Writer
from intake.models import Snapshot
from rounds.models import Adjudication, DoneMark, Round
from suggestions.models import SuggestionDecision

BATCH = 500
# Snapshots are whole pages (tens of kilobytes each, compressed): fewer at a time.
SNAPSHOT_BATCH = 50
USER_FIELDS = [
    "username",
    "first_name",
    "last_name",
    "email",
    "is_active",
    "is_staff",
    "is_superuser",
    "date_joined",
    "last_login",
]


def label_of(model) -> str:
    return f"{model._meta.app_label}.{model._meta.model_name}"


def _plain(value):
    """A field value as JSON: times in full ISO 8601 (microseconds kept)."""
    if isinstance(value, datetime | date):
        return value.isoformat()
    return value


def _fields(obj, skip=()) -> dict:
    return {
        field.attname: _plain(field.value_from_object(obj))
        for field in obj._meta.concrete_fields
        if not field.primary_key and field.name not in skip
    }


# Models in the order they are written and read back (every FK points backwards; snapshots,
# added in format version 3, and the coding rounds and the coders' answers to suggestions,
# and the tags' field definitions, added in version 4, come last).
CONTENT_MODELS = [
    Outlet,
    Organization,
    Article,
    ArticleRevision,
    Tag,
    Annotation,
    HistoryRecord,
    Snapshot,
    Round,
    DoneMark,
    Adjudication,
    SuggestionDecision,
    TagField,
]
# The many-to-many links written inside their owner's row: field name -> (through model,
# owner column, other column), each list of ids sorted.
LINKS = {
    Article: {"organizations": (Article.organizations.through, "article_id", "organization_id")},
    Annotation: {"tags": (TaggedAnnotation, "content_object_id", "tag_id")},
    Round: {
        "articles": (Round.articles.through, "round_id", "article_id"),
        "coders": (Round.coders.through, "round_id", "user_id"),
        "tags": (Round.tags.through, "round_id", "tag_id"),
    },
    Adjudication: {"sources": (Adjudication.sources.through, "adjudication_id", "annotation_id")},
}
MODELS = ["auth.user", *(label_of(model) for model in CONTENT_MODELS)]


def _users(with_passwords: bool) -> Iterator[dict]:
    User = get_user_model()
    groups: dict[int, list[str]] = {}
    for user_id, name in User.groups.through.objects.values_list("user_id", "group__name"):
        groups.setdefault(user_id, []).append(name)
    permissions: dict[int, list[str]] = {}
    through = User.user_permissions.through.objects.values_list(
        "user_id", "permission__content_type__app_label", "permission__codename"
    )
    for user_id, app_label, codename in through:
        permissions.setdefault(user_id, []).append(f"{app_label}.{codename}")
    for user in User.objects.order_by("pk"):
        fields = {name: _plain(getattr(user, name)) for name in USER_FIELDS}
        fields["groups"] = sorted(groups.get(user.pk, []))
        fields["user_permissions"] = sorted(permissions.get(user.pk, []))
        if with_passwords:
            fields["password"] = user.password
        yield {"model": "auth.user", "pk": user.pk, "fields": fields}


def _rows(model) -> Iterator[dict]:
    queryset = model.objects.order_by("pk")
    # The links of every row, as pairs of ids (a passage's tags are two integers each: even
    # a million of them is far smaller than the rows, which stream).
    extra: dict[str, dict[int, list]] = {}
    for name, (through, owner_column, other_column) in LINKS.get(model, {}).items():
        links = extra[name] = {}
        for owner, other in through.objects.values_list(owner_column, other_column):
            links.setdefault(owner, []).append(other)
    content_types = {ct.pk: f"{ct.app_label}.{ct.model}" for ct in ContentType.objects.all()}
    chunk = SNAPSHOT_BATCH if model is Snapshot else 2000
    for obj in queryset.iterator(chunk_size=chunk):
        fields = _fields(obj)
        if model is Snapshot:
            # The stored bytes as they are (not decompressed and compressed again), so the
            # same snapshot always gives the same text and comes back byte for byte.
            fields["html"] = b64encode(fields["html"]).decode("ascii")
        elif model is HistoryRecord:
            fields["content_type_id"] = content_types[fields["content_type_id"]]
        for name, links in extra.items():
            fields[name] = sorted(links.get(obj.pk, []))
        yield {"model": label_of(model), "pk": obj.pk, "fields": fields}


def export_lines(*, with_passwords: bool = False) -> Iterator[str]:
    """The backup, one JSON text per line (without the newline), the trailer last."""
    writer = Writer(MODELS)
    yield writer.header(with_passwords=with_passwords)
    for row in _users(with_passwords):
        yield writer.row(row)
    for model in CONTENT_MODELS:
        for row in _rows(model):
            yield writer.row(row)
    yield writer.trailer()


def export_backup(out: IO[str], *, with_passwords: bool = False) -> int:
    """Write the backup to `out`; returns the number of rows. One read transaction, so the
    dump is a consistent picture even while people keep working."""
    count = 0
    outermost = not connection.in_atomic_block
    with transaction.atomic():
        if connection.vendor == "postgresql" and outermost:
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY")
        for line in export_lines(with_passwords=with_passwords):
            out.write(line + "\n")
            count += 1
    return count - 2  # header and trailer
