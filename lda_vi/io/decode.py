"""Opening inputs: decompression, binary sniffing, strict decoding, lines of text or bytes.

The one place where input files (and standard input) are opened. gzip, bzip2 and xz are
recognized by their first bytes and read transparently; a zip archive is refused. Text is
decoded strictly in the given ``encoding``; a bad byte is reported with the file, line and
byte. A UTF-8 byte-order mark at the start of a file is dropped. Every problem is an
:class:`~lda_vi.errors.InputError` of one line.
"""

from __future__ import annotations

import bz2
import codecs
import contextlib
import gzip
import io
import lzma
import sys
import zlib
from collections.abc import Iterable, Iterator
from typing import BinaryIO

from lda_vi.errors import InputError
from lda_vi.io.detect import DESCRIPTION, display_name

SNIFF_BYTES = 8192  # bytes examined for NUL bytes (binary files)
STDIN_NAME = "standard input"


def check_encoding(encoding: str) -> bool:
    """Validate ``encoding``; return True if it is ASCII-compatible (lines split on b"\\n")."""
    try:
        codecs.lookup(encoding)
        probe = "\n\r az".encode(encoding)
    except (LookupError, TypeError):
        raise InputError(
            f"unknown text encoding {encoding!r}; give a Python codec name such as "
            "utf-8, latin-1, cp1252 or utf-16 (encoding)", params=("encoding",)
        ) from None
    return probe == b"\n\r az"


def decode_error(name: str, where: str, encoding: str, bad: bytes) -> InputError:
    return InputError(
        f"{name}, {where}: bytes that are not valid {encoding} (0x{bad.hex()}); "
        "pass the file's real encoding (e.g. encoding='latin-1') or convert it to UTF-8",
        params=("encoding",)
    )


def decode_failure(name: str, where: str, encoding: str, e: UnicodeError) -> InputError:
    """:func:`decode_error` for any UnicodeError (a codec may raise one without the bytes)."""
    if isinstance(e, UnicodeDecodeError):
        return decode_error(name, where, encoding, e.object[e.start : e.end])
    return InputError(
        f"{name}, {where}: not valid {encoding} ({e}); pass the file's real encoding "
        "(e.g. encoding='latin-1') or convert it to UTF-8", params=("encoding",)
    )


def sniff_binary(head: bytes, name: str, ascii_compatible: bool) -> None:
    """Raise InputError if ``head`` (the first bytes of a stream) shows a binary file."""
    if not ascii_compatible or b"\0" not in head:
        return
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        raise InputError(
            f"{name} looks like UTF-16 text (it starts with a UTF-16 byte-order mark); "
            "pass encoding='utf-16' or convert it to UTF-8", params=("encoding",)
        )
    raise InputError(
        f"{name} looks like a binary file (it has NUL bytes in its first 8 KiB); "
        "give plain text, one document per line, or a directory of .txt files"
    )


def strip_bom(text: str) -> str:
    return text[1:] if text.startswith("\ufeff") else text


def _head_lines(head: bytes, stream: BinaryIO) -> Iterator[bytes]:
    """Lines (without b"\\n" and a trailing b"\\r") of ``head`` followed by ``stream``."""
    pieces = head.split(b"\n")
    tail = pieces.pop()  # an unfinished line, completed by the stream
    for raw in pieces:
        yield raw[:-1] if raw.endswith(b"\r") else raw
    for raw in stream:
        if tail:
            raw, tail = tail + raw, b""
        if not raw.endswith(b"\n"):
            tail = raw  # the last line, with no newline: the stream is at its end
            break
        raw = raw[:-1]
        yield raw[:-1] if raw.endswith(b"\r") else raw
    if tail:
        yield tail[:-1] if tail.endswith(b"\r") else tail


class Prepend(io.RawIOBase):
    """A readable raw stream: ``head`` then the rest of ``stream`` (which it never closes)."""

    def __init__(self, head: bytes, stream: BinaryIO):
        self._head = head
        self._stream = stream

    def readable(self) -> bool:
        return True

    def readinto(self, b) -> int:
        if self._head:
            n = min(len(b), len(self._head))
            b[:n] = self._head[:n]
            self._head = self._head[n:]
            return n
        data = self._stream.read(len(b))
        b[: len(data)] = data
        return len(data)


def stream_documents(
    stream: BinaryIO, name: str, encoding: str, ascii_compatible: bool
) -> Iterator[tuple[str, str]]:
    """One document per line of a binary stream; doc ids are 1-based line numbers."""
    head = stream.read(SNIFF_BYTES)
    if not head:
        what = "standard input" if name == STDIN_NAME else f"file {name}"
        raise InputError(
            f"{what} is empty: no documents; give text with one document per line"
        )
    sniff_binary(head, name, ascii_compatible)
    if ascii_compatible:
        for lineno, text in decode_lines(_head_lines(head, stream), name, encoding):
            yield str(lineno), text
        return
    # UTF-16, UTF-32 and other encodings where b"\n" is not a newline: decode as a stream.
    reader = io.TextIOWrapper(
        io.BufferedReader(Prepend(head, stream)), encoding=encoding, newline="\n"
    )
    lineno = 0
    try:
        for lineno, line in enumerate(reader, 1):
            line = line[:-1] if line.endswith("\n") else line
            line = line[:-1] if line.endswith("\r") else line
            yield str(lineno), (strip_bom(line) if lineno == 1 else line)
    except UnicodeError as e:
        raise decode_failure(name, f"after line {lineno}", encoding, e) from None



