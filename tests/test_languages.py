"""Briefs in every catalog language: a fixture desk per language (tests/desks/lang-xx) built to HTML, PDF,
TXT and EML, read back. No English word briefgen writes is left in a non-English brief (checked against the
catalogs), dates are in the locale's words, every record field is in its own isolate with its language."""

from __future__ import annotations

import email
import email.policy
import json
import re
import subprocess
import sys
from datetime import date
from email.message import EmailMessage
from pathlib import Path

import lxml.html
import pikepdf
import pypdf
import pytest
import yaml
from babel.dates import format_date
from babel.messages.pofile import read_po
from conftest import DESKS, REPO, run

from briefgen.render.labels import isolated_plain, language_direction
from briefgen.render.words import LOCALE_DIR, direction, words_for

sys.path.insert(0, str(REPO / "scripts"))
import catalogs  # the developer script that keeps the catalogs current

LANGUAGES = ["en", "fr", "ar", "he", "tr"]
EDITION = date(2026, 4, 8)
ISOLATES = dict.fromkeys(map(ord, "\u2066\u2067\u2068\u2069\u200b"))
QUOTES = {**dict.fromkeys(map(ord, "\"'“”‘’«»‹›„")), 0xA0: " ", 0x202F: " "}


def _words(text: str) -> set[str]:
    return {w.lower() for w in re.findall(r"[A-Za-z]{4,}", text)}


def _catalog(language: str) -> list[tuple[str, str]]:
    with (LOCALE_DIR / language / "LC_MESSAGES" / "briefgen.po").open("rb") as handle:
        catalog = read_po(handle)
    pairs = []
    for message in catalog:
        if not message.id:
            continue
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        pairs.append((" ".join(ids), " ".join(strings)))
    return pairs


def english_only_words(language: str) -> set[str]:
    """Words of the English messages that the language's catalog does not use itself (`Sources` is French too)."""
    english = set().union(*(_words(re.sub(r"%\(\w+\)\w", " ", m)) for m, _ in _catalog("en")))
    translated = set().union(*(_words(re.sub(r"%\(\w+\)\w", " ", t)) for _, t in _catalog(language)))
    return english - translated - {"para"}


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    editions = {}
    for language in LANGUAGES:
        out = tmp_path_factory.mktemp(f"lang-{language}")
        result = run("build", DESKS / f"lang-{language}", "--date", EDITION.isoformat(), "--out", out)
        assert result.exit_code == 0, result.output
        editions[language] = out / EDITION.isoformat()
    return editions


def record_fields(language: str) -> list[str]:
    """Record text of the fixture desk that the brief shows as plain fields."""
    desk = DESKS / f"lang-{language}"
    brief = yaml.safe_load((desk / "briefs" / "edition.yaml").read_text(encoding="utf-8"))
    wire = yaml.safe_load((desk / "sources" / "local-wire.yaml").read_text(encoding="utf-8"))
    fields = [brief["brief"]["title"], brief["brief"]["restrictions"], brief["discrepancies"][0]["topic"]]
    fields += [s["value"] for s in brief["discrepancies"][0]["statements"]]
    fields += [d["summary"] for d in wire["developments"]] + [a["name"] for a in wire["actors"]]
    fields += wire["open_questions"][0]["watch_for"] + [wire["source"]["title"], wire["source"]["outlet"]]
    return fields


def record_words(language: str) -> set[str]:
    """Every word of the fixture desk's records (and settings): text a brief may show in any language."""
    found: set[str] = set()

    def walk(value: object) -> None:
        if isinstance(value, str):
            found.update(_words(value))
        elif isinstance(value, dict):
            for item in value.values():
                walk(item)
        elif isinstance(value, list):
            for item in value:
                walk(item)

    for path in (DESKS / f"lang-{language}").rglob("*.yaml"):
        walk(yaml.safe_load(path.read_text(encoding="utf-8")))
    return found


def _leaked(text: str, language: str) -> set[str]:
    """English words briefgen writes itself (catalog words) found in text, outside record text and URLs."""
    text = re.sub(r"https?://\S+|TLP:\w+|\S+@\S+", " ", text)
    return _words(text) & english_only_words(language) - record_words(language)


def _plain(text: str) -> str:
    return " ".join(text.translate(ISOLATES).translate(QUOTES).split())


def test_catalogs_complete_and_compiled() -> None:
    """Every message the code and templates use is translated in every catalog, and each .mo is its .po compiled."""
    assert catalogs.main(["--check"]) == 0


