"""Assemble a draft source record from one input: `source:` as far as the input tells, and `ingest:`.

Field by field (each recorded in `ingest.fields` with its origin and confidence): `title` (page
metadata, else the headline line); `outlet` (`--outlet`, else the dateline's (Agency), else the page's
site name, each put in the gazetteer's spelling; null when nothing names one); `type` (`--type`, else
the gazetteer's); `authors` (bylines and writing credits, else page metadata); `dateline` as printed;
`published` (page metadata, else a printed date line; never the file time or the clock); `language`
(`--lang`, the page's `lang`, else identification among `[desk] languages`); `relays` (gazetteer
outlets named by attribution cues); `text`. `reliability` stays F; developments, actors and questions
are left to the analyst. Whatever ingest could not settle becomes a review item.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from pydantic import ValidationError
from rapidfuzz import fuzz, process

from briefgen.compose.datewords import find_day_words, resolve_day_phrase
from briefgen.compose.dayvocab import base_language
from briefgen.compose.folding import fold_text
from briefgen.desk.fields import MAX_SOURCE_TEXT
from briefgen.desk.ingest_block import (
    ActorMention,
    AttributionCandidate,
    Candidates,
    CiteCandidate,
    Confidence,
    DateCandidate,
    DateReading,
    FieldNote,
    IngestBlock,
    Overlap,
    QuoteCandidate,
    RemovedMarkup,
    ReviewItem,
)
from briefgen.desk.models import SourceRecord
from briefgen.ingest.attribution import find_attributions, find_quotes
from briefgen.ingest.language import detect_language
from briefgen.ingest.mentions import find_mentions
from briefgen.ingest.names import Names
from briefgen.ingest.page import Page, read_page
from briefgen.ingest.paragraphs import NEAR_DUPLICATE, Paragraph, Split, key, near_duplicates, split_text
from briefgen.ingest.printed import Dateline, PrintedDate, find_dateline
from briefgen.ingest.rawinput import InputError, RawInput, decode_input, strip_invisible

OVERLAP_SHARE = 0.5


@dataclass(frozen=True)
class Options:
    """What the command line says about the inputs."""

    url: str | None = None
    accessed: str | None = None
    language: str | None = None
    outlet: str | None = None
    type: str | None = None
    encoding: str = "utf-8"


@dataclass(frozen=True)
class KnownSource:
    """A source already in the desk (or drafted), for ids, hashes and overlap."""

    id: str
    rel: str
    paragraph_keys: tuple[str, ...]
    raw_sha256: str | None
    text_sha256: str | None


@dataclass(frozen=True)
class DeskContext:
    languages: tuple[str, ...]
    names: Names
    known: tuple[KnownSource, ...]


@dataclass(frozen=True)
class Draft:
    id: str
    data: dict[str, Any]
    review: int
    text_sha256: str


@dataclass
class _Notes:
    fields: list[FieldNote] = field(default_factory=list)
    review: list[ReviewItem] = field(default_factory=list)

    def note(self, name: str, origin: str, confidence: Confidence, note: str | None = None) -> None:
        self.fields.append(FieldNote(field=name, origin=origin, confidence=confidence, note=note))

    def ask(self, name: str, message: str) -> None:
        self.review.append(ReviewItem(field=name, message=message))


def _slug(text: str) -> str:
    words = re.sub(r"[^a-z0-9]+", " ", fold_text(text)).split()
    slug = ""
    for word in words:
        if len(slug) + len(word) + 1 > 60:
            break
        slug = f"{slug}-{word}" if slug else word
    return slug


def _draft_id(outlet: str | None, title: str, digest: str, taken: set[str]) -> str:
    base = _slug(f"{outlet or ''} {title}") or f"source-{digest[:10]}"
    candidate, number = base, 2
    while candidate in taken:
        candidate, number = f"{base}-{number}", number + 1
    return candidate


def _language(options: Options, page: Page | None, body: str, context: DeskContext, notes: _Notes) -> str:
    if options.language:
        notes.note("language", "--lang", Confidence.HIGH)
        return options.language
    if page is not None and page.lang:
        notes.note("language", "page lang attribute", Confidence.HIGH)
        return page.lang
    detected = detect_language(body, context.languages)
    among = f" among {', '.join(context.languages)}" if context.languages else ""
    notes.note("language", f"identified{among} (py3langid)", detected.confidence, f"probability {detected.probability}")
    if detected.confidence is Confidence.LOW:
        notes.ask("language", f"identified as {detected.language!r} with probability {detected.probability}: check it")
    return detected.language


def _outlet(
    options: Options, dateline: Dateline | None, page: Page | None, names: Names, notes: _Notes
) -> tuple[str | None, str | None]:
    """(outlet, type from the gazetteer)."""
    site = page.site_name if page else None
    agency = dateline.agency if dateline else None
    chosen = next(
        ((n, o) for n, o in ((options.outlet, "--outlet"), (agency, "dateline agency"), (site, "page site name")) if n),
        None,
    )
    if chosen is None:
        notes.note("outlet", "none", Confidence.NONE, "no dateline agency, site name or --outlet names one")
        notes.ask("outlet", "no outlet is named: set `outlet` if you know it (null means an unknown outlet)")
        return None, None
    name, origin = chosen
    match = names.outlet(name)
    outlet = match.outlet.name if match else name
    kind = match.outlet.type.value if match else None
    if match is None:
        notes.note("outlet", origin, Confidence.MEDIUM, f"{name!r} is not in gazetteer.yaml")
    elif match.near_miss:
        notes.note("outlet", f"{origin}, gazetteer (near match)", Confidence.MEDIUM, f"printed {name!r}")
        notes.ask("outlet", f"{name!r} was taken as the gazetteer's {outlet!r} (a near match): check it")
    else:
        notes.note("outlet", f"{origin}, gazetteer", Confidence.HIGH)
    if site and agency and origin == "dateline agency":
        site_match = names.outlet(site)
        if (site_match.outlet.name if site_match else site) != outlet:
            notes.ask(
                "outlet",
                f"the page is on {site!r} but its dateline names {agency!r}: outlet is {outlet!r}; if {site!r} "
                f"rewrote the story, make {site!r} the outlet and add {outlet!r} to relays",
            )
    return outlet, kind


def _parse_stamp(value: str) -> date | datetime | None:
    try:
        parsed = datetime.fromisoformat(value.strip())
    except ValueError:
        try:
            return date.fromisoformat(value.strip()[:10])
        except ValueError:
            return None
    return parsed if parsed.utcoffset() is not None else parsed.date()


def _published(page: Page | None, split: Split, notes: _Notes) -> date | datetime | None:
    for number, stamp in split.updated:
        notes.note(
            "published",
            "not from an update stamp",
            Confidence.HIGH,
            f"line {number} {stamp.matched!r} is an update time",
        )
    stamps = [(s.origin, _parse_stamp(s.value), s.value) for s in (page.published if page else ())]
    dated = [(origin, value, raw) for origin, value, raw in stamps if value is not None]
    if dated:
        origin, value, raw = dated[0]
        precision = "time" if isinstance(value, datetime) else "day"
        note = None if precision == "time" or "T" not in raw else f"{raw!r} has no UTC offset: only the day is kept"
        notes.note("published", origin, Confidence.HIGH, f"precision {precision}" + (f"; {note}" if note else ""))
        others = sorted({v.isoformat() for _, v, _ in dated[1:] if _day(v) != _day(value)})
        if others:
            notes.ask("published", f"the page's metadata also gives {', '.join(others)}: check the date")
        return value
    if split.published:
        return _printed(*split.published[0], notes)
    notes.note("published", "none", Confidence.NONE, "no page metadata or printed date line")
    notes.ask("published", "no publication date found: set `published` if you know it (leave null otherwise)")
    return None


def _day(value: date | datetime) -> date:
    return value.date() if isinstance(value, datetime) else value


def _printed(number: int, printed: PrintedDate, notes: _Notes) -> date | datetime | None:
    if printed.readings:
        readings = " or ".join(day.strftime("%d %B %Y").lstrip("0") for day in printed.readings)
        notes.note("published", f"printed date line {number}", Confidence.NONE, f"{printed.matched!r} is ambiguous")
        notes.ask("published", f"line {number}: {printed.matched!r} reads as {readings}: set `published`")
        return None
    if printed.problem:
        notes.note("published", f"printed date line {number}", Confidence.NONE, printed.problem)
        notes.ask("published", f"line {number}: {printed.problem}: set `published`")
        return None
    note = f"precision {printed.precision}" + (f"; {printed.note}" if printed.note else "")
    notes.note("published", f"printed date line {number}", Confidence.MEDIUM, note)
    return printed.value


def _overlaps(paragraphs: tuple[Paragraph, ...], context: DeskContext, notes: _Notes) -> list[Overlap]:
    found: list[Overlap] = []
    keys = [key(p.text) for p in paragraphs]
    for known in context.known:
        if not known.paragraph_keys:
            continue
        scores = process.cdist(keys, known.paragraph_keys, scorer=fuzz.ratio, score_cutoff=NEAR_DUPLICATE)
        matching = [p.number for p, row in zip(paragraphs, scores, strict=True) if row.max() > 0]
        if matching and len(matching) >= OVERLAP_SHARE * len(paragraphs):
            found.append(Overlap(source=known.id, paragraphs=matching))
            notes.ask(
                "relays",
                f"{len(matching)} of {len(paragraphs)} paragraphs repeat source {known.id!r} ({known.rel}): "
                f"if this copies it, add that source's outlet to `relays`",
            )
    return found


def _date_candidates(
    paragraphs: tuple[Paragraph, ...], language: str, published: date | datetime | None
) -> list[DateCandidate]:
    candidates: list[DateCandidate] = []
    for paragraph in paragraphs:
        for word in find_day_words(paragraph.text, language):
            readings = [resolve_day_phrase(word.word, language, published, future=f) for f in (False, True)]
            past, future = (DateReading(on=r.on, reason=r.reason) for r in readings)
            candidates.append(DateCandidate(para=paragraph.number, phrase=word.word, if_past=past, if_future=future))
    return candidates


def make_draft(raw: RawInput, options: Options, context: DeskContext) -> Draft:
    """The draft record of one input (not written anywhere)."""
    clean = strip_invisible(decode_input(raw, options.encoding))
    notes = _Notes()
    page = read_page(clean.text) if raw.is_html else None
    body = page.text if page else clean.text
    language = _language(options, page, body, context, notes)
    split = split_text(body, base_language(language), title=page.title if page else None, choose_title=True)
    if not split.paragraphs:
        raise InputError(f"{raw.name}: no paragraph of text found (only titles, bylines, dates or junk lines)")
    paragraphs = split.paragraphs
    size = sum(len(p.text) + 2 for p in paragraphs) - 2
    if size > MAX_SOURCE_TEXT:
        raise InputError(
            f"{raw.name}: its text is {size} characters; a source record holds at most {MAX_SOURCE_TEXT} "
            "(split the document into several files)"
        )
    near = near_duplicates(paragraphs)
    dateline = find_dateline(paragraphs[0].text)
    outlet, gazetteer_type = _outlet(options, dateline, page, context.names, notes)
    title = split.title
    if title is None:
        title = " ".join(paragraphs[0].text.split()[:12]) + "…"
        notes.note("title", "first words of the text", Confidence.LOW)
        notes.ask("title", "no headline found: the title is the first words of the text; write the real one")
    else:
        notes.note("title", "page metadata" if page and page.title else "headline line", Confidence.HIGH)
    source_type = options.type or gazetteer_type or "unknown"
    notes.note(
        "type",
        "--type" if options.type else "gazetteer" if gazetteer_type else "none",
        Confidence.HIGH if source_type != "unknown" else Confidence.NONE,
    )
    authors = list(split.authors) or list(page.authors if page else ())
    notes.note(
        "authors",
        "byline or credit line" if split.authors else "page metadata" if authors else "none",
        Confidence.HIGH if authors else Confidence.NONE,
        "; ".join(split.credits) or None,
    )
    if dateline:
        notes.note("dateline", "first paragraph", Confidence.HIGH, f"place {dateline.place!r}")
    published = _published(page, split, notes)
    names = context.names
    attributions = find_attributions(paragraphs, names)
    relays = sorted({a.outlet.name for a in attributions if a.outlet and a.outlet.name != outlet})
    for unknown in sorted({a.unknown_outlet for a in attributions if a.unknown_outlet}):
        notes.ask(
            "relays",
            f"{unknown!r} is named as a source but is not in gazetteer.yaml: add it to `relays` if it is an outlet",
        )
    cued = {a.outlet.name for a in attributions if a.outlet} | {outlet}
    mentioned = sorted({o.name for p in paragraphs for o in names.outlets_within(p.text)} - cued)
    for name in mentioned:
        notes.ask(
            "relays",
            f"outlet {name!r} is mentioned without an attribution cue: add it to `relays` if this source passes it on",
        )
    notes.note("relays", "attribution cues naming gazetteer outlets", Confidence.MEDIUM if relays else Confidence.NONE)
    overlaps = _overlaps(paragraphs, context, notes)
    for pair in near:
        notes.ask(
            "text",
            f"paragraph {pair.para} is {pair.similarity}% like paragraph {pair.of}: delete one if it is a repeat",
        )
    text = "\n\n".join(p.text for p in paragraphs)
    text_sha = hashlib.sha256(text.encode("utf-8")).hexdigest()
    taken = {k.id for k in context.known}
    draft_id = _draft_id(outlet, title, raw.sha256, taken)
    candidates = Candidates(
        attributions=[
            AttributionCandidate(
                para=a.para,
                who=a.who,
                cue=a.cue,
                anonymous=a.anonymous,
                outlet=a.outlet.name if a.outlet else None,
                cite=CiteCandidate(source=draft_id, para=a.para, via=a.via, anonymous=a.anonymous),
            )
            for a in attributions
        ],
        dates=_date_candidates(paragraphs, base_language(language), published),
        actors=[
            ActorMention(para=m.para, actor=m.actor, written=m.written)
            for m in find_mentions(paragraphs, names, dateline_end=dateline.end if dateline else 0)
        ],
        quotes=[
            QuoteCandidate(para=q.para, cite=CiteCandidate(source=draft_id, para=q.para, quote=q.text))
            for q in find_quotes(paragraphs)
        ],
    )
    block = IngestBlock(
        file=raw.name.rsplit("/", 1)[-1],
        raw_sha256=raw.sha256,
        text_sha256=text_sha,
        fields=notes.fields,
        removed=list(split.removed),
        removed_characters=list(clean.removed),
        removed_markup=[RemovedMarkup(element=e, count=c) for e, c in (page.dropped if page else ())],
        near_duplicates=near,
        overlaps=overlaps,
        review=notes.review,
        candidates=candidates,
    )
    source: dict[str, Any] = {
        "id": draft_id,
        "title": title[:500],
        "outlet": outlet,
        "type": source_type,
        "authors": authors,
        "dateline": dateline.printed if dateline else None,
        "published": published.isoformat() if published else None,
        "accessed": options.accessed,
        "url": options.url,
        "language": language,
        "reliability": "F",
        "relays": relays,
        "text": text,
    }
    data = {"source": source, "ingest": block.model_dump(mode="json", exclude_none=True, exclude_defaults=False)}
    try:
        SourceRecord.model_validate(data)
    except ValidationError as exc:
        first = exc.errors(include_url=False)[0]
        where = ".".join(str(part) for part in first["loc"])
        raise InputError(f"{raw.name}: {where}: {first['msg']}") from None
    return Draft(draft_id, data, len(notes.review), text_sha)