def decode_lines(lines: Iterable[bytes], name: str, encoding: str
                 ) -> Iterator[tuple[int, str]]:
    """(line number, text) of byte lines in an ASCII-compatible encoding (BOM removed from
    the first); a bad byte is named by line and byte."""
    for lineno, raw in enumerate(lines, 1):
        try:
            text = raw.decode(encoding)
        except UnicodeDecodeError as e:
            where = f"line {lineno}, byte {e.start + 1}"
            raise decode_error(name, where, encoding, raw[e.start : e.end]) from None
        except UnicodeError as e:
            raise decode_failure(name, f"line {lineno}", encoding, e) from None
        yield lineno, (strip_bom(text) if lineno == 1 else text)


def decode_document(data: bytes, name: str, encoding: str, ascii_compatible: bool) -> str:
    """A whole file's bytes as text (BOM removed); a bad byte is named by line and column."""
    try:
        text = data.decode(encoding)
    except UnicodeDecodeError as e:
        if ascii_compatible:
            lineno = data.count(b"\n", 0, e.start) + 1
            column = e.start - (data.rfind(b"\n", 0, e.start) + 1) + 1
            where = f"line {lineno}, byte {column}"
        else:
            where = f"byte {e.start + 1}"
        raise decode_error(name, where, encoding, data[e.start : e.end]) from None
    except UnicodeError as e:
        raise decode_failure(name, "its text", encoding, e) from None
    return strip_bom(text)



# ------------------------------------------------------------------------- opening

# (magic bytes, opener, name) of the compressed formats read transparently
_MAGIC = (
    (b"\x1f\x8b", gzip.GzipFile, "gzip"),
    (b"\xfd7zXZ\x00", lzma.LZMAFile, "xz"),
)
DECOMPRESS_ERRORS = (OSError, EOFError, zlib.error, lzma.LZMAError)


def _is_bzip2(head: bytes) -> bool:
    return (
        len(head) >= 4
        and head.startswith(b"BZh")
        and head[3:4] in b"123456789"
        and (len(head) < 10 or head[4:10] in (b"1AY&SY", b"\x17\x72\x45\x38\x50\x90"))
    )


@contextlib.contextmanager
def open_input(path: str) -> Iterator[BinaryIO]:
    """The bytes of ``path`` (``-``: standard input), decompressed when compressed."""
    if path == "-":
        raw = getattr(sys.stdin, "buffer", None)
        if raw is None:
            raise InputError("no standard input to read from; give a file")
        owned = False
    else:
        try:
            raw = open(path, "rb")  # noqa: SIM115 (closed below)
        except IsADirectoryError:
            raise InputError(f"{path} is a directory; give a file, or use fmt='dir'",
                             params=("fmt",)) from None
        except OSError as e:
            raise InputError(f"cannot read {path}: {e.strerror or e}") from None
        owned = True
    try:
        head = b""
        if hasattr(raw, "peek"):
            with contextlib.suppress(OSError, ValueError):
                head = raw.peek(10)[:10]
        stream = raw
        if head.startswith(b"PK\x03\x04"):
            raise InputError(
                f"{display_name(path)} is a zip archive; unzip it first "
                "(gzip, bzip2 and xz files are read directly)"
            )
        if _is_bzip2(head):
            stream = bz2.BZ2File(raw)
        else:
            for magic, opener, _ in _MAGIC:
                if head.startswith(magic):
                    stream = opener(fileobj=raw) if opener is gzip.GzipFile else opener(raw)
                    break
        yield stream
    finally:
        if owned:
            raw.close()




def read_failure(e: BaseException, name: str) -> InputError:
    """The one-line InputError for a read or decompression error ``e`` of ``name``."""
    if isinstance(e, OSError) and e.strerror:
        return InputError(f"cannot read {name}: {e.strerror}")
    return InputError(
        f"cannot read {name}: {e}; the compressed file looks damaged or truncated, "
        "check it with gzip -t / bzip2 -t / xz -t"
    )


def guard(items: Iterator, name: str) -> Iterator:
    """Re-raise read and decompression errors while iterating as one-line InputErrors."""
    try:
        yield from items
    except DECOMPRESS_ERRORS as e:
        raise read_failure(e, name) from None


def check_head(head: bytes, name: str, ascii_compatible: bool, fmt: str) -> None:
    """Raise InputError if the first bytes of a ``fmt`` input show a binary file."""
    if not ascii_compatible or b"\0" not in head:
        return
    if fmt == "text":
        sniff_binary(head, name, ascii_compatible)
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise InputError(
            f"{name} looks like UTF-16 text (it starts with a UTF-16 byte-order mark); "
            "pass encoding='utf-16' or convert it to UTF-8", params=("encoding",)
        )
    raise InputError(
        f"{name} looks like a binary file (it has NUL bytes in its first 8 KiB), not "
        f"{DESCRIPTION[fmt]}; check the path and fmt", params=("fmt",)
    )


def text_lines(
    stream: BinaryIO, name: str, encoding: str, ascii_compatible: bool, fmt: str
) -> Iterator[tuple[int, str]]:
    """``(line number, line)`` of a text stream, line endings kept, decoded strictly.

    A byte-order mark at the start is dropped. Yields nothing for an empty stream.
    """
    head = stream.read(SNIFF_BYTES)
    if not head:
        return
    check_head(head, name, ascii_compatible, fmt)
    buffered = io.BufferedReader(Prepend(head, stream))
    if ascii_compatible:
        yield from decode_lines(buffered, name, encoding)
        return
    reader = io.TextIOWrapper(buffered, encoding=encoding, newline="")
    lineno = 0
    try:
        for lineno, line in enumerate(reader, 1):
            yield lineno, (strip_bom(line) if lineno == 1 else line)
    except UnicodeError as e:
        raise decode_failure(name, f"after line {lineno}", encoding, e) from None
