"""`manage.py export_qdpx PATH [--tag SLUG ...] [...]`: the passages as a REFI-QDA project."""

import os
import tempfile
from pathlib import Path

from django.contrib.auth.models import AnonymousUser
from django.core.management.base import BaseCommand, CommandError
from django.http import QueryDict

from annotations.models import Annotation
from publishing.filters import PassageFilterSet
from publishing.refi.project import exported_passages, qdpx_chunks

REPEATABLE = ("tag", "outlet", "organization")
SINGLE = ("q", "published_after", "published_before", "annotator", "article")


class _Everyone:
    """The command's reader: it sees drafts, as staff do (the operator runs it)."""

    is_authenticated = True
    is_staff = True


class Command(BaseCommand):
    help = (
        "Write the passages (the filters of /passages/) as a .qdpx project for NVivo, "
        "ATLAS.ti, MAXQDA and QualCoder."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", type=Path)
        for name in REPEATABLE:
            parser.add_argument(f"--{name}", action="append", default=[], metavar="SLUG")
        for name in SINGLE:
            parser.add_argument(f"--{name.replace('_', '-')}", dest=name)
        parser.add_argument(
            "--published-only",
            action="store_true",
            help="Only what anonymous visitors see (published passages of published articles).",
        )

    def handle(self, *args, path: Path, published_only: bool, **options):
        data = QueryDict(mutable=True)
        for name in REPEATABLE:
            data.setlist(name, options[name])
        for name in SINGLE:
            if options[name] is not None:
                data[name] = options[name]
        user = AnonymousUser() if published_only else _Everyone()
        filterset = PassageFilterSet(data or None, queryset=Annotation.objects.visible_to(user))
        if filterset.is_bound and not filterset.is_valid():
            raise CommandError(
                "; ".join(
                    f"--{field.replace('_', '-')}: {' '.join(errors)}"
                    for field, errors in filterset.form.errors.items()
                )
            )
        passages = filterset.qs
        directory = path.resolve().parent
        if not directory.is_dir():
            raise CommandError(f"{path}: no such folder {directory}")
        count = exported_passages(passages).count()
        handle, temporary = tempfile.mkstemp(dir=directory, suffix=".qdpx.part")
        try:
            with os.fdopen(handle, "wb") as out:
                for chunk in qdpx_chunks(passages):
                    out.write(chunk)
            umask = os.umask(0)
            os.umask(umask)
            os.chmod(temporary, 0o666 & ~umask)  # mkstemp made it private
            os.replace(temporary, path)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise
        self.stdout.write(f"Wrote {count} passages to {path}.")
