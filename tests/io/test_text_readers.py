"""Tests of lda_vi.io.text_readers.iter_documents, the one document reader: text, stdin,
compression, directories, encodings."""

from __future__ import annotations

import bz2
import gzip
import io
import lzma
import sys
import types
import zipfile

import pytest
from io_testing import docs, error, write

from lda_vi.errors import InputError
from lda_vi.io.text_readers import iter_documents

# ----------------------------------------------------------------------------- text


def test_text_file_one_document_per_line(tmp_path):
    p = write(tmp_path / "a.txt", "one\n\nthree\n")
    assert docs(p) == [("1", "one"), ("2", ""), ("3", "three")]


@pytest.mark.parametrize("compress", [gzip.compress, bz2.compress, lzma.compress])
def test_text_compressed_by_content(tmp_path, compress):
    p = write(tmp_path / "a.txt.gz", compress(b"alpha beta\ngamma\n"))
    assert docs(p) == [("1", "alpha beta"), ("2", "gamma")]


def test_compressed_file_without_compression_extension(tmp_path):
    p = write(tmp_path / "a.txt", gzip.compress(b"alpha\n"))
    assert docs(p) == [("1", "alpha")]


def test_text_from_stdin(monkeypatch):
    monkeypatch.setattr(sys, "stdin", types.SimpleNamespace(buffer=io.BytesIO(b"a b\nc\n")))
    assert docs("-") == [("1", "a b"), ("2", "c")]


def test_text_from_gzipped_stdin(monkeypatch):
    raw = io.BufferedReader(io.BytesIO(gzip.compress(b"a b\nc\n")))
    monkeypatch.setattr(sys, "stdin", types.SimpleNamespace(buffer=raw))
    assert docs("-") == [("1", "a b"), ("2", "c")]


def test_text_other_encoding(tmp_path):
    p = write(tmp_path / "a.txt", "café\n".encode("latin-1"))
    assert docs(p, encoding="latin-1") == [("1", "café")]
    assert "encoding='latin-1'" in error(iter_documents, p)


