"""The brief's language: message catalogs (gettext via Babel), the locale's formats, direction from CLDR.

Every word briefgen writes itself is a message in the `briefgen` catalogs, kept as `.po` sources in
`briefgen/render/locale/<lang>/LC_MESSAGES/briefgen.po` with their compiled `.mo` beside them (a test checks
that each `.mo` is compiled from its `.po`, and that every catalog translates every message). The brief's
`language` picks the catalog: `fr-CA` uses `fr`, a language without a catalog uses English.

Numbers in messages are the locale's: a `%(name)d` placeholder given an integer is filled with Babel's
decimal format for the locale (grouping: `1,200`, `1 200` in French, `1.200` in Turkish) in the digits of
the locale's default numbering system (CLDR: Latin for `ar`, Arabic-Indic for `ar-EG`, Persian for `fa`);
dates and times in words take the same digits (`Words.digits`).

A desk adds a language or overrides labels with `templates/locale/<lang>.po` (the same messages; a partial
file is fine): its messages win over the built-in ones, and for a language briefgen has no catalog for, its
plural forms are used and untranslated messages fall back to English.
"""

from __future__ import annotations

import functools
import gettext
import io
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from babel import Locale, UnknownLocaleError
from babel.core import get_global
from babel.messages.mofile import write_mo
from babel.messages.pofile import PoFileError, read_po
from babel.numbers import format_decimal
from babel.support import Translations
from markupsafe import Markup, escape

from briefgen.errors import TemplateError

DOMAIN = "briefgen"
LOCALE_DIR = Path(__file__).resolve().parent / "locale"
CATALOG_LANGUAGES = ("en", "fr", "ar", "he", "tr")


# The zero of each CLDR numbering system of decimal digits that is some locale's default
# (common/supplemental/numberingSystems.xml): its digits are the ten code points from it.
DIGIT_ZERO = {
    "arab": 0x0660,
    "arabext": 0x06F0,
    "beng": 0x09E6,
    "deva": 0x0966,
    "mtei": 0xABF0,
    "mymr": 0x1040,
    "olck": 0x1C50,
    "tibt": 0x0F20,
}
# The CSS counter style (CSS Counter Styles 3, predefined) of each of those numbering systems.
COUNTER_STYLES = {
    "arab": "arabic-indic",
    "arabext": "persian",
    "beng": "bengali",
    "deva": "devanagari",
    "mtei": "meetei",
    "mymr": "myanmar",
    "olck": "ol-chiki",
    "tibt": "tibetan",
}
INTEGER_PLACEHOLDER = re.compile(r"%\((\w+)\)d")


def N_(message: str) -> str:  # the gettext marker name extractors look for
    """Marks a message for extraction; translated where it is shown."""
    return message


def _parse(language: str) -> Locale | None:
    try:
        return Locale.parse(language.replace("-", "_"))
    except (UnknownLocaleError, ValueError, TypeError):
        return None


def _subtags(language: str) -> tuple[str, str | None]:
    parts = language.replace("_", "-").split("-")
    script = next((p.title() for p in parts[1:] if len(p) == 4 and p.isalpha()), None)
    return parts[0].lower(), script


@functools.cache
def locale_for(language: str) -> Locale:
    """The Babel locale of a language tag (`fr`, `ar-SY`, `ku-Arab`), English when CLDR does not know it."""
    return _parse(language) or _parse(_subtags(language)[0]) or Locale("en")


@functools.cache
def direction(language: str) -> str:
    """`rtl` or `ltr` for a language tag, from CLDR: an explicit script decides (`ku-Arab`, `az-Arab`),
    else the language's own locale data, else the script CLDR's likely subtags give it."""
    base, script = _subtags(language)
    likely: Mapping[str, str] = get_global("likely_subtags")
    if script is None:
        known = _parse(language) or _parse(base)
        if known is not None:
            return "rtl" if known.text_direction == "rtl" else "ltr"
        script = _subtags(likely.get(base, "en_Latn").replace("_", "-"))[1]
    exemplar = likely.get(f"und_{script}")
    if exemplar is None:
        return "ltr"
    locale = _parse(exemplar.split("_")[0])
    return "rtl" if locale is not None and locale.text_direction == "rtl" else "ltr"


def _builtin_catalog(language: str) -> Translations | None:
    base = _subtags(language)[0]
    for candidate in (language.replace("-", "_"), base):
        path = LOCALE_DIR / candidate / "LC_MESSAGES" / f"{DOMAIN}.mo"
        if path.is_file():
            with path.open("rb") as handle:
                return Translations(handle, domain=DOMAIN)
    return None