def test_plural_forms_follow_cldr() -> None:
    assert words_for("ar").ngettext("%(num)d independent source", "%(num)d independent sources", 2) == "مصدران مستقلان"
    assert words_for("ar").ngettext("%(num)d independent source", "%(num)d independent sources", 11).startswith("11 ")
    assert (
        words_for("fr")
        .ngettext("%(num)d independent source", "%(num)d independent sources", 1)
        .endswith("indépendante")
    )
    assert (
        words_for("tr").ngettext("%(num)d independent source", "%(num)d independent sources", 3) == "3 bağımsız kaynak"
    )


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        *[(code, "rtl") for code in ("ar", "he", "ckb", "ku-Arab", "syr", "ps", "ur", "dv", "yi", "fa-IR")],
        *[(code, "ltr") for code in ("en", "tr", "ku", "az-Latn", "fr-CA")],
    ],
)
def test_direction_from_cldr(language: str, expected: str) -> None:
    assert direction(language) == expected


@pytest.mark.parametrize("language", LANGUAGES)
def test_html_in_the_briefs_language(built: dict[str, Path], language: str) -> None:
    page = (built[language] / "valley.html").read_text(encoding="utf-8")
    tree = lxml.html.fromstring(page)
    assert tree.get("lang") == language and tree.get("dir") == direction(language)
    assert format_date(EDITION, "long", locale=language) in page
    # Every record field is an element of its own with a direction and a language.
    isolated = {_plain(e.text_content()) for e in tree.iter() if e.get("dir") and e.get("lang") and e.tag != "html"}
    for value in record_fields(language):  # (a heading's text is followed by its endnote calls)
        assert any(text.startswith(_plain(value)) for text in isolated), value
    assert tree.xpath("//cite[@lang]"), "source titles carry their own language"
    # No CSS generated text: labels such as "Edition:" are in the markup (email clients drop ::after).
    assert "::after" not in page and "::before" not in page
    if language != "en":
        for element in tree.xpath("//*[@dir and @lang] | //style | //title | //meta | //*[@class='url']"):
            if element.tag != "html":
                element.drop_tree()
        leaked = _words(tree.text_content()) & english_only_words(language)
        assert not leaked, f"English words in the {language} brief: {sorted(leaked)}"


@pytest.mark.parametrize("language", LANGUAGES)
def test_text_edition_isolates_record_fields(built: dict[str, Path], language: str) -> None:
    text = (built[language] / "valley.txt").read_text(encoding="utf-8")
    lines = text.splitlines()
    restrictions = record_fields(language)[1]
    direction = language_direction(language)
    # A field is isolated where it could reorder the line around it (text of the other direction), else
    # left as it is (no invisible characters in what a reader copies or a filter searches).
    assert lines[0] == "TLP:AMBER" and lines[1] == isolated_plain(lines[1].strip("\u2068\u2069"), direction)
    assert _plain(lines[1]) == _plain(restrictions)
    assert format_date(EDITION, "long", locale=language) in text
    for value in record_fields(language)[3:5]:
        assert isolated_plain(value, direction) in text, value
    if language != "en":
        shown = text
        for value in record_fields(language):
            shown = shown.replace(value, " ")
        shown = re.sub("\u2068[^\u2069]*\u2069", " ", shown)
        shown = re.sub(r"https?://\S+|TLP:\w+", " ", shown)
        leaked = _words(shown) & english_only_words(language)
        assert not leaked, f"English words in the {language} text edition: {sorted(leaked)}"


@pytest.mark.parametrize("language", LANGUAGES)
def test_email_in_the_briefs_language(built: dict[str, Path], language: str) -> None:
    message = email.message_from_bytes(
        (built[language] / "valley.readers.eml").read_bytes(), policy=email.policy.default
    )
    assert isinstance(message, EmailMessage)
    assert format_date(EDITION, "long", locale=language) in str(message["Subject"])
    restrictions = record_fields(language)[1]
    plain = message.get_body(("plain",))
    html = message.get_body(("html",))
    assert plain is not None and html is not None
    first = plain.get_content().splitlines()
    assert first[0] == "TLP:AMBER" and _plain(first[1]) == _plain(restrictions)
    body = lxml.html.fromstring(html.get_content()).body
    opening = _plain(body.text_content())
    assert opening.startswith("TLP:AMBER " + _plain(restrictions))
    label = words_for(language).gettext("%(label)s:", label=words_for(language).gettext("Edition"))
    assert _plain(label) in opening
    if language != "en":
        for part in (plain.get_content(), body.text_content(), str(message["Subject"])):
            assert not _leaked(part, language), f"English words in the {language} email: {_leaked(part, language)}"


