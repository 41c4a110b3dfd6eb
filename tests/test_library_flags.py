"""Library errors name the parameter, never a command-line flag (issue 11): no string in
lda_vi outside lda_vi/cli spells a flag (``--min-df``). Docstrings, CSS custom properties
(``--c:``), HTML help text and strings naming an ``lda-vi`` command line are not messages
about a parameter and are left out. Strings are read with ast, never by importing."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "lda_vi"
FLAG = re.compile(r"(?<![\w\-])--[a-z][a-z\-]*(?![\w\-:(])")

#: Modules still spelling a flag, each to be fixed; strict xfails, so each marker must go
#: as soon as its cause does.
KNOWN: dict[str, str] = {}


def _name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _docstrings(tree: ast.AST) -> set[int]:
    ids = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)):
            body = node.body
            if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
                ids.add(id(body[0].value))
    return ids


def flags_in(source: str) -> list[str]:
    """The flags spelled by the string constants of ``source`` (docstrings aside)."""
    tree = ast.parse(source)
    skip = _docstrings(tree)
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in skip:
            text = node.value
            if "<code>" in text or "lda-vi " in text:
                continue
            found += FLAG.findall(text)
    return found


def _params() -> list:
    out = []
    for path in sorted(PACKAGE.rglob("*.py")):
        name = _name(path)
        if name.startswith("lda_vi.cli"):
            continue
        marks = [pytest.mark.xfail(strict=True, reason=KNOWN[name])] if name in KNOWN else []
        out.append(pytest.param(path, id=name, marks=marks))
    return out


@pytest.mark.parametrize("path", _params())
def test_library_strings_spell_no_flag(path: Path) -> None:
    assert flags_in(path.read_text(encoding="utf-8")) == []


def test_the_checker_finds_flags_and_skips_the_rest() -> None:
    source = ('"""Doc: --docstring."""\nA = "pass --min-df 2"\nB = f"drop {x} or --format"\n'
              'C = \'style="--c:red"\'\nD = "give <code>--docs CORPUS</code>"\n'
              'E = "made by \'lda-vi sweep --csv\'"\nF = "min_df=2"\n')
    assert flags_in(source) == ["--min-df", "--format"]
