#!/usr/bin/env python3
"""Build the sample corpus: docstrings of the installed Python standard library.

Every ``.py`` file under the standard library directory is parsed with ``ast``
(nothing is imported or executed), and the docstrings of modules, classes and
functions are written one per line, whitespace folded to single spaces. A
docstring is kept when it has at least ``--min-words`` whitespace-separated
words; an exact duplicate of an earlier kept docstring is dropped (unless
``--keep-duplicates``). A sidecar ``<output>.ids`` holds one id per line,
``path/relative/to/stdlib.py:Qualified.name`` (``:<module>`` for a module
docstring).

What is skipped, and why (see corpora/README.md):

* ``site-packages``, ``dist-packages``: third-party code, differs per machine.
* ``test``, ``tests``, ``idle_test`` directories (``test/``, ``lib2to3/tests``,
  ``idlelib/idle_test``, ``ctypes/test``, ...): test suites, whose docstrings
  are mostly "Test that ..." one-liners plus data files that do not parse.
* ``__pycache__``, ``lib-dynload``, ``config-*``: build artefacts, no prose.
* ``ensurepip`` (bundled wheels), ``__phello__`` (a toy frozen package) and
  ``turtledemo`` (demo scripts): little or no documentation prose.
* ``distutils`` and ``lib2to3``: deprecated and removed from later Pythons
  (3.12 and 3.13); leaving them out keeps the sample closer across versions
  and its size near 2,700 documents / 200k words.

The walk is in sorted order and the output depends only on the files read,
so it is deterministic for a given Python installation. Standard library only.

Usage: python corpora/make_sample.py -o corpora/stdlib_docstrings.txt
"""

from __future__ import annotations

import argparse
import ast
import os
import sys
import sysconfig
import tempfile
import warnings
from collections.abc import Iterator

# Directory names skipped wherever they occur below the root.
SKIP_DIR_NAMES = frozenset(
    {
        "__pycache__",
        "site-packages",
        "dist-packages",
        "test",
        "tests",
        "idle_test",
        "lib-dynload",
        "ensurepip",
        "__phello__",
        "turtledemo",
        "distutils",
        "lib2to3",
    }
)
# Directory name prefixes skipped (e.g. config-3.11-x86_64-linux-gnu).
SKIP_DIR_PREFIXES = ("config-",)

_DEF_NODES = (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)


def skip_dir(name: str) -> bool:
    """Return True when a directory called ``name`` is not walked."""
    return name in SKIP_DIR_NAMES or name.startswith(SKIP_DIR_PREFIXES) or name.startswith(".")


def source_files(root: str) -> list[str]:
    """Return the ``.py`` files under ``root`` as sorted POSIX paths relative to it."""
    found: list[str] = []
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = sorted(d for d in dirnames if not skip_dir(d))
        rel_dir = os.path.relpath(dirpath, root)
        for name in filenames:
            if name.endswith(".py"):
                rel = name if rel_dir == "." else os.path.join(rel_dir, name)
                found.append(rel.replace(os.sep, "/"))
    # Sort by path components so "a/b.py" < "a-b.py" questions do not depend on walk order.
    found.sort(key=lambda p: p.split("/"))
    return found


def docstrings(tree: ast.Module) -> Iterator[tuple[str, str]]:
    """Yield ``(qualified name, docstring)`` for the module and every def/class, in source order.

    Nested definitions are named through their parents (``Outer.method.helper``).
    """
    doc = ast.get_docstring(tree, clean=True)
    if doc is not None:
        yield "<module>", doc

    def visit(node: ast.AST, prefix: str) -> Iterator[tuple[str, str]]:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, _DEF_NODES):
                qualname = f"{prefix}{child.name}"
                doc = ast.get_docstring(child, clean=True)
                if doc is not None:
                    yield qualname, doc
                yield from visit(child, qualname + ".")
            else:
                # Definitions inside if/try/with blocks keep the enclosing prefix.
                yield from visit(child, prefix)

    yield from visit(tree, "")


