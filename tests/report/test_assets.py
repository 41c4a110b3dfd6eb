"""The report's stylesheet and script are package data files that load and ship."""

from __future__ import annotations

import configparser
import fnmatch
from pathlib import Path

import pytest

from lda_vi.report import html

PACKAGE = Path(html.__file__).resolve().parent
ROOT = PACKAGE.parents[1]


@pytest.mark.parametrize("name", html.ASSETS)
def test_each_asset_loads_through_importlib_resources(name: str) -> None:
    text = html.asset_text(name)
    assert text == (PACKAGE / "assets" / name).read_text(encoding="utf-8")
    assert len(text) > 1000


def test_the_assets_are_inlined_in_the_page_verbatim() -> None:
    css, js = html.asset_text("report.css"), html.asset_text("report.js")
    assert ":root {" in css and "--accent" in css
    assert "lda-data" in js and "addEventListener" in js
    assert "</style" not in css and "</script" not in js     # safe to inline


def test_an_unknown_asset_is_refused() -> None:
    with pytest.raises(ValueError, match="asset must be one of"):
        html.asset_text("../__init__.py")


@pytest.mark.skipif(not (ROOT / "setup.cfg").is_file(), reason="not a source checkout")
def test_setup_cfg_ships_every_asset_in_a_non_editable_install() -> None:
    cfg = configparser.ConfigParser()
    cfg.read(ROOT / "setup.cfg")
    patterns = [p.strip() for p in cfg["options.package_data"]["lda_vi"].split(",")]
    files = sorted((PACKAGE / "assets").iterdir())
    assert {f.name for f in files} >= set(html.ASSETS)
    for f in files:
        rel = f.relative_to(ROOT / "lda_vi").as_posix()
        assert any(fnmatch.fnmatch(rel, p) for p in patterns), f"{rel} is not package data"