@pytest.mark.parametrize("language", LANGUAGES)
def test_pdf_in_the_briefs_language(built: dict[str, Path], language: str) -> None:
    path = built[language] / "valley.pdf"
    with pikepdf.open(path) as pdf:
        assert str(pdf.Root.Lang) == language
        languages = set()
        stack = [pdf.Root.StructTreeRoot.K]
        while stack:
            node = stack.pop()
            if isinstance(node, pikepdf.Array):
                stack.extend(node)
            elif isinstance(node, pikepdf.Dictionary) and "/S" in node:
                if "/Lang" in node:
                    languages.add(str(node.Lang))
                if "/K" in node:
                    stack.append(node.K)
        other = "en" if language in ("ar", "he") else "ar"
        assert other in languages or f"und-{'Latn' if other == 'en' else 'Arab'}" in languages, languages
        title = str(pdf.open_metadata().get("dc:title", ""))
        assert format_date(EDITION, "long", locale=language) in title
    reader = pypdf.PdfReader(path)
    restrictions_word = max(record_fields(language)[1].split(), key=len).strip(";؛")
    page_of = words_for(language).gettext("Page %(page)s of %(pages)s", page=1, pages=len(reader.pages))
    texts = [page.extract_text() for page in reader.pages]
    assert all(restrictions_word in text for text in texts), "restrictions beside the marking on every page"
    assert page_of.split()[0] in texts[0]
    if language in ("ar", "he"):
        heading = words_for(language).gettext("Key developments")
        assert heading in texts[0], "right-to-left text extracts in logical order"
    if language != "en":
        leaked = _leaked(" ".join(texts), language)
        assert not leaked, f"English words in the {language} PDF: {sorted(leaked)}"


