"""Counts in briefgen's own output (`1 page`, `2 editions`, `1 process`): English, with the plural forms of
the message catalog, never made by hand."""

from __future__ import annotations

import shutil
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from conftest import run

from briefgen.render import words
from briefgen.render.counts import counted

MakeDesk = Callable[..., Path]


def test_counts_in_the_command_lines_output(make_desk: MakeDesk) -> None:
    one = run("validate", make_desk("minimal"))
    assert one.exit_code == 0
    assert one.stderr.rstrip().endswith(": valid: 0 errors, 0 warnings (4 record files, 1 edition)")
    three = run("validate", make_desk("three-days"))
    assert three.stderr.rstrip().endswith(": valid: 0 errors, 0 warnings (7 record files, 3 editions)")


@pytest.mark.pdf
def test_counts_of_a_build(make_desk: MakeDesk) -> None:
    desk = make_desk("minimal", files={"briefs/edition.yaml": lambda t: t.replace("@beta-wire]", "@nosuch]")})
    result = run("build", desk, "--date", "2025-05-22", "--format", "pdf", "--jobs", "1")
    assert result.exit_code == 1
    assert "FAILED  valley 2025-05-22: 1 error;" in result.stdout
    desk = make_desk("three-days")
    result = run("build", desk, "--date", "2025-05-21", "--format", "pdf", "--jobs", "1")
    assert result.exit_code == 0, result.output
    assert ", 1 page, PDF " in result.stdout and ", 0 warnings" in result.stdout
    assert "1 built, 0 up to date, 0 failed; 1 page, " in result.stderr and "PDFs in 1 process (" in result.stderr


def test_every_count_has_each_plural_form() -> None:
    assert [counted(n, "process") for n in (0, 1, 2)] == ["0 processes", "1 process", "2 processes"]
    assert [counted(n, "delivery") for n in (1, 2)] == ["1 delivery", "2 deliveries"]
    assert counted(1, "open review item") == "1 open review item"


@pytest.fixture
def english_catalog(tmp_path: Path) -> Iterator[Path]:
    """A copy of the built-in catalogs that briefgen reads instead of its own, for as long as the test runs."""
    locale = tmp_path / "locale"
    shutil.copytree(words.LOCALE_DIR, locale)
    original = words.LOCALE_DIR
    words.LOCALE_DIR = locale
    words._translations.cache_clear()
    try:
        yield locale / "en" / "LC_MESSAGES" / "briefgen.po"
    finally:
        words.LOCALE_DIR = original
        words._translations.cache_clear()


def test_the_command_line_counts_with_the_catalogs_words(english_catalog: Path, make_desk: MakeDesk) -> None:
    with english_catalog.open("rb") as handle:
        catalog = read_po(handle, locale="en")
    catalog.get(("%(num)d edition", "%(num)d editions")).string = ("%(num)d issue", "%(num)d issues")  # type: ignore[union-attr]
    catalog.get(("%(num)d record file", "%(num)d record files")).string = ("one file", "%(num)d files")  # type: ignore[union-attr]
    with english_catalog.with_suffix(".mo").open("wb") as handle:
        write_mo(handle, catalog)
    result = run("validate", make_desk("three-days"))
    assert result.stderr.rstrip().endswith(": valid: 0 errors, 0 warnings (7 files, 3 issues)")
    assert counted(1, "record file") == "one file"
