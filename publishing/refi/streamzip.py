"""Writing a zip of many entries as a stream, in memory that does not grow with them.

`zipfile` writes the archive; two things here keep its memory flat:

- `Sink`, the write-only file it writes into, handed over piece by piece (`drain()`). It
  cannot seek, so `zipfile` writes each entry with a data descriptor (sizes after the
  data), which is what lets the zip be streamed.
- `CompactEntries`, which stands in for `ZipFile.filelist`. The central directory comes
  last, so `zipfile` keeps a `ZipInfo` per entry until the end, with an index entry by
  name: about 380 bytes an entry (38 MB for 100,000 articles). Entries that differ from
  the one before them only in name, CRC, sizes and offset (a project's texts) are kept as
  five numbers and their name's bytes, under 100 bytes with a GUID's name (48 of them),
  and given back to `zipfile` as `ZipInfo`s one at a time when it writes the directory.

`open_archive()` puts them together: `ZipFile(sink, "w")` with the compact entries.
"""

import zipfile
from array import array

# What may differ between two entries kept compact; every other slot of the `ZipInfo`
# must be equal to the template's (the last entry kept whole).
VARYING = frozenset({"filename", "orig_filename", "CRC", "compress_size", "file_size"})
VARYING |= {"header_offset", "_raw_time", "_end_offset"}
SHARED = tuple(name for name in zipfile.ZipInfo.__slots__ if name not in VARYING)


class Sink:
    """A write-only file the zip writes into; `drain()` hands over what it holds."""

    def __init__(self):
        self.buffer = bytearray()

    def write(self, data) -> int:
        self.buffer += data
        return len(data)

    def flush(self) -> None:
        pass

    def drain(self) -> bytes:
        data = bytes(self.buffer)
        self.buffer.clear()
        return data


def _shared(info: zipfile.ZipInfo) -> tuple:
    return tuple(getattr(info, name, None) for name in SHARED)


class CompactEntries:
    """`ZipFile.filelist` for writing: the entries in order, most of them as numbers.

    `zipfile` only appends to it, takes its length and iterates it (to write the central
    directory); reading an archive is not its use."""

    def __init__(self):
        self.whole: dict[int, zipfile.ZipInfo] = {}  # by position: entries unlike the one before
        self.template: zipfile.ZipInfo | None = None
        self.template_shared: tuple = ()
        self.count = 0
        self.names = bytearray()
        self.name_ends = array("Q")
        self.numbers = array("Q")  # CRC, compressed size, size, offset: four per entry

    def append(self, info: zipfile.ZipInfo) -> None:
        shared = _shared(info)
        alike = (
            self.template is not None
            and shared == self.template_shared
            and info.orig_filename == info.filename
        )
        if alike:
            self.names += info.filename.encode("utf-8")
            self.name_ends.append(len(self.names))
            self.numbers.extend((info.CRC, info.compress_size, info.file_size, info.header_offset))
        else:
            self.whole[self.count] = info
            self.template, self.template_shared = info, shared
        self.count += 1

    def __len__(self) -> int:
        return self.count

    def __iter__(self):
        template = None
        compact = 0  # entries given back from the arrays so far
        for position in range(self.count):
            if position in self.whole:
                template = self.whole[position]
                yield template
                continue
            start = self.name_ends[compact - 1] if compact else 0
            name = self.names[start : self.name_ends[compact]].decode("utf-8")
            info = zipfile.ZipInfo(name, date_time=template.date_time)
            for slot, value in zip(SHARED, _shared(template), strict=True):
                setattr(info, slot, value)
            numbers = self.numbers[4 * compact : 4 * compact + 4]
            info.CRC, info.compress_size, info.file_size, info.header_offset = numbers
            compact += 1
            yield info


class _NoIndex(dict):
    """`ZipFile.NameToInfo` for writing: nothing kept. `zipfile` reads it only to warn of
    a duplicate name and to find entries when reading; the writers here give every
    entry a name of its own (a row's GUID)."""

    def __setitem__(self, name, info) -> None:
        pass


def open_archive(sink: Sink) -> zipfile.ZipFile:
    """A `ZipFile` writing into `sink` that keeps its entries compact."""
    archive = zipfile.ZipFile(sink, "w")
    archive.filelist = CompactEntries()
    archive.NameToInfo = _NoIndex()
    return archive