def _desk_catalog(path: Path) -> Translations:
    """A desk's `.po` file, compiled in memory. A malformed file is one located error."""
    try:
        with path.open("rb") as handle:
            catalog = read_po(handle, abort_invalid=True)
    except PoFileError as exc:
        line = getattr(exc, "lineno", 0) + 1  # Babel counts from 0
        reason = re.sub(r" on \d+$", "", str(exc))
        raise TemplateError(
            f"templates/locale/{path.name}:{line}: not a valid gettext catalog: {reason}: {getattr(exc, 'line', '')!r}"
        ) from None
    except (UnicodeDecodeError, OSError) as exc:
        raise TemplateError(f"templates/locale/{path.name}: not a valid gettext catalog: {exc}") from None
    buffer = io.BytesIO()
    write_mo(buffer, catalog)
    buffer.seek(0)
    return Translations(buffer, domain=DOMAIN)


def desk_catalog_path(desk_templates: Path | None, language: str) -> Path | None:
    """The desk's catalog for a language (`templates/locale/fr.po`, else the base language's), if any."""
    if desk_templates is None:
        return None
    for candidate in dict.fromkeys((language, language.replace("-", "_"), _subtags(language)[0])):
        path = desk_templates / "locale" / f"{candidate}.po"
        if path.is_file():
            return path
    return None


@functools.cache
def _translations(language: str, desk_po: Path | None, stamp: int) -> gettext.NullTranslations:
    """The catalogs of a language (`stamp`: the desk file's modification time, so an edited file is reread)."""
    english = _builtin_catalog("en")
    builtin = _builtin_catalog(language)
    desk = _desk_catalog(desk_po) if desk_po is not None else None
    if builtin is not None:
        if desk is not None:
            builtin.merge(desk)  # a fresh object: the desk's messages win over the built-in ones
        return builtin
    if desk is None:
        return english or gettext.NullTranslations()
    if english is not None:
        desk.add_fallback(english)
    return desk


@dataclass(frozen=True)
class Words:
    """The words, formats and direction of one brief's language; what labels and templates translate with."""

    language: str
    translations: gettext.NullTranslations = field(repr=False)

    @property
    def locale(self) -> Locale:
        return locale_for(self.language)

    @property
    def direction(self) -> str:
        return direction(self.language)

    @property
    def numbering(self) -> str:
        """The locale's default numbering system (CLDR): `latn`, `arab`..."""
        return str(getattr(self.locale, "default_numbering_system", "latn"))

    @property
    def counter_style(self) -> str:
        """The CSS counter style that writes numbers in the locale's digits (`decimal`, `arabic-indic`...)."""
        return COUNTER_STYLES.get(self.numbering, "decimal")

    def digits(self, text: str) -> str:
        """ASCII digits in `text` as the locale's default numbering system writes them."""
        zero = DIGIT_ZERO.get(self.numbering)
        return text if zero is None else text.translate({48 + d: zero + d for d in range(10)})

    def number(self, value: int | float) -> str:
        """A number in the locale's format and digits (`1,200`, `1 200`, `١٬٢٠٠`)."""
        return self.digits(format_decimal(value, locale=self.locale, numbering_system="default"))

    def _filled(self, text: str, values: dict[str, object]) -> str:
        """`text % values`, integers as the locale's numbers; with HTML values (`Markup`, such as isolated
        record fields) the message is escaped and the result is HTML too."""
        numbers = {k: self.number(v) for k, v in values.items() if isinstance(v, int) and not isinstance(v, bool)}
        if numbers:
            text = INTEGER_PLACEHOLDER.sub(lambda m: f"%({m[1]})s" if m[1] in numbers else m[0], text)
        values = {**values, **numbers}
        if any(isinstance(value, Markup) for value in values.values()):
            return Markup(escape(text)) % values
        return text % values

    def gettext(self, message: str, **values: object) -> str:
        """The message translated, `%(name)s` placeholders filled (integers as the locale's numbers)."""
        text = self.translations.gettext(message)
        return self._filled(text, values) if values else text

    def ngettext(self, singular: str, plural: str, count: int, **values: object) -> str:
        """The plural form for `count`, with `%(num)d` the count in the locale's number format."""
        text = self.translations.ngettext(singular, plural, count)
        return self._filled(text, {"num": count, **values})

    def punctuation(self) -> dict[str, str]:
        """The separators the language writes between a list's items and at a sentence's end."""
        return {
            "comma": self.pgettext("punctuation", ", "),
            "semicolon": self.pgettext("punctuation", "; "),
            "stop": self.pgettext("punctuation", "."),
        }

    def pgettext(self, context: str, message: str, **values: object) -> str:
        text = self.translations.pgettext(context, message)
        return self._filled(text, values) if values else text


def words_for(language: str, desk_templates: Path | None = None) -> Words:
    """The words of a brief in `language`, with the desk's own catalog (if any) over the built-in one."""
    desk_po = desk_catalog_path(desk_templates, language)
    stamp = desk_po.stat().st_mtime_ns if desk_po is not None else 0
    return Words(language, _translations(language, desk_po, stamp))
