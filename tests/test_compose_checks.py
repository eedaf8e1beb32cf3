"""The checks of docs/sourcing.md ("Checks") on small desks, and the docs' tables against the code."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from conftest import REPO, run

from briefgen.compose.dayvocab import supported_languages
from briefgen.compose.facts import STATUS_GROUPS, Relation, status_relation
from briefgen.compose.tables import DOC_LANGUAGES, refresh
from briefgen.desk.checks import locator_paragraph, normalise_quote_text
from briefgen.desk.vocabulary import Status

MakeDesk = Callable[..., Path]
FRENCH = (
    "source:\n  id: afp-fr\n  title: Dépêche\n  outlet: AFP\n  type: wire\n  published: 2025-05-21\n"
    "  language: fr\n  reliability: B\n  text: |\n"
    "    Le ministre a déclaré\u00a0: «\u202fle cessez\u2011le\u2011feu tient\u202f», selon l\u2019agence.\n\n"
    "    Deuxième paragraphe.\n"
    "developments:\n  - id: truce-holds\n    summary: The truce holds.\n    status: reported\n"
    "    occurred: 2025-05-20\n    cites:\n      - {source: afp-fr, para: 1, quote: %s}\n"
)


def validate_lines(desk: Path) -> list[str]:
    result = run("validate", desk)
    return [line for line in result.stdout.splitlines() if line]


def test_a_quote_typed_with_straight_quotes_matches_guillemets_and_no_break_spaces(make_desk: MakeDesk) -> None:
    desk = make_desk(files={"sources/afp.yaml": FRENCH % "'\"le cessez-le-feu tient\"'"})
    assert not [line for line in validate_lines(desk) if "quote" in line]
    text = (desk / "sources/afp.yaml").read_text(encoding="utf-8")
    assert "\u202f" in text and "\u00a0" in text  # the stored text is never altered


def test_a_quote_that_is_not_in_the_text_is_still_caught(make_desk: MakeDesk) -> None:
    desk = make_desk(files={"sources/afp.yaml": FRENCH % "'\"le cessez-le-feu est rompu\"'"})
    assert any(
        "sources/afp.yaml:" in line and "quote '\"le cessez-le-feu est rompu\"' is not found in paragraph 1" in line
        for line in validate_lines(desk)
    )


def test_quote_folding() -> None:
    text = "Il a dit\u00a0: «\u202foui\u202f» \u2014 puis \u201cnon\u201d."
    for quote in ('Il a dit: "oui" - puis "non".', "Il a dit : « oui » — puis “non”.", "dit\u202f: «oui»"):
        assert normalise_quote_text(quote) in normalise_quote_text(text), quote
    assert normalise_quote_text("ﬁnal") == "final"  # NFKC
    assert normalise_quote_text("Qami\u015fli") == normalise_quote_text("Qamis\u0327li")
    assert normalise_quote_text('"oui"') not in normalise_quote_text("« non »")


def test_a_markdown_locator_beyond_the_sources_paragraphs_is_an_error(make_desk: MakeDesk) -> None:
    desk = make_desk(
        files={"briefs/edition.yaml": lambda t: t.replace("[@alpha-report, para 1;", "[@alpha-report, para 7;")}
    )
    result = run("validate", desk)
    assert result.exit_code == 1
    assert (
        "briefs/edition.yaml:8: brief.bluf[0]: [@alpha-report, para 7]: para 7 is beyond the text of source "
        "'alpha-report', which has 2 paragraphs"
    ) in result.stdout
    assert locator_paragraph("paras 2-3") == 3 and locator_paragraph("¶ 4") == 4 and locator_paragraph("p. 4") is None


def test_the_docs_tables_are_generated_from_the_code() -> None:
    doc = (REPO / "docs/sourcing.md").read_text(encoding="utf-8")
    assert refresh(doc) == doc, "docs/sourcing.md is stale: run python -m briefgen.compose.tables docs/sourcing.md"
    for name in ("status", "precision", "precedence", "date-words"):
        assert f"<!-- generated:{name} -->\n|" in doc
    assert set(DOC_LANGUAGES) <= set(supported_languages())
    assert {"en", "fr", "ar", "he", "tr", "de", "es", "ru"} <= set(DOC_LANGUAGES)
    # the table says what the rule does
    row = next(line for line in doc.splitlines() if line.startswith("| **reported** |"))
    cells = [cell.strip() for cell in row.strip("| ").split("|")][1:]
    assert cells == [status_relation(Status.REPORTED, s).value for s in Status]
    assert status_relation(Status.CONFIRMED, Status.DENIED) is Relation.CONFLICT
    assert status_relation(Status.SCHEDULED, Status.REPORTED) is Relation.CHANGE
    assert STATUS_GROUPS["affirming"][0] is Status.CONFIRMED
    assert "salı" in doc and "يوم الثلاثاء" in doc and "lundi" in doc
