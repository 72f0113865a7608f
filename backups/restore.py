"""Importing a backup (`manage.py import_backup`): the file verified whole, then one
transaction that streams its rows in by batches and checks the trailer again before it
ends. The format and what it holds: `backups.archive`.
"""

import binascii
from base64 import b64decode
from collections.abc import Iterable, Iterator
from contextlib import contextmanager

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.core.management.color import no_style
from django.db import DataError, IntegrityError, connection

from annotations.models import Annotation, Tag
from articles.models import Article, ArticleRevision, Organization, Outlet
from audit.models import HistoryRecord
from backups.archive import (
    BATCH,
    CONTENT_MODELS,
    LINKS,
    MODELS,
    SNAPSHOT_BATCH,
    USER_FIELDS,
    label_of,
)
from backups.format import ADDED_FIELDS, BackupProblem, read, verify
from cms.bulk import converter, indexes_built_after, insert_values
from cms.bulk import insert as insert_rows
from echoes.index import index_models, index_new
from intake.models import ImportBatch, Snapshot
from publishing.hooks import corpus_write
from publishing.rebuild import facet_counts_rebuild
from rounds.models import Round
from suggestions.models import SuggestionDecision


@contextmanager
def _keeping_timestamps(models):
    """Let rows keep their stored created/modified times (auto_now would stamp 'now')."""
    saved = []
    for model in models:
        for field in model._meta.concrete_fields:
            if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
                saved.append((field, field.auto_now, field.auto_now_add))
                field.auto_now = field.auto_now_add = False
    try:
        yield
    finally:
        for field, auto_now, auto_now_add in saved:
            field.auto_now, field.auto_now_add = auto_now, auto_now_add


def _occupied() -> list[str]:
    return [
        str(model._meta.verbose_name_plural)
        for model in [get_user_model(), Outlet, Organization, Article, Annotation, Snapshot]
        if model.objects.exists()
    ]


def _wipe() -> None:
    # The batches' items point at snapshots and articles that are about to go.
    ImportBatch.objects.all().delete()
    # Coding rounds point at articles, passages and accounts (their done marks and
    # adjudications go with them).
    Round.objects.all().delete()
    SuggestionDecision.objects.all().delete()
    # Only the ids: the collector would otherwise load every page to delete it.
    Snapshot.objects.only("pk").delete()
    HistoryRecord.objects.all().delete()
    Annotation.objects.all().delete()
    ArticleRevision.objects.all().delete()
    Article.objects.all().delete()
    Organization.objects.all().delete()
    Outlet.objects.all().delete()
    get_user_model().objects.all().delete()


def import_lines(lines: Iterable[str | bytes], *, replace: bool = False) -> dict[str, int]:
    """Import a backup; returns rows per model. Raises BackupProblem and writes nothing.

    A sequence is read twice: verified whole before anything is touched, then imported.
    `import_backup` passes each pass its own reading of the file, so nothing is held.
    """
    if not isinstance(lines, Iterator):
        verify(lines, MODELS)
    return import_verified(lines, replace=replace)


def import_verified(lines: Iterable[str | bytes], *, replace: bool = False) -> dict[str, int]:
    """The import itself, streaming: rows go in by batches as they are read. The trailer is
    checked again at the end, inside the transaction, so a file that changed since it was
    verified still imports nothing."""
    try:
        return _import(lines, replace=replace)
    except (IntegrityError, DataError, ValidationError, TypeError, ValueError) as error:
        # A value of the wrong type, a dangling id, a duplicate: the transaction rolled back.
        raise BackupProblem(f"rejected by the database, nothing imported: {error}") from None