def fold(text: str) -> str:
    """Fold every run of whitespace (newlines included) into one space, and strip."""
    return " ".join(text.split())


def collect(
    root: str, min_words: int, dedupe: bool = True
) -> tuple[list[str], list[str], dict[str, int]]:
    """Return (documents, ids, stats) for the standard library tree at ``root``."""
    docs: list[str] = []
    ids: list[str] = []
    seen_docs: set[str] = set()
    seen_ids: dict[str, int] = {}
    stats = {"files_read": 0, "files_skipped": 0, "duplicates": 0, "short": 0, "words": 0}
    for rel in source_files(root):
        try:
            with open(os.path.join(root, rel), "rb") as fh:
                source = fh.read()
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")  # invalid escapes etc. in old sources
                tree = ast.parse(source, filename=rel)
        except (OSError, SyntaxError, ValueError, UnicodeDecodeError, RecursionError):
            stats["files_skipped"] += 1
            continue
        stats["files_read"] += 1
        for qualname, raw in docstrings(tree):
            doc = fold(raw)
            n_words = len(doc.split())
            if n_words < min_words:
                stats["short"] += 1
                continue
            try:
                doc.encode("utf-8")
            except UnicodeEncodeError:  # lone surrogates from escapes: not writable text
                stats["short"] += 1
                continue
            if dedupe:
                if doc in seen_docs:
                    stats["duplicates"] += 1
                    continue
                seen_docs.add(doc)
            doc_id = f"{rel}:{qualname}"
            # Same name defined twice (if/else branches, property setters): make ids unique.
            count = seen_ids.get(doc_id, 0) + 1
            seen_ids[doc_id] = count
            if count > 1:
                doc_id = f"{doc_id}[{count}]"
            docs.append(doc)
            ids.append(doc_id)
            stats["words"] += n_words
    return docs, ids, stats


def write_lines_atomic(path: str, lines: list[str]) -> None:
    """Write ``lines`` (UTF-8, ``\\n``-terminated) to ``path`` via a temp file and os.replace."""
    directory = os.path.dirname(os.path.abspath(path))
    os.makedirs(directory, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=directory, prefix=".tmp-", suffix=".part")
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as fh:
            for line in lines:
                fh.write(line)
                fh.write("\n")
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description="Write the docstrings of the installed Python standard library, "
        "one per line, as a sample corpus (plus an <output>.ids sidecar)."
    )
    parser.add_argument("-o", "--output", required=True, help="output text file")
    parser.add_argument(
        "--min-words", type=int, default=25, help="keep docstrings with at least this many words"
    )
    parser.add_argument(
        "--stdlib",
        default=None,
        help="directory to read (default: sysconfig.get_paths()['stdlib'])",
    )
    parser.add_argument(
        "--keep-duplicates",
        action="store_true",
        help="keep exact duplicate docstrings (default: keep only the first)",
    )
    args = parser.parse_args(argv)
    if args.min_words < 1:
        parser.error("--min-words must be at least 1")
    root = args.stdlib if args.stdlib is not None else sysconfig.get_paths()["stdlib"]
    if not os.path.isdir(root):
        parser.error(f"not a directory: {root}")

    docs, ids, stats = collect(root, args.min_words, dedupe=not args.keep_duplicates)
    # The sidecar first: whoever sees the corpus file (e.g. make) also finds its ids.
    write_lines_atomic(args.output + ".ids", ids)
    write_lines_atomic(args.output, docs)
    print(
        f"{args.output}: {len(docs):,} documents, {stats['words']:,} words "
        f"from {stats['files_read']:,} source files read, {stats['files_skipped']:,} skipped "
        f"(dropped {stats['short']:,} short, {stats['duplicates']:,} duplicate docstrings)",
        file=sys.stderr,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
