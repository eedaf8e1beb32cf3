"""The wheel carries the built-in templates, their compiled code and the compiled message catalogs: a build from the installed wheel
equals the golden HTML, and a French brief is in French."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from conftest import REPO, SAMPLE, TESTS


def test_wheel_finds_its_templates(tmp_path: Path) -> None:
    subprocess.run(
        [sys.executable, "-m", "build", "--wheel", "--no-isolation", "-o", str(tmp_path / "dist"), str(REPO)],
        check=True,
        capture_output=True,
    )
    wheel = next((tmp_path / "dist").glob("briefgen-*.whl"))
    target = tmp_path / "site"
    subprocess.run(
        [sys.executable, "-m", "pip", "install", "-q", "--no-deps", "--target", str(target), str(wheel)],
        check=True,
        capture_output=True,
    )
    probe = (
        "import briefgen, sys; from briefgen.render.builtin import builtin_templates_dir; "
        "print(briefgen.__file__); print(builtin_templates_dir()); "
        "from datetime import date; from briefgen.compose.datewords import resolve_day_phrase; "  # CLDR data in the wheel
        "print(resolve_day_phrase('hier', 'fr', date(2026, 3, 9), future=False).on)"
    )
    env = {**os.environ, "PYTHONPATH": str(target)}
    where = subprocess.run(
        [sys.executable, "-c", probe], env=env, cwd=tmp_path, capture_output=True, text=True, check=True
    )
    module, templates, yesterday = where.stdout.split()
    assert module.startswith(str(target)) and templates.startswith(str(target)) and yesterday == "2026-03-08"
    out = tmp_path / "out"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "briefgen",
            "build",
            str(SAMPLE),
            "--date",
            "2025-05-22",
            "--format",
            "html",
            "--out",
            str(out),
        ],
        env=env,
        cwd=tmp_path,
        check=True,
        capture_output=True,
    )
    built = (out / "2025-05-22/syria-deconfliction.html").read_text(encoding="utf-8")
    assert built == (TESTS / "golden/syria-deconfliction.html").read_text(encoding="utf-8")
    # The message catalogs ship compiled: a French brief built from the wheel is in French.
    for language in ("en", "fr", "ar", "he", "tr"):
        assert (target / "briefgen" / "render" / "locale" / language / "LC_MESSAGES" / "briefgen.mo").is_file()
    # The built-in templates' compiled code ships too, current for the templates the wheel carries.
    current = (
        "from briefgen.render.builtin import builtin_templates_dir as b; from briefgen.render.compiled import "
        "BuiltinCode; from briefgen.render.templates import environment; e = environment(None); c = BuiltinCode(b()); "
        "print(sum(c.is_current(e, p.relative_to(b()).as_posix()) for p in b().rglob('*.j2')), len(list(b().rglob('*.j2'))))"
    )
    fresh, total = subprocess.run(
        [sys.executable, "-c", current], env=env, cwd=tmp_path, capture_output=True, text=True, check=True
    ).stdout.split()
    assert fresh == total and int(total) >= 16
    subprocess.run(
        [
            *(sys.executable, "-m", "briefgen", "build", str(TESTS / "desks" / "lang-fr")),
            *("--date", "2026-04-08", "--format", "html", "--out", str(out / "fr")),
        ],
        env=env,
        cwd=tmp_path,
        check=True,
        capture_output=True,
    )
    assert "Faits marquants" in (out / "fr" / "2026-04-08" / "valley.html").read_text(encoding="utf-8")
