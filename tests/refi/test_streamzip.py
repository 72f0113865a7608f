"""`publishing.refi.streamzip`: the same zip as `zipfile` writes, with a central directory
kept as numbers until the end."""

import gc
import io
import tracemalloc
import uuid
import zipfile

from publishing.refi.streamzip import CompactEntries, Sink, open_archive

STAMP = (2026, 12, 4, 13, 30, 0)


class PlainSink:
    """What `project.py` wrote into before: unseekable, so zipfile writes data descriptors."""

    def __init__(self):
        self.buffer = bytearray()

    def write(self, data):
        self.buffer += data
        return len(data)

    def flush(self):
        pass


def write_project(archive, drain, *, sources: int) -> bytes:
    """A project's shape: one large deflated entry first, then many small stored ones
    named by GUID, one with a non-ASCII name (another flag bit: kept whole), and a
    last entry compressed differently."""
    out = bytearray()
    head = zipfile.ZipInfo("project.qde", date_time=STAMP)
    head.compress_type, head.compress_level = zipfile.ZIP_DEFLATED, 1
    with archive.open(head, "w", force_zip64=True) as qde:
        qde.write(b"<Project>" + b"<x/>" * 5000 + b"</Project>")
    out += drain()
    for n in range(sources):
        name = f"sources/{uuid.UUID(int=n + 1)}.txt"
        if n == sources // 2:
            name = "sources/caf\u00e9 \U0001f4f0.txt"
        entry = zipfile.ZipInfo(name, date_time=STAMP)
        entry.compress_type = zipfile.ZIP_STORED
        with archive.open(entry, "w", force_zip64=True) as source:
            source.write(f"Article {n}: \u00a0text \U0001f600 {n * 7}".encode())
        out += drain()
    tail = zipfile.ZipInfo("notes.txt", date_time=STAMP)
    tail.compress_type = zipfile.ZIP_DEFLATED
    with archive.open(tail, "w") as notes:
        notes.write(b"notes " * 100)
    archive.close()
    out += drain()
    return bytes(out)


def plain_zip(sources: int) -> bytes:
    sink = PlainSink()

    def drain():
        data = bytes(sink.buffer)
        sink.buffer.clear()
        return data

    return write_project(zipfile.ZipFile(sink, "w"), drain, sources=sources)


def compact_zip(sources: int) -> bytes:
    sink = Sink()
    return write_project(open_archive(sink), sink.drain, sources=sources)


def test_the_archive_is_byte_for_byte_what_zipfile_writes():
    ours, theirs = compact_zip(3000), plain_zip(3000)
    assert len(ours) > 3000 * 40
    assert ours == theirs


def test_the_archive_reads_back_entry_by_entry():
    archive = zipfile.ZipFile(io.BytesIO(compact_zip(2500)))
    assert archive.testzip() is None
    names = archive.namelist()
    assert len(names) == 2502
    assert names[0] == "project.qde"
    assert names[-1] == "notes.txt"
    assert "sources/caf\u00e9 \U0001f4f0.txt" in names
    name = f"sources/{uuid.UUID(int=42)}.txt"
    assert archive.read(name).decode() == "Article 41: \u00a0text \U0001f600 287"
    assert archive.getinfo(name).flag_bits & 0x08  # sizes in a data descriptor: streamed
    assert archive.getinfo("project.qde").compress_type == zipfile.ZIP_DEFLATED


def test_entries_unlike_the_one_before_are_kept_whole():
    sink = Sink()
    archive = open_archive(sink)
    write_project(archive, sink.drain, sources=10)
    entries = archive.filelist
    assert isinstance(entries, CompactEntries)
    assert len(entries) == 12
    # project.qde, the first source (stored, not deflated) and notes.txt. A non-ASCII
    # name stays compact: zipfile sets its UTF-8 flag as it writes each header.
    assert sorted(entries.whole) == [0, 1, 11]
    assert [info.filename for info in entries][2] == f"sources/{uuid.UUID(int=2)}.txt"


def directory_bytes(entries_kind, sources: int) -> int:
    """Bytes the archive still holds for its directory once every entry is written."""
    tracemalloc.start()
    try:
        if entries_kind == "compact":
            sink = Sink()
            archive, drain = open_archive(sink), sink.drain
        else:
            sink = PlainSink()
            archive = zipfile.ZipFile(sink, "w")

            def drain():
                sink.buffer.clear()
                return b""

        before = tracemalloc.get_traced_memory()[0]
        for n in range(sources):
            entry = zipfile.ZipInfo(f"sources/{uuid.UUID(int=n + 1)}.txt", date_time=STAMP)
            with archive.open(entry, "w", force_zip64=True) as source:
                source.write(b"text")
            drain()
        held = tracemalloc.get_traced_memory()[0] - before
        archive.close()
        return held
    finally:
        tracemalloc.stop()


def marginal_bytes(entries_kind, sources: int) -> float:
    """What `sources` more entries add to the directory: the difference between two
    archives, so that what the process allocates once on the way (a cache another test
    left half-grown, an arena) is not counted against the entries."""
    gc.collect()
    small = directory_bytes(entries_kind, sources)
    gc.collect()
    return directory_bytes(entries_kind, 2 * sources) - small


def test_the_directory_costs_a_few_numbers_an_entry():
    sources = 20_000
    compact = marginal_bytes("compact", sources)
    plain = marginal_bytes("plain", sources)
    # A GUID's name is 48 bytes of the 95 or so.
    assert compact / sources < 100, compact / sources
    assert plain > 3.5 * compact, (plain / sources, compact / sources)
