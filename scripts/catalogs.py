"""Keep briefgen's message catalogs current: extract every message from the code and the built-in templates,
update each `briefgen/render/locale/<lang>/LC_MESSAGES/briefgen.po` (new messages untranslated, gone ones
dropped) and compile its `.mo` beside it.

    .venv/bin/python scripts/catalogs.py           # extract, update the .po files, compile the .mo files
    .venv/bin/python scripts/catalogs.py --check   # exit 1 if a catalog is incomplete or a .mo is stale

The .mo files are committed (the wheel ships them without a build step); tests/test_catalogs.py checks
that each is compiled from its .po and that every catalog translates every message.
"""

from __future__ import annotations

import io
import sys
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po, write_po

ROOT = Path(__file__).resolve().parent.parent
LOCALE = ROOT / "briefgen" / "render" / "locale"
KEYWORDS = {"_": None, "gettext": None, "ngettext": (1, 2), "pgettext": ((1, "c"), 2)}
METHODS = [("**/*.py", "python"), ("**/*.j2", "jinja2")]
OPTIONS = {"**/*.j2": {"trim_blocks": "true", "lstrip_blocks": "true"}}


def template() -> Catalog:
    """Every message the code and the built-in templates use (labels' categories as gettext contexts)."""
    catalog = Catalog(project="briefgen", domain="briefgen", charset="utf-8")
    keywords = {**KEYWORDS, "pgettext": ((1, "c"), 2), "words.pgettext": ((1, "c"), 2)}
    for folder in (ROOT / "briefgen", ROOT / "templates"):
        for filename, line, message, comments, context in extract_from_dir(
            folder, METHODS, OPTIONS, keywords=keywords, comment_tags=("Translators:",), strip_comment_tags=True
        ):
            catalog.add(message, None, [(f"{folder.name}/{filename}", line)], auto_comments=comments, context=context)
    for context, messages in _label_messages().items():
        for message in messages:
            catalog.add(message, None, [("briefgen/render/labels.py", 0)], context=context)
    return catalog


def _label_messages() -> dict[str, list[str]]:
    sys.path.insert(0, str(ROOT))
    from briefgen.render.labels import LABELS

    return {category: list(messages.values()) for category, messages in LABELS.items()}


def compiled(po: Path) -> bytes:
    with po.open("rb") as handle:
        catalog = read_po(handle)
    buffer = io.BytesIO()
    write_mo(buffer, catalog)
    return buffer.getvalue()


def problems(po: Path, wanted: Catalog) -> list[str]:
    """What is wrong with one catalog: messages missing, untranslated, fuzzy or obsolete; a stale .mo."""
    with po.open("rb") as handle:
        catalog = read_po(handle)
    found = []
    for message in wanted:
        if not message.id:
            continue
        have = catalog.get(message.id, message.context)
        if have is None:
            found.append(f"{po}: missing {message.id!r}")
        elif have.fuzzy or not (all(have.string) if isinstance(have.string, tuple) else have.string):
            found.append(f"{po}: untranslated {message.id!r}")
    wanted_keys = {(m.id if isinstance(m.id, str) else m.id[0], m.context) for m in wanted if m.id}
    for message in catalog:
        key = (message.id if isinstance(message.id, str) else message.id[0], message.context)
        if message.id and key not in wanted_keys:
            found.append(f"{po}: obsolete {message.id!r}")
    mo = po.with_suffix(".mo")
    if not mo.is_file() or mo.read_bytes() != compiled(po):
        found.append(f"{mo}: not compiled from {po.name} (run scripts/catalogs.py)")
    return found


def update() -> None:
    wanted = template()
    for po in sorted(LOCALE.glob("*/LC_MESSAGES/briefgen.po")):
        with po.open("rb") as handle:
            catalog = read_po(handle, locale=po.parent.parent.name)
        created, revised = catalog.creation_date, catalog.revision_date
        catalog.update(wanted, no_fuzzy_matching=True)
        catalog.obsolete.clear()
        catalog.creation_date, catalog.revision_date = created, revised  # no churn from the clock
        catalog.fuzzy = False  # a fuzzy header would be left out of the .mo, and its plural forms with it
        with po.open("wb") as handle:
            write_po(handle, catalog, width=116, omit_header=False, sort_output=False, include_previous=False)
        po.with_suffix(".mo").write_bytes(compiled(po))


def main(argv: list[str]) -> int:
    if "--check" in argv:
        wanted = template()
        found = [p for po in sorted(LOCALE.glob("*/LC_MESSAGES/briefgen.po")) for p in problems(po, wanted)]
        print("\n".join(found) or "catalogs: complete and compiled")
        return 1 if found else 0
    update()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
