"""Screenshots of the Arabic and French fixture briefs, to look at after changing templates or catalogs.

    .venv/bin/python scripts/screenshots.py [OUT]   # default OUT: tests/artifacts/screenshots

Builds tests/desks/lang-ar and lang-fr (HTML and PDF) into a temporary folder, then writes
`<lang>-html-375.png` and `<lang>-html-1280.png` (Debian's Chromium, headless, full page) and
`<lang>-pdf-<page>.png` (every PDF page, `pdftoppm -r 70 -png`) into OUT.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = "/usr/bin/chromium"
LANGUAGES = ("ar", "fr")
EDITION_DATE = "2026-04-08"


def build(language: str, work: Path) -> Path:
    """Build one fixture desk's HTML and PDF; the edition's folder."""
    out = work / f"out-{language}"
    command = [str(ROOT / ".venv" / "bin" / "briefgen"), "build", str(ROOT / "tests" / "desks" / f"lang-{language}")]
    command += ["--date", EDITION_DATE, "--format", "html,pdf", "--out", str(out)]
    subprocess.run(command, check=True, capture_output=True)
    return out / EDITION_DATE


def html_shots(edition: Path, language: str, target: Path) -> list[Path]:
    from playwright.sync_api import sync_playwright

    shots = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox", "--disable-background-networking"])
        for width in (375, 1280):
            page = browser.new_page(viewport={"width": width, "height": 800})
            page.goto((edition / "valley.html").as_uri(), wait_until="load")
            shot = target / f"{language}-html-{width}.png"
            page.screenshot(path=str(shot), full_page=True)
            shots.append(shot)
            page.close()
        browser.close()
    return shots


def pdf_shots(edition: Path, language: str, target: Path) -> list[Path]:
    prefix = target / f"{language}-pdf"
    subprocess.run(["pdftoppm", "-r", "70", "-png", str(edition / "valley.pdf"), str(prefix)], check=True)
    return sorted(target.glob(f"{language}-pdf-*.png"))


def main(argv: list[str]) -> int:
    target = Path(argv[0]) if argv else ROOT / "tests" / "artifacts" / "screenshots"
    target.mkdir(parents=True, exist_ok=True)
    for old in target.glob("*.png"):
        old.unlink()
    work = Path(tempfile.mkdtemp(prefix="briefgen-shots-"))
    try:
        for language in LANGUAGES:
            edition = build(language, work)
            for shot in [*html_shots(edition, language, target), *pdf_shots(edition, language, target)]:
                print(shot)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