def test_desk_catalog_overrides_a_label_and_adds_a_language(make_desk, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    po = 'msgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=UTF-8\\n"\n"Plural-Forms: nplurals=2; plural=(n != 1);\\n"\n\n'
    desk = make_desk(
        "lang-fr",
        files={
            "templates/locale/fr.po": po + 'msgid "Key developments"\nmsgstr "Ce qui a changé"\n',
        },
    )
    out = tmp_path / "out"
    assert run("build", desk, "--date", "2026-04-08", "--format", "html", "--out", out).exit_code == 0
    page = (out / "2026-04-08" / "valley.html").read_text(encoding="utf-8")
    assert "Ce qui a changé" in page and "Faits marquants" not in page and "L’essentiel" in page

    german = make_desk(
        "lang-en",
        files={
            "briefs/edition.yaml": lambda t: t.replace("language: en", "language: de"),
            "templates/locale/de.po": po + 'msgid "Key developments"\nmsgstr "Wichtige Entwicklungen"\n',
        },
    )
    out = tmp_path / "out-de"
    assert run("build", german, "--date", "2026-04-08", "--format", "html", "--out", out).exit_code == 0
    page = (out / "2026-04-08" / "valley.html").read_text(encoding="utf-8")
    assert "Wichtige Entwicklungen" in page and "Bottom line up front" in page  # untranslated: English
    assert "8. April 2026" in page  # Babel's German date


def test_a_malformed_desk_catalog_is_one_located_error(make_desk, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    po = 'msgid "Key developments"\nmsgstr "Faits"\nnot a keyword\n'
    desk = make_desk("lang-fr", files={"templates/locale/fr.po": po})
    result = run("build", desk, "--date", "2026-04-08", "--format", "html", "--out", tmp_path / "out")
    assert result.exit_code != 0
    [line] = [line for line in result.output.splitlines() if "fr.po" in line]
    assert "templates/locale/fr.po:3: not a valid gettext catalog" in line and "Traceback" not in result.output


def test_the_screenshot_command_writes_html_and_pdf_pages(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, str(REPO / "scripts" / "screenshots.py"), str(tmp_path)], capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
    names = {p.name for p in tmp_path.glob("*.png")}
    for language in ("ar", "fr"):
        assert {f"{language}-html-375.png", f"{language}-html-1280.png", f"{language}-pdf-1.png"} <= names


def test_numbers_in_messages_are_the_locales() -> None:
    """Counts and numbers in generated sentences are Babel's numbers for the locale, not `%d`."""
    many = ("%(num)d independent source", "%(num)d independent sources")
    assert words_for("fr").ngettext(*many, 1200).startswith("1\u202f200 ")  # French groups with a thin space
    assert words_for("tr").ngettext(*many, 1200) == "1.200 bağımsız kaynak"
    assert words_for("en").gettext("Endnote %(number)d: %(source)s", number=1200, source="X") == "Endnote 1,200: X"
    # CLDR: Arabic digits are Latin for `ar`, Arabic-Indic for `ar-EG` (its default numbering system).
    assert words_for("ar").ngettext(*many, 11).startswith("11 ")
    assert words_for("ar-EG").ngettext(*many, 11).startswith("١١ ")
    assert words_for("ar-EG").number(1200) == "١٬٢٠٠"


def test_a_brief_in_egyptian_arabic_writes_arabic_indic_digits(make_desk, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    desk = make_desk("lang-ar", files={"briefs/edition.yaml": lambda t: t.replace("language: ar", "language: ar-EG")})
    out = tmp_path / "out"
    assert run("build", desk, "--date", "2026-04-08", "--format", "html,pdf", "--out", out).exit_code == 0
    page = (out / "2026-04-08" / "valley.html").read_text(encoding="utf-8")
    tree = lxml.html.fromstring(page)
    assert "٨ أبريل ٢٠٢٦" in page and "8 أبريل 2026" not in page
    calls = [a.text_content() for a in tree.xpath("//a[starts-with(@href, '#note-')]")]
    assert calls and set(calls) <= {"١", "٢"}, calls
    assert "ol { list-style-type: arabic-indic; }" in page
    footer = pypdf.PdfReader(out / "2026-04-08" / "valley.pdf").pages[0].extract_text()
    assert words_for("ar").gettext("Page %(page)s of %(pages)s", page="١", pages="٢") in footer


# A weekday in each language, said by a source without a publication date: the date stays unresolved.
UNDATED_WEEKDAY = {"en": "on Tuesday", "fr": "mardi", "ar": "الثلاثاء", "he": "ביום שלישי", "tr": "salı"}


@pytest.mark.parametrize("language", LANGUAGES)
def test_why_a_date_is_unresolved_is_said_in_the_briefs_language(make_desk, tmp_path: Path, language: str) -> None:  # type: ignore[no-untyped-def]
    def edit(text: str) -> str:
        text = "\n".join(line for line in text.splitlines() if not line.startswith("  published:"))
        return text.replace("    'on': '2026-04-07'", f"    as_reported: {UNDATED_WEEKDAY[language]}", 1) + "\n"

    desk = make_desk(f"lang-{language}", files={"sources/local-wire.yaml": edit})
    out = tmp_path / "out"
    result = run("build", desk, "--date", "2026-04-08", "--format", "html,json,txt", "--out", out)
    assert result.exit_code == 0, result.output
    edition = out / "2026-04-08"
    data = json.loads((edition / "valley.json").read_text(encoding="utf-8"))
    occurred = next(d["occurred"] for d in data["developments"] if d["occurred"]["on"] is None)
    assert occurred["unresolved"] == "the source has no publication date"  # the JSON keeps the English sentence
    assert occurred["unresolved_reason"]["code"] == "no_publication_date"
    words = words_for(language)
    reason = words.pgettext("unresolved_date", "the source has no publication date")
    said = words.gettext(
        "date not stated (reported as “%(reported)s”: %(reason)s)", reported=UNDATED_WEEKDAY[language], reason=reason
    )
    html = lxml.html.fromstring((edition / "valley.html").read_text(encoding="utf-8")).text_content()
    text = (edition / "valley.txt").read_text(encoding="utf-8")
    for shown in (html, text):
        assert _plain(said) in _plain(shown)
        if language != "en":
            assert "publication date" not in shown


def test_places_that_sources_give_differently_are_each_isolated(make_desk, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """ "Valley or مرسين — sources differ": each place in its own isolate, in its own direction and language;
    the words between and after them in the brief's, outside both (the HTML and the text edition)."""
    desk = make_desk(files={"sources/beta.yaml": lambda t: t.replace("where: Valley", "where: مرسين")})
    result = run("build", desk, "--all", "--format", "html,txt", "--force")
    assert result.exit_code == 0, result.output
    page = lxml.html.fromstring((desk / "out/2025-05-22/valley.html").read_bytes())
    places = [b for b in page.iter("bdi") if b.text_content().strip("\u2066\u2067\u2068\u2069") in ("Valley", "مرسين")]
    assert [(b.get("dir"), b.get("lang")) for b in places] == [("ltr", "en"), ("rtl", "und-Arab")]
    assert places[0].getparent() is places[1].getparent() and places[0].tail == " or "
    assert (places[1].tail or "").startswith(" — sources differ")
    text = (desk / "out/2025-05-22/valley.txt").read_text(encoding="utf-8")
    assert "Valley or \u2068مرسين\u2069 — sources differ" in text
