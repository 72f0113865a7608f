"""The backup file: a header line, one row per line, and a trailer that proves it is whole.

    {"format":"gloss-backup","version":4,"with_passwords":false}
    {"fields":{...},"model":"auth.user","pk":1}
    ...
    {"counts":{"auth.user":1,...},"format":"gloss-backup-end","sha256":"..."}

The trailer carries the number of rows per model (every model, zeros included) and the
SHA-256 of every byte before it, each line counted with its "\\n". A file cut short has no
trailer (or a broken one), a file edited by hand has the wrong checksum: both are refused
before anything is imported. Version 1 (before the trailer existed) cannot be verified
and is refused.

A version names the tables a file holds: its trailer counts exactly those. Version 3 added
the web importer's snapshots; a version-2 file is read as one with none (its trailer does
not count them, and a snapshot row in it is refused). Version 4 added the coding rounds
(rounds, done marks, adjudications) and the coders' answers to suggestions (accepted,
dismissed); a version-2 or 3 file is read as one with none, in the
same way. An older Gloss refuses a newer file by its version instead of misreading it.
"""

import hashlib
import json
from collections.abc import Iterable, Iterator

FORMAT = "gloss-backup"
END = "gloss-backup-end"
VERSION = 4
OLDEST = 2  # the oldest version this Gloss reads
# Tables added since version 2, with the version that added them: a file of an older
# version has no rows of them and its trailer does not count them.
ADDED_MODELS = {
    "intake.snapshot": 3,
    "rounds.round": 4,
    "rounds.donemark": 4,
    "rounds.adjudication": 4,
    "suggestions.suggestiondecision": 4,
    "annotations.tagfield": 4,
}
# Columns added since version 2 was defined, with the value a row written before them
# means: an older version-2 backup still imports (its tags simply have no parent, its
# passages no source id, none is a coding round's consensus, and none holds tag field
# values). Every export writes them.
ADDED_FIELDS = {
    "annotations.annotation": {"source_id": "", "adjudicated": False, "fields": {}},
    # The codebook's example passage and sibling order; an organization's parent.
    "annotations.tag": {"parent_id": None, "example_passage_id": None, "position": 0},
    "articles.organization": {"parent_id": None},
}


class BackupProblem(Exception):
    """A backup that cannot be imported (or a database it cannot be imported into)."""


def dump(value) -> str:
    """One line of the file (without its newline): the same value always gives the same text."""
    return json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


class Writer:
    """Frames rows as a backup: `header()`, then `row()` for each, then `trailer()`."""

    def __init__(self, models: list[str]):
        self.counts = dict.fromkeys(models, 0)
        self.hash = hashlib.sha256()

    def _line(self, value) -> str:
        line = dump(value)
        self.hash.update(line.encode("utf-8") + b"\n")
        return line

    def header(self, *, with_passwords: bool) -> str:
        return self._line({"format": FORMAT, "version": VERSION, "with_passwords": with_passwords})

    def row(self, row: dict) -> str:
        self.counts[row["model"]] += 1
        return self._line(row)

    def trailer(self) -> str:
        return dump({"counts": self.counts, "format": END, "sha256": self.hash.hexdigest()})


def _texts(lines: Iterable[str | bytes]) -> Iterator[tuple[int, str, bytes]]:
    """(line number, text without its newline, the bytes the checksum covers)."""
    for number, line in enumerate(lines, start=1):
        if isinstance(line, bytes):
            raw = line.removesuffix(b"\n")
            try:
                text = raw.decode("utf-8")
            except UnicodeDecodeError:
                raise BackupProblem(f"line {number}: not UTF-8 text") from None
        else:
            text = line.removesuffix("\n")
            raw = text.encode("utf-8")
        yield number, text, raw + b"\n"


def _header(number: int, item) -> dict:
    if not isinstance(item, dict) or item.get("format") != FORMAT:
        raise BackupProblem(f"line {number}: not a Gloss backup (no gloss-backup header)")
    version = item.get("version")
    if version == 1:
        raise BackupProblem(
            "line 1: backup format version 1 has no trailer, so it cannot be checked for "
            f"damage; this Gloss reads versions {OLDEST} to {VERSION} (see README, Backups)"
        )
    if type(version) is not int or not OLDEST <= version <= VERSION:
        raise BackupProblem(
            f"line 1: backup format version {version!r} is not supported "
            f"(this Gloss reads versions {OLDEST} to {VERSION})"
        )
    return item