def test_truncated_gzip_is_an_input_error(tmp_path):
    data = gzip.compress(b"alpha beta gamma\n" * 1000)
    p = write(tmp_path / "a.txt.gz", data[: len(data) // 2])
    message = error(iter_documents, p)
    assert "a.txt.gz" in message and "truncated" in message


def test_zip_archive_is_refused(tmp_path):
    p = tmp_path / "a.zip"
    with zipfile.ZipFile(p, "w") as z:
        z.writestr("a.txt", "hello\n")
    assert "zip archive; unzip it first" in error(iter_documents, p)


def test_missing_path(tmp_path):
    assert "not found" in error(iter_documents, tmp_path / "nope.txt")


def test_directory_given_a_file_format(tmp_path):
    assert "fmt='dir'" in error(iter_documents, tmp_path, "text")


# ------------------------------------------------------------------------------ dir


def test_dir_recursive_sorted_relative_ids_hidden_skipped(tmp_path):
    write(tmp_path / "b.txt", "bee\n")
    write(tmp_path / "sub" / "a.txt", "ay")
    write(tmp_path / "a.txt", "\ufeffroot a")
    write(tmp_path / ".hidden" / "x.txt", "no")
    write(tmp_path / ".h.txt", "no")
    write(tmp_path / "notes.md", "no")
    assert docs(tmp_path) == [("a.txt", "root a"), ("b.txt", "bee\n"), ("sub/a.txt", "ay")]


def test_dir_custom_glob_and_compressed_files(tmp_path):
    write(tmp_path / "x" / "one.md", "one")
    write(tmp_path / "two.md.gz", gzip.compress(b"two"))
    write(tmp_path / "three.txt", "three")
    assert docs(tmp_path, glob="**/*.md*") == [("two.md.gz", "two"), ("x/one.md", "one")]


def test_dir_without_matching_files(tmp_path):
    write(tmp_path / "a.md", "x")
    message = error(iter_documents, tmp_path)
    assert "no files matching '**/*.txt'" in message and "with glob" in message


def test_dir_bad_glob(tmp_path):
    assert "glob='/abs/*.txt' is not" in error(iter_documents, tmp_path, glob="/abs/*.txt")


def test_dir_decode_error_names_the_file_and_line(tmp_path):
    write(tmp_path / "a.txt", b"fine\nbad \xff here\n")
    message = error(iter_documents, tmp_path)
    assert "a.txt, line 2" in message and "encoding='latin-1'" in message


def test_dir_binary_file(tmp_path):
    write(tmp_path / "a.txt", b"\x00\x01\x02binary")
    assert "binary" in error(iter_documents, tmp_path)


def test_dir_format_on_a_file(tmp_path):
    p = write(tmp_path / "a.txt", "x")
    assert "not a directory" in error(iter_documents, p, "dir")


def fake_stdin(monkeypatch, data: bytes):
    monkeypatch.setattr(sys, "stdin", types.SimpleNamespace(buffer=io.BytesIO(data)))


# ------------------------------------------------------------------ iter_documents: files


def test_read_file_one_doc_per_line_blank_lines_kept(tmp_path):
    p = tmp_path / "docs.txt"
    p.write_bytes(b"first doc\n\nthird doc\n")
    assert list(iter_documents(str(p))) == [("1", "first doc"), ("2", ""), ("3", "third doc")]


def test_read_file_without_final_newline_crlf_and_bom(tmp_path):
    p = tmp_path / "docs.txt"
    p.write_bytes(b"\xef\xbb\xbfone\r\ntwo\r\n\r\nfour")
    assert list(iter_documents(p)) == [("1", "one"), ("2", "two"), ("3", ""), ("4", "four")]


def test_read_file_only_newline_is_one_blank_doc(tmp_path):
    p = tmp_path / "docs.txt"
    p.write_bytes(b"\n")
    assert list(iter_documents(p)) == [("1", "")]


def test_read_file_lines_across_the_sniffed_head(tmp_path):
    long_line = "word " * 3000  # 15 000 bytes: crosses the first 8 KiB read
    p = tmp_path / "docs.txt"
    p.write_text(f"{long_line}\nshort\n" + "x\n" * 5000, encoding="utf-8")
    docs = list(iter_documents(p))
    assert len(docs) == 5002
    assert docs[0] == ("1", long_line)
    assert docs[1] == ("2", "short")
    assert docs[-1] == ("5002", "x")


def test_read_file_other_encodings(tmp_path):
    p = tmp_path / "latin.txt"
    p.write_bytes("café\nnaïve\n".encode("latin-1"))
    assert list(iter_documents(p, encoding="latin-1")) == [("1", "café"), ("2", "naïve")]
    q = tmp_path / "wide.txt"
    q.write_bytes("café\r\nnaïve\r\n".encode("utf-16"))
    assert list(iter_documents(q, encoding="utf-16")) == [("1", "café"), ("2", "naïve")]


# ------------------------------------------------------------ iter_documents: directories


def test_read_directory_sorted_matching_files_only(tmp_path):
    (tmp_path / "b.txt").write_text("bee text\nsecond line", encoding="utf-8")
    (tmp_path / "a.txt").write_text("ay text", encoding="utf-8")
    (tmp_path / "C.TXT").write_text("not matched by **/*.txt", encoding="utf-8")
    (tmp_path / "notes.md").write_text("ignored", encoding="utf-8")
    (tmp_path / ".hidden.txt").write_text("ignored", encoding="utf-8")
    (tmp_path / "sub.txt").mkdir()
    (tmp_path / "sub.txt" / "inner.txt").write_text("nested", encoding="utf-8")
    (tmp_path / "empty.txt").write_bytes(b"")
    assert list(iter_documents(tmp_path)) == [
        ("a.txt", "ay text"),
        ("b.txt", "bee text\nsecond line"),
        ("empty.txt", ""),
        ("sub.txt/inner.txt", "nested"),
    ]


def test_read_directory_bad_bytes_name_file_and_line(tmp_path):
    (tmp_path / "a.txt").write_text("fine", encoding="utf-8")
    (tmp_path / "b.txt").write_bytes(b"ok\nalso ok\ncaf\xe9\n")
    docs = iter_documents(tmp_path)
    with pytest.raises(InputError, match=r"b\.txt, line 3, byte 4: .*encoding='latin-1'"):
        list(docs)


def test_read_directory_binary_file(tmp_path):
    (tmp_path / "a.txt").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00")
    with pytest.raises(InputError, match=r"a\.txt looks like a binary file"):
        list(iter_documents(tmp_path))


# ------------------------------------------------------------------ iter_documents: stdin


def test_read_stdin(monkeypatch):
    fake_stdin(monkeypatch, b"one doc\n\nthree\n")
    assert list(iter_documents("-")) == [("1", "one doc"), ("2", ""), ("3", "three")]


def test_read_stdin_empty(monkeypatch):
    fake_stdin(monkeypatch, b"")
    with pytest.raises(InputError, match="standard input is empty"):
        list(iter_documents("-"))


def test_read_stdin_bad_bytes(monkeypatch):
    fake_stdin(monkeypatch, b"fine\n\xff\xfe oops\n")
    with pytest.raises(InputError, match="standard input, line 2"):
        list(iter_documents("-"))


# ----------------------------------------------------------------- iter_documents: errors


def test_missing_path_is_reported_at_once(tmp_path):
    with pytest.raises(InputError, match=r"nope\.txt not found"):
        iter_documents(tmp_path / "nope.txt")


def test_directory_without_txt_files(tmp_path):
    (tmp_path / "notes.md").write_text("hello", encoding="utf-8")
    with pytest.raises(InputError, match=r"has no files matching '\*\*/\*\.txt'"):
        iter_documents(tmp_path)


def test_empty_file(tmp_path):
    p = tmp_path / "empty.txt"
    p.write_bytes(b"")
    with pytest.raises(InputError, match=r"empty\.txt is empty: no documents"):
        list(iter_documents(p))


def test_non_utf8_file_names_file_and_line(tmp_path):
    p = tmp_path / "legacy.txt"
    lines = [b"plain ascii line %d" % i for i in range(1000)]
    lines[733] = b"na\xefve latin-1"  # far beyond the first 8 KiB
    p.write_bytes(b"\n".join(lines) + b"\n")
    docs = iter_documents(p)
    with pytest.raises(InputError) as info:
        list(docs)
    message = str(info.value)
    assert "legacy.txt" in message
    assert "line 734" in message
    assert "encoding='latin-1'" in message
    assert "\n" not in message


def test_binary_file(tmp_path):
    p = tmp_path / "model.bin"
    p.write_bytes(b"\x00\x01\x02binary\x00stuff\n" * 10)
    with pytest.raises(InputError, match="looks like a binary file"):
        list(iter_documents(p))


def test_utf16_without_encoding_gets_a_hint(tmp_path):
    p = tmp_path / "wide.txt"
    p.write_bytes("hello\n".encode("utf-16"))
    with pytest.raises(InputError, match="encoding='utf-16'"):
        list(iter_documents(p))


def test_unknown_encoding(tmp_path):
    p = tmp_path / "docs.txt"
    p.write_text("hello\n", encoding="utf-8")
    with pytest.raises(InputError, match="unknown text encoding 'klingon'"):
        iter_documents(p, encoding="klingon")


