"""Who the text attributes its information to, which outlets it relays, and its verbatim quotes.

Attribution cues are the phrases that introduce a source, in English, French, Arabic, Hebrew and
Turkish: "citing", "according to", "reported by", "quoted by" and "X reported" (selon, citant, d'après,
cité par; نقلا عن، وفقا ل، بحسب، ذكرت; לפי, על פי, כך דיווח, ציטט; "X'e göre", "X'in aktardığına göre").
The phrase a cue introduces runs to the next punctuation or clause word; a nested cue in it ("the
source quoted by Israel Hayom") gives the outlet it came through. A phrase naming an outlet of the
gazetteer makes a relay; an unknown name after a media word (newspaper, agence, وكالة, ערוץ,
gazetesi ...) becomes a review item; a phrase with an anonymity marker ("unnamed", "asked not to be
named", "sous couvert d'anonymat", "طلب عدم الكشف", "בעילום שם", "adının açıklanmaması") or a generic
"a/the source/official" without a name is anonymous; a clause with an anonymity marker that no cue
introduced is an anonymous attribution too (its cue is the marker).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

from briefgen.desk.gazetteer import GazetteerOutlet
from briefgen.ingest.names import Names
from briefgen.ingest.paragraphs import Paragraph

_AFTER_CUES = (
    r"according to|citing|quoted by|reported by|as reported by|as stated by|cited by|"
    r"selon|citant|d'après|d’après|cité par|citée par|rapporté par|"
    r"نقلا عن|نقلاً عن|وفقا لـ?|وفقاً لـ?|بحسب|حسب ما ذكرت|ذكرت|أفادت|"
    r"לפי|על פי|כך דיווח|כך דווח ב|ציטט|מסר"
)
_NESTED = r"quoted by|cited by|cité par|citée par|reported by|as reported by"  # inside another cue's phrase
_CITING = r"citing|citant|quoting|نقلا عن|نقلاً عن|ציטט"  # "X reported, citing Y": Y came through X
_BEFORE_CUES = (
    r"reported|said in a report|a rapporté|rapporte|'?(?:n?[ıiuü]n|[ae]|y[ae])\s+(?:aktardığına|haberine)?\s*göre"
)
_STOP = r"[,;:.!?؟()\[\]\"“”«»]|\s(?:that|who|which|on|in|said|qu[e']|qui|que|et|و|ש|אמר|ki|ve)\s"
_ANONYMITY = re.compile(
    r"unnamed|anonymous|anonymity|not to be named|not authori[sz]ed|declined to be (?:named|identified)|"
    r"sous couvert d'anonymat|anonyme|requis l'anonymat|"
    r"طلب عدم الكشف|رفض الكشف|فضل عدم الكشف|لم يكشف|"
    r"בעילום שם|שביקש לא להזדהות|שביקש שלא|"
    r"adının açıklanmaması|isminin açıklanmaması|isim vermeden|kimliği",
    re.IGNORECASE,
)
_GENERIC = re.compile(
    r"^(?:an?|the|one|two|three|several|some|un|une|des|les|le|la|bir|iki)\b.*\b(?:sources?|officials?|diplomats?|"
    r"responsables?|sources?|officiels?|kaynak(?:lar)?|yetkili(?:ler)?)\b|^(?:مصدر|مصادر|مسؤول|مسؤولون|גורם|גורמים|מקור|מקורות)",
    re.IGNORECASE,
)
_MEDIA = re.compile(
    r"\b(?:newspaper|daily|agency|broadcaster|channel|radio|television|tv|outlet|website|magazine|journal|"
    r"quotidien|agence|chaîne|gazetesi|ajansı|kanalı)\b|وكالة|صحيفة|قناة|إذاعة|מוקד|עיתון|ערוץ|סוכנות|אתר",
    re.IGNORECASE,
)
_NAME = re.compile(r"(?:[A-ZÇĞİÖŞÜ][\w.&-]*(?:\s+(?:[A-ZÇĞİÖŞÜ][\w.&-]*|\d+))*)")
_QUOTE = re.compile(r"“([^“”\n]{3,600})”|«\s*([^«»\n]{3,600}?)\s*»|„([^„“”\n]{3,600})[“”]|\"([^\"\n]{3,600})\"")


@dataclass(frozen=True)
class Attribution:
    """An attribution cue in a paragraph and what it introduces."""

    para: int
    cue: str
    who: str
    via: str | None
    anonymous: bool
    outlet: GazetteerOutlet | None  # the gazetteer outlet it names, when it names one
    unknown_outlet: str | None  # a name after a media word that the gazetteer does not know


def _phrase_after(text: str, start: int) -> str:
    rest = text[start:]
    stop = re.search(_STOP, rest)
    phrase = rest[: stop.start()] if stop else rest
    return " ".join(phrase.split()[:10]).strip(" -–—")


def _phrase_before(text: str, end: int) -> str:
    head = text[:end]
    cut = max(head.rfind(mark) for mark in (",", ";", ".", "–", "—", "(", ")", ":"))
    return " ".join(head[cut + 1 :].split()[-8:]).strip()


def _read_who(phrase: str, names: Names, para: int, cue: str) -> Attribution | None:
    nested = re.search(rf"\s(?:{_AFTER_CUES})\s+", phrase, re.IGNORECASE)
    who, via = (phrase[: nested.start()].strip(), phrase[nested.end() :].strip()) if nested else (phrase, None)
    if len(who) < 2:
        return None
    outlets = names.outlets_within(via or "") or names.outlets_within(who)
    outlet = outlets[0] if outlets else None
    unknown = None
    if outlet is None and _MEDIA.search(via or who):
        after_media = (via or who)[_MEDIA.search(via or who).end() :]  # type: ignore[union-attr]
        proper = _NAME.search(after_media) or _NAME.search(via or who)
        uncased = not any(c.isupper() or c.islower() for c in after_media)  # Arabic, Hebrew: no capitals
        unknown = proper.group(0).strip() if proper else " ".join(after_media.split()[:3]) if uncased else None
        unknown = unknown or None
    anonymous = bool(_ANONYMITY.search(phrase)) or (outlet is None and unknown is None and bool(_GENERIC.search(who)))
    if via is None and outlet is not None and names.outlets_within(who) == [outlet] and not anonymous:
        who = outlet.name
    return Attribution(
        para, cue, who, via or (outlet.name if outlet and who != outlet.name else None), anonymous, outlet, unknown
    )


def find_attributions(paragraphs: tuple[Paragraph, ...], names: Names) -> list[Attribution]:
    """Every attribution cue of the paragraphs, in order."""
    found: list[Attribution] = []
    for paragraph in paragraphs:
        text = paragraph.text
        mine: list[Attribution] = []
        for match in re.finditer(rf"(?<!\w)(?:{_AFTER_CUES})(?:\s+|(?<=ل)|(?<=لـ))", text, re.IGNORECASE):
            phrase = _phrase_after(text, match.end())
            attribution = _read_who(phrase, names, paragraph.number, match.group(0).strip())
            if attribution is not None and re.match(_CITING, attribution.cue, re.IGNORECASE) and not attribution.via:
                sentence = re.split(r"[.!?؟]\s", text[: match.start()])[-1]
                before = names.outlets_within(sentence)
                if before and attribution.outlet is None:
                    attribution = replace(attribution, via=before[0].name)  # "X reported ..., citing Y"
            if attribution is not None:
                mine.append(attribution)
        for match in re.finditer(rf"(?:{_BEFORE_CUES})(?!\w)", text, re.IGNORECASE):
            phrase = _phrase_before(text, match.start())
            if phrase and (names.outlets_within(phrase) or _MEDIA.search(phrase) or _ANONYMITY.search(phrase)):
                attribution = _read_who(phrase, names, paragraph.number, match.group(0).strip())
                if attribution is not None:
                    mine.append(attribution)
        # "the source quoted by X" already names X as the way it came: X is not a second attribution.
        vias = {a.via for a in mine if a.via}
        mine = [a for a in mine if not (re.fullmatch(_NESTED, a.cue, re.IGNORECASE) and a.who in vias)]
        found.extend(mine)
        found.extend(_unattributed_anonymity(paragraph, mine))
    return found


def _unattributed_anonymity(paragraph: Paragraph, cued: list[Attribution]) -> list[Attribution]:
    """Anonymous sources no cue introduced ("a source who asked not to be named said"): the clause
    holding the anonymity marker is who."""
    found: list[Attribution] = []
    for clause in re.split(r"[,.;:،؛!?؟]", paragraph.text):
        marker = _ANONYMITY.search(clause)
        if marker is None or any(a.who in clause or marker.group(0) in a.who for a in cued):
            continue
        who = " ".join(clause.split()[:14])
        found.append(Attribution(paragraph.number, marker.group(0), who, None, True, None, None))
    return found


@dataclass(frozen=True)
class Quote:
    para: int
    text: str


def find_quotes(paragraphs: tuple[Paragraph, ...]) -> list[Quote]:
    """Verbatim quotes (text between quotation marks), exactly as they stand in the paragraph."""
    quotes: list[Quote] = []
    for paragraph in paragraphs:
        for match in _QUOTE.finditer(paragraph.text):
            inner = next(group for group in match.groups() if group is not None).strip()
            if len(inner.split()) >= 2 or len(inner) >= 8:
                quotes.append(Quote(paragraph.number, inner))
    return quotes
