"""The sample brief's HTML in a real browser: Debian's Chromium, headless, driven by Playwright.

Screenshots of the page at phone and desktop widths are written to tests/artifacts/ on every run, so a
developer can look at them: `.venv/bin/python -m pytest tests/test_browser.py` then open
tests/artifacts/sample-375.png and sample-1280.png.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import DESKS, SAMPLE, TESTS, run

pytestmark = pytest.mark.browser

CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = TESTS / "artifacts"
# No sandbox: CI runs as root. No background traffic: the test counts every request the page makes.
CHROMIUM_ARGS = ["--no-sandbox", "--disable-background-networking", "--disable-component-update", "--no-first-run"]


@pytest.fixture(scope="module")
def sample_html(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("browser")
    result = run("build", SAMPLE, "--date", "2025-05-22", "--format", "html", "--out", out)
    assert result.exit_code == 0, result.output
    return out / "2025-05-22" / "syria-deconfliction.html"


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    from playwright.sync_api import sync_playwright

    assert CHROMIUM.exists(), "Debian's chromium is not installed: run bash scripts/setup.sh --dev"
    with sync_playwright() as p:
        instance = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield instance
        instance.close()


@pytest.mark.parametrize("width", [375, 1280])
def test_sample_brief_in_chromium(browser: object, sample_html: Path, width: int) -> None:
    from playwright.sync_api import Browser

    assert isinstance(browser, Browser)
    page = browser.new_page(viewport={"width": width, "height": 800})
    requests: list[str] = []
    problems: list[str] = []
    page.on("request", lambda request: requests.append(request.url))
    page.on("console", lambda message: problems.append(message.text) if message.type == "error" else None)
    page.on("pageerror", lambda error: problems.append(str(error)))

    url = sample_html.as_uri()
    page.goto(url, wait_until="load")
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"sample-{width}.png"), full_page=True)

    assert problems == []
    assert requests == [url], "the page asked for something besides itself"
    overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 0, f"{overflow}px of horizontal scrolling at {width}px"

    # The marking is visible at the top, right-aligned, in its TLP colour on black.
    marking = page.locator(".marking-banner .tlp").first
    assert marking.inner_text() == "TLP:GREEN"
    colours = marking.evaluate("e => [getComputedStyle(e).color, getComputedStyle(e).backgroundColor]")
    assert colours == ["rgb(51, 255, 0)", "rgb(0, 0, 0)"]

    # Clicking an endnote call lands on its endnote, and the back-link returns to the call.
    call = page.locator("sup.cite a").nth(2)
    target = call.get_attribute("href")
    assert target and target.startswith("#note-")
    call.click()
    assert page.evaluate("location.hash") == target
    top = page.evaluate(f"document.getElementById('{target[1:]}').getBoundingClientRect().top")
    assert -2 <= top < 800, f"endnote {target} is not in view after the click (top={top})"
    call_id = call.get_attribute("id")
    # One back-link per endnote (to its first call); the other calls are listed in a folded <details>.
    assert page.locator(f"{target} .backlinks > a").count() == 1
    if page.locator(f"{target} details").count():
        page.locator(f"{target} details summary").click()
    page.locator(f"{target} .backlinks a[href='#{call_id}']").click()
    assert page.evaluate("location.hash") == f"#{call_id}"
    page.close()


@pytest.fixture(scope="module")
def language_html(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """The Arabic fixture brief, and the English one (which cites an Arabic source)."""
    built = {}
    for language in ("ar", "en"):
        out = tmp_path_factory.mktemp(f"browser-{language}")
        result = run("build", DESKS / f"lang-{language}", "--date", "2026-04-08", "--format", "html", "--out", out)
        assert result.exit_code == 0, result.output
        built[language] = out / "2026-04-08" / "valley.html"
    return built


FIELDS = ".outlet, .authors, cite, .published, .dateline"


@pytest.mark.parametrize("width", [375, 1280])
@pytest.mark.parametrize("language", ["ar", "en"])
def test_endnote_fields_keep_their_logical_order(
    browser: object, language_html: dict[str, Path], language: str, width: int
) -> None:
    """Measured in Chromium: each endnote's fields (outlet, authors, title, date, dateline) follow each other
    in reading order (right to left in the Arabic brief, left to right in the English one, whatever the
    script of each field); the page never scrolls sideways."""
    from playwright.sync_api import Browser

    assert isinstance(browser, Browser)
    page = browser.new_page(viewport={"width": width, "height": 800})
    page.goto(language_html[language].as_uri(), wait_until="load")
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"lang-{language}-{width}.png"), full_page=True)
    overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 0, f"{overflow}px of horizontal scrolling at {width}px"
    rtl = language == "ar"
    notes = page.locator("li.endnote")
    assert notes.count() == 2
    mixed = 0
    for index in range(notes.count()):
        boxes = notes.nth(index).evaluate(
            f"""li => Array.from(li.querySelectorAll("{FIELDS}")).map(e => {{
                const r = e.getClientRects(); const first = r[0], last = r[r.length - 1];
                const own = e.matches("[dir]") ? e : (e.querySelector("[dir]") || e);
                return {{dir: getComputedStyle(own).direction, text: e.textContent,
                         first: [first.left, first.right, first.top, first.bottom],
                         last: [last.left, last.right, last.top, last.bottom]}};
            }})"""
        )
        assert len(boxes) == 5
        mixed += any(b["dir"] != ("rtl" if rtl else "ltr") for b in boxes)
        for before, after in itertools.pairwise(boxes):
            end, start = before["last"], after["first"]
            middle = (start[2] + start[3]) / 2
            if middle > end[3]:  # the next field starts on a later line
                continue
            assert middle > end[2], f"{after['text']!r} is on a line above {before['text']!r}"
            if rtl:
                assert start[1] <= end[0] + 1, f"{after['text']!r} is not left of {before['text']!r}"
            else:
                assert start[0] >= end[1] - 1, f"{after['text']!r} is not right of {before['text']!r}"
    assert mixed, "the fixture has an endnote in the other direction"
    page.close()


def test_an_arabic_brief_with_english_items_stays_on_a_phone_screen(browser: object, make_desk) -> None:  # type: ignore[no-untyped-def]
    """English items in an Arabic brief: a list item's marker stays in the page (no sideways scrolling at
    375 px), and the English summary in the Arabic heading of its discrepancy is isolated, so its full
    stop stays at its end."""
    from playwright.sync_api import Browser

    assert isinstance(browser, Browser)
    desk = make_desk(
        files={
            "briefs/edition.yaml": lambda t: t.replace(
                "  title: Valley update\n", "  title: Valley update\n  language: ar\n"
            ),
            "sources/beta.yaml": lambda t: t.replace("where: Valley", "where: مرسين"),
        }
    )
    result = run("build", desk, "--all", "--format", "html", "--force")
    assert result.exit_code == 0, result.output
    page = browser.new_page(viewport={"width": 375, "height": 800})
    page.goto((desk / "out/2025-05-22/valley.html").as_uri(), wait_until="load")
    overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 0, f"{overflow}px of horizontal scrolling at 375px"
    heading = page.locator("section.discrepancies h3").first.inner_text()
    assert "\u2068The council agreed a new ceasefire line.\u2069" in heading