class _Importer:
    """Turns rows into objects and inserts them BATCH at a time, model by model."""

    def __init__(self):
        self.User = get_user_model()
        self.content_types = {
            f"{ct.app_label}.{ct.model}": ct.pk for ct in ContentType.objects.all()
        }
        self.groups = {group.name: group for group in Group.objects.all()}
        self.permissions = {
            f"{app_label}.{codename}": pk
            for pk, app_label, codename in Permission.objects.values_list(
                "pk", "content_type__app_label", "codename"
            )
        }
        self.counts = dict.fromkeys(MODELS, 0)
        self.label = None
        self.columns: dict[type, _Columns] = {}
        self.objects, self.memberships, self.grants, self.bodies = [], [], [], []
        self.links: dict[type, tuple[str, str, list]] = {}

    def add(self, row: dict) -> None:
        if row["model"] != self.label:
            self.flush()
            self.label = row["model"]
        if self.label == "auth.user":
            self._add_user(row)
        else:
            self._add_content(row)
        if len(self.objects) >= (SNAPSHOT_BATCH if self.label == label_of(Snapshot) else BATCH):
            self.flush()

    def _add_user(self, row: dict) -> None:
        User, fields = self.User, row["fields"]
        user = User(pk=row["pk"])
        for name in USER_FIELDS:
            field = User._meta.get_field(name)
            setattr(user, name, field.to_python(fields.get(name)))
        user.password = fields.get("password") or "!"  # unusable without the hash
        self.objects.append(user)
        for name in fields.get("groups", []):
            if name not in self.groups:
                self.groups[name] = Group.objects.create(name=name)
            self.memberships.append(
                User.groups.through(user_id=user.pk, group_id=self.groups[name].pk)
            )
        for label in fields.get("user_permissions", []):
            if label not in self.permissions:
                raise BackupProblem(f"line {row['line']}: unknown permission {label}")
            self.grants.append(
                User.user_permissions.through(
                    user_id=user.pk, permission_id=self.permissions[label]
                )
            )

    def _add_content(self, row: dict) -> None:
        model = CONTENT_MODELS[MODELS.index(self.label) - 1]
        fields = row["fields"]
        if model is HistoryRecord:
            label = fields.get("content_type_id")
            if label not in self.content_types:
                raise BackupProblem(f"line {row['line']}: unknown content type {label}")
            fields = {**fields, "content_type_id": self.content_types[label]}
        elif model is Snapshot:
            fields = {**fields, "html": _binary(row, "html")}
        self.objects.append(self._columns(model).values(row, fields))
        if model is Article:
            self.bodies.append((row["pk"], fields.get("body")))
        for name, (through, owner_column, other_column) in LINKS.get(model, {}).items():
            others = fields.get(name, [])
            if not isinstance(others, list):
                raise BackupProblem(f"line {row['line']}: {name} is not a list of ids")
            self.links.setdefault(through, (owner_column, other_column, []))[2].extend(
                (row["pk"], other) for other in others
            )

    def _columns(self, model) -> "_Columns":
        if model not in self.columns:
            self.columns[model] = _Columns(model)
        return self.columns[model]

    def flush(self) -> None:
        if not self.objects:
            return
        if self.label == "auth.user":
            _insert(self.objects)
            for links in (self.memberships, self.grants):
                if links:
                    _insert(links)
        else:
            model = CONTENT_MODELS[MODELS.index(self.label) - 1]
            insert_values(model, self._columns(model).names, self.objects)
            # A round's links are of three kinds (articles, coders, tags): one insert each.
            for through, (owner_column, other_column, pairs) in self.links.items():
                insert_values(through, [owner_column, other_column], pairs)
            if self.bodies:
                _index_bodies(self.bodies)
        self.counts[self.label] += len(self.objects)
        self.objects, self.memberships, self.grants, self.bodies = [], [], [], []
        self.links = {}


