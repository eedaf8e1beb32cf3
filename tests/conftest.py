"""Shared helpers: fixture desks copied to a temporary folder, and the command line run in-process."""

from __future__ import annotations

import shutil
import textwrap
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from briefgen.cli import cli

TESTS = Path(__file__).parent
DESKS = TESTS / "desks"
REPO = TESTS.parent
SAMPLE = REPO / "samples" / "levant-desk"

FileChange = str | bytes | None | Callable[[str], str]


def run(*args: str | Path) -> Result:
    """Run `briefgen ARGS` in this process; stdout and stderr are kept apart."""
    return CliRunner().invoke(cli, [str(a) for a in args], catch_exceptions=False)


@pytest.fixture
def make_desk(tmp_path: Path) -> Callable[..., Path]:
    """Copy a named fixture desk to a temporary folder, then write, edit (a function of the old text) or
    delete (None) the given files."""

    def make(base: str = "minimal", files: dict[str, FileChange] | None = None) -> Path:
        desk = tmp_path / base
        shutil.copytree(SAMPLE if base == "sample" else DESKS / base, desk)
        for name, content in (files or {}).items():
            path = desk / name
            if content is None:
                path.unlink()
                continue
            if callable(content):
                content = content(path.read_text(encoding="utf-8"))
            path.parent.mkdir(parents=True, exist_ok=True)
            if isinstance(content, bytes):
                path.write_bytes(content)
            else:
                path.write_text(textwrap.dedent(content).lstrip("\n"), encoding="utf-8")
        return desk

    return make
