"""The tables of docs/sourcing.md, generated from the rules themselves: status order and relations,
date precision, day words (CLDR), and which record's value each field takes.

`python -m briefgen.compose.tables docs/sourcing.md` rewrites every block between
`<!-- generated:NAME -->` and `<!-- /generated -->`; a test fails when one is stale.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Callable
from pathlib import Path

from briefgen.compose.datewords_doc import day_word_table_markdown
from briefgen.compose.facts import STATUS_GROUPS, Relation, status_relation
from briefgen.desk.vocabulary import Precision, Status

DOC_LANGUAGES = ("ar", "de", "en", "es", "fr", "he", "ru", "tr")

# How each field of an item is chosen across the records that give it (merge.py implements each way).
BRIEF_THEN_PATH = "the brief record's, else the first source record's in path order (a different value is a warning)"
BRIEF_THEN_LATEST = "the brief record's, else the most recently published source's that gives one"
UNITE = "united over every record, brief record first, then sources by publication"
REPLACE_OR_UNITE = "the brief record's list when it sets one (even empty: it replaces), else the sources' united"
FACT = "the brief record's (the desk's assessment), else the sources' when they agree; every value when they differ"
LIFECYCLE = "the brief record's, else the most recently published source's (an answer without a status: answered)"
PRECEDENCE: tuple[tuple[str, str, str], ...] = (
    ("development", "summary, detail", BRIEF_THEN_PATH),
    ("development", "status, occurred, where", FACT),
    ("development", "kind, credibility, theme", BRIEF_THEN_LATEST),
    ("development", "actors, cites", UNITE),
    ("development", "order (brief record only)", "the editor's; see the order of developments"),
    ("actor", "name, type, parent", BRIEF_THEN_LATEST),
    ("actor", "role", BRIEF_THEN_PATH),
    ("actor", "aliases", REPLACE_OR_UNITE),
    ("actor", "cites", UNITE),
    ("open question", "question, why", BRIEF_THEN_PATH),
    ("open question", "status, answer", LIFECYCLE),
    ("open question", "kind", BRIEF_THEN_LATEST),
    ("open question", "watch_for", REPLACE_OR_UNITE),
    ("open question", "cites", UNITE),
)


def status_table() -> str:
    statuses = list(Status)
    lines = [
        "| | " + " | ".join(s.value for s in statuses) + " |",
        "| --- |" + " --- |" * len(statuses),
    ]
    for a in statuses:
        lines.append(f"| **{a.value}** | " + " | ".join(status_relation(a, b).value for b in statuses) + " |")
    groups = "; ".join(f"{name}: {', '.join(s.value for s in members)}" for name, members in STATUS_GROUPS.items())
    relations = ", ".join(r.value for r in Relation)
    return "\n".join(lines) + f"\n\nGroups, strongest first: {groups}. Relations: {relations}.\n"


def precision_table() -> str:
    order = list(Precision)
    lines = ["| precision | compared as | agrees with |", "| --- | --- | --- |"]
    examples = {
        Precision.YEAR: ("the year", "any date in that year"),
        Precision.MONTH: ("year and month", "any day or time in that month"),
        Precision.DAY: ("the day (a time's own offset)", "any time on that day"),
        Precision.TIME: ("the instant", "the same instant; a day, month or year containing it"),
    }
    for precision in order:
        compared, agrees = examples[precision]
        lines.append(f"| {precision.value} | {compared} | {agrees} |")
    return "\n".join(lines) + "\n"


def precedence_table() -> str:
    lines = ["| item | fields | value |", "| --- | --- | --- |"]
    lines += [f"| {item} | {fields} | {how} |" for item, fields, how in PRECEDENCE]
    return "\n".join(lines) + "\n"


def date_words_table() -> str:
    return day_word_table_markdown(DOC_LANGUAGES)


TABLES: dict[str, Callable[[], str]] = {
    "status": status_table,
    "precision": precision_table,
    "precedence": precedence_table,
    "date-words": date_words_table,
}
_BLOCK = re.compile(r"(<!-- generated:(?P<name>[a-z-]+) -->\n)(?P<body>.*?)(<!-- /generated -->)", re.DOTALL)


def refresh(text: str) -> str:
    """`text` with every generated block rewritten from the code."""
    return _BLOCK.sub(lambda m: m.group(1) + TABLES[m.group("name")]() + m.group(4), text)


if __name__ == "__main__":
    path = Path(sys.argv[1])
    path.write_text(refresh(path.read_text(encoding="utf-8")), encoding="utf-8")