class _Columns:
    """How one model's rows go from the file to the database: each column's value read
    from the row's fields (`to_python`, which refuses a value of the wrong kind), then made
    what the driver takes (`cms.bulk.converter`), into a plain row for `insert_values`.
    No model instances: for 100,000 passages, building and preparing them was most of the
    import's time."""

    def __init__(self, model):
        self.label = label_of(model)
        self.defaults = ADDED_FIELDS.get(self.label, {})
        fields = [f for f in model._meta.concrete_fields if not f.primary_key]
        self.names = [model._meta.pk.attname, *(f.attname for f in fields)]
        self.required = frozenset(f.attname for f in fields)
        self.order = [f.attname for f in fields]
        self.steps = [(f.attname, f.to_python, converter(f, connection)) for f in fields]

    def values(self, row: dict, fields: dict) -> list:
        if self.defaults:
            fields = {**self.defaults, **fields}
        if not self.required <= fields.keys():
            missing = next(name for name in self.order if name not in fields)
            raise BackupProblem(f"line {row['line']}: {self.label} without {missing}")
        values = [row["pk"]]
        for attname, to_python, convert in self.steps:
            value = to_python(fields[attname])
            if convert is not None and value is not None:
                value = convert(value)
            values.append(value)
        return values


def _index_bodies(bodies: list[tuple[int, str]]) -> None:
    """The echo index of articles just imported, from the bodies in hand (the backup holds
    no derived tables), written as the articles are, instead of reading every body back
    afterwards (`echoes.index.reindex_all`)."""
    index_new((pk, body) for pk, body in bodies if isinstance(body, str))


def _insert(objects: list) -> None:
    """Insert new rows of one model (accounts and their links: few)."""
    insert_rows(objects)


def _rebuild_derived() -> None:
    """The derived tables the backup does not hold, rebuilt from the imported rows, once,
    at the end of the import (inside its transaction). A new derived table adds its
    rebuild here. The echo index of the bodies is already written, article batch by
    article batch (`_index_bodies`)."""
    facet_counts_rebuild()


def _import(lines: Iterable[str | bytes], *, replace: bool) -> dict[str, int]:
    rows = read(lines, MODELS)
    header = next(rows)  # a wrong format or version is refused before the transaction
    with corpus_write(), _keeping_timestamps(CONTENT_MODELS):
        if replace:
            _wipe()
        occupied = _occupied()
        if occupied:
            raise BackupProblem(
                "the database already holds " + ", ".join(occupied) + "; import into an empty "
                "database, or pass --replace to delete them first"
            )
        # The starting tags the migrations make give way to the backup's own (unnested
        # first: a parent tag is protected while it has sub-tags).
        Tag.objects.update(parent=None)
        Tag.objects.all().delete()
        importer = _Importer()
        with indexes_built_after(_loaded_models()):
            for row in rows:  # ends with the trailer check: a bad one rolls all this back
                importer.add(row)
            importer.flush()
        _check_references()
        _reset_sequences([get_user_model(), *CONTENT_MODELS])
        _rebuild_derived()
    return {**importer.counts, "with_passwords": bool(header.get("with_passwords"))}


def _loaded_models() -> list:
    """The tables the import fills (all empty before it): the content, their links, and
    the echo index written from the bodies."""
    links = [through for fields in LINKS.values() for through, _, _ in fields.values()]
    return [*CONTENT_MODELS, *links, *index_models()]


def _binary(row: dict, name: str) -> bytes:
    """A base64 field, strictly: anything but the alphabet and its padding is refused."""
    value = row["fields"].get(name)
    try:
        return b64decode(value, validate=True)
    except (TypeError, ValueError, binascii.Error):
        raise BackupProblem(f"line {row['line']}: {name} is not base64") from None


def _check_references() -> None:
    """Check every foreign key now, inside the transaction, not at a commit that may be an
    outer transaction's: a dangling id fails the import here."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute("SET CONSTRAINTS ALL DEFERRED")
    else:
        connection.check_constraints()


def _reset_sequences(models) -> None:
    """Move PostgreSQL's id sequences past the imported ids (SQLite needs nothing)."""
    statements = connection.ops.sequence_reset_sql(no_style(), models)
    if statements:
        with connection.cursor() as cursor:
            for sql in statements:
                cursor.execute(sql)
