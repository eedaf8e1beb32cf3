"""The brief's language: message catalogs (gettext via Babel), the locale's formats, direction from CLDR.

Every word briefgen writes itself is a message in the `briefgen` catalogs, kept as `.po` sources in
`briefgen/render/locale/<lang>/LC_MESSAGES/briefgen.po` with their compiled `.mo` beside them (a test checks
that each `.mo` is compiled from its `.po`, and that every catalog translates every message). The brief's
`language` picks the catalog: `fr-CA` uses `fr`, a language without a catalog uses English.

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
from babel.support import Translations
from markupsafe import Markup, escape

from briefgen.errors import TemplateError

DOMAIN = "briefgen"
LOCALE_DIR = Path(__file__).resolve().parent / "locale"
CATALOG_LANGUAGES = ("en", "fr", "ar", "he", "tr")


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

    def gettext(self, message: str, **values: object) -> str:
        """The message translated, `%(name)s` placeholders filled; with HTML values (`Markup`, such as
        isolated record fields), the message is escaped and the result is HTML too."""
        text = self.translations.gettext(message)
        if any(isinstance(value, Markup) for value in values.values()):
            return Markup(escape(text)) % values
        return text % values if values else text

    def ngettext(self, singular: str, plural: str, count: int, **values: object) -> str:
        text = self.translations.ngettext(singular, plural, count)
        return text % {"num": count, **values}

    def punctuation(self) -> dict[str, str]:
        """The separators the language writes between a list's items and at a sentence's end."""
        return {
            "comma": self.pgettext("punctuation", ", "),
            "semicolon": self.pgettext("punctuation", "; "),
            "stop": self.pgettext("punctuation", "."),
        }

    def pgettext(self, context: str, message: str, **values: object) -> str:
        text = self.translations.pgettext(context, message)
        return text % values if values else text


def words_for(language: str, desk_templates: Path | None = None) -> Words:
    """The words of a brief in `language`, with the desk's own catalog (if any) over the built-in one."""
    desk_po = desk_catalog_path(desk_templates, language)
    stamp = desk_po.stat().st_mtime_ns if desk_po is not None else 0
    return Words(language, _translations(language, desk_po, stamp))