def models_of(version: int, models: list[str]) -> list[str]:
    """The models a file of `version` holds, in order."""
    return [label for label in models if ADDED_MODELS.get(label, OLDEST) <= version]


def _check_trailer(number: int, item: dict, counts: dict[str, int], digest: str) -> None:
    claimed = item.get("counts")
    if not isinstance(claimed, dict) or not isinstance(item.get("sha256"), str):
        raise BackupProblem(f"line {number}: the trailer has no counts or no sha256")
    if claimed != counts:
        # Labels this Gloss does not know (a hand-made trailer) come last, by name.
        wrong = [*counts, *sorted(set(claimed) - set(counts), key=str)]
        detail = ", ".join(
            f"{label}: {counts[label] if label in counts else 'no such table'} in the file, "
            f"{claimed[label] if label in claimed else 'no count'} in the trailer"
            for label in wrong
            if label not in claimed or label not in counts or claimed[label] != counts[label]
        )
        raise BackupProblem(f"line {number}: row counts disagree with the trailer ({detail})")
    if item["sha256"] != digest:
        raise BackupProblem(
            f"line {number}: checksum mismatch: the rows before the trailer are not the ones "
            "it was written for (the file was changed or damaged)"
        )


def read(lines: Iterable[str | bytes], models: list[str]) -> Iterator[dict]:
    """The header first, then every row (`line` added), in the order of `models`, as they
    are read. Raises BackupProblem on anything malformed, and at the end unless a valid
    trailer closes the file: a caller that consumes it all before writing writes nothing
    from a damaged file. A file of an older version may hold only the models it had."""
    counts: dict[str, int] = {}
    order: dict[str, int] = {}
    digest = hashlib.sha256()
    header = trailer = None
    last_model = 0
    number = 0
    for number, text, raw in _texts(lines):
        if trailer is not None:
            if text.strip():
                raise BackupProblem(f"line {number}: data after the trailer")
            continue
        if not text.strip():
            digest.update(raw)
            continue
        try:
            item = json.loads(text)
        except ValueError:
            raise BackupProblem(f"line {number}: not JSON (is the file cut short?)") from None
        if header is None:
            header = _header(number, item)
            models = models_of(header["version"], models)
            counts = dict.fromkeys(models, 0)
            order = {label: index for index, label in enumerate(models)}
            digest.update(raw)
            yield header
            continue
        if isinstance(item, dict) and item.get("format") == END:
            _check_trailer(number, item, counts, digest.hexdigest())
            trailer = item
            continue
        digest.update(raw)
        if isinstance(item, dict) and item.get("model") in ADDED_MODELS.keys() - order.keys():
            raise BackupProblem(
                f"line {number}: a {item['model']} row in a version {header['version']} "
                f"backup (that version has no {item['model']} rows)"
            )
        if (
            not isinstance(item, dict)
            or item.get("model") not in order
            or not isinstance(item.get("pk"), int)
            or not isinstance(item.get("fields"), dict)
        ):
            raise BackupProblem(f"line {number}: not a row of a known model")
        if order[item["model"]] < last_model:
            raise BackupProblem(
                f"line {number}: a {item['model']} row after {models[last_model]} rows "
                "(rows must stay in the order export_backup writes them)"
            )
        last_model = order[item["model"]]
        counts[item["model"]] += 1
        item["line"] = number
        yield item
    if header is None:
        raise BackupProblem("empty file: no gloss-backup header")
    if trailer is None:
        raise BackupProblem(
            f"no trailer after line {number}: the backup is incomplete (cut short?)"
        )


def verify(lines: Iterable[str | bytes], models: list[str]) -> dict:
    """Read the whole backup without keeping it; returns its header."""
    rows = read(lines, models)
    header = next(rows)
    for _ in rows:
        pass
    return header
