"""Typography per language for text from records: one quote style per language, French no-break spaces,
and the language and direction of a field (what its bidi isolate says).
"""

from __future__ import annotations

import re
import unicodedata

# Quote marks by language: double open, double close, single open, single close.
QUOTES: dict[str, str] = {
    "en": "“”‘’",
    "tr": "“”‘’",
    "de": "„“‚‘",
    "fr": "«»‹›",
    "ru": "«»„“",
    "ar": "«»‹›",
    "he": "“”‘’",
    "es": "«»“”",
    "it": "«»“”",
}
# ISO 15924 codes of the scripts a field's first strong letter may be in (Unicode names their first word).
SCRIPTS = {"ARABIC": "Arab", "HEBREW": "Hebr", "SYRIAC": "Syrc", "THAANA": "Thaa", "NKO": "Nkoo", "LATIN": "Latn"}
NBSP = "\u00a0"  # before a colon and inside guillemets
NNBSP = "\u202f"  # narrow: before ; ! ?


def base_language(language: str) -> str:
    return language.replace("_", "-").split("-")[0].lower()


def quotes_for(language: str) -> str:
    return QUOTES.get(base_language(language), QUOTES["en"])


def _first_strong(text: str) -> str | None:
    for char in text:
        if unicodedata.bidirectional(char) in ("L", "R", "AL"):
            return char
    return None


def field_language(text: str, language: str, language_direction: str) -> str:
    """The `lang` of a record field: the given language, unless the field is plainly in another script's
    direction (an Arabic name in an English brief): then `und-<Script>` (undetermined language, known script)."""
    char = _first_strong(text)
    if char is None:
        return language
    is_rtl = unicodedata.bidirectional(char) in ("R", "AL")
    if is_rtl == (language_direction == "rtl"):
        return language
    script = SCRIPTS.get(unicodedata.name(char, "LATIN").split()[0])
    return f"und-{script}" if script else "und"


_DOUBLE = re.compile(r'"([^"\n]*)"')
_SINGLE_OPEN = re.compile(r"(^|[\s(\[{])'(?=\w)")
_FRENCH_BEFORE = re.compile(r"[ \u00a0\u202f]*([;!?])")
_FRENCH_COLON = re.compile(r" +:(?=\s|$)")
_GUILLEMETS = re.compile(r"«[ \u00a0\u202f]*(.*?)[ \u00a0\u202f]*»")


def smart_quotes(text: str, language: str) -> str:
    """Straight and foreign double quotes as the language's quotes (`"x"` -> `“x”`, `«x»` in French)."""
    marks = quotes_for(language)
    text = _DOUBLE.sub(lambda m: f"{marks[0]}{m.group(1)}{marks[1]}", text)
    text = _SINGLE_OPEN.sub(lambda m: f"{m.group(1)}{marks[2]}", text)
    return text.replace("'", "’")


def french_spacing(text: str) -> str:
    """No-break spaces as French typography requires: before `: ; ! ?` and inside « »."""
    if not any(mark in text for mark in ":;!?«"):
        return text
    text = _FRENCH_BEFORE.sub(lambda m: NNBSP + m.group(1), text)
    text = _FRENCH_COLON.sub(NBSP + ":", text)
    return _GUILLEMETS.sub(lambda m: f"«{NBSP}{m.group(1)}{NBSP}»", text)


def typeset(text: str, language: str) -> str:
    """A plain record field as the language sets it: its quotes, and French spacing in French."""
    if '"' in text or "'" in text:
        text = smart_quotes(text, language)
    if base_language(language) == "fr":
        text = french_spacing(text)
    return text
