"""The output formats, one entry each: its extension, what it needs and how it is made.

Adding a format is one entry here (and its name in `OutputFormat`, which the settings validate). The
edition pipeline renders the text edition only when a chosen format needs it, and a PDF only when one
does; an email edition is one message per cleared distribution list.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from briefgen.build.pipeline import RenderedEdition
from briefgen.desk.layout import EditionKey, OutLayout
from briefgen.desk.models import DistributionList
from briefgen.desk.settings import MailSection
from briefgen.desk.vocabulary import OutputFormat
from briefgen.export.csl import csl_json
from briefgen.mail.message import Revision, cleared, message_for


@dataclass(frozen=True)
class MadeFrom:
    """What a format's outputs are made from."""

    key: EditionKey
    edition: RenderedEdition
    pdf: bytes | None
    lists: dict[str, DistributionList]
    mail: MailSection
    templates: Path | None = None  # the desk's templates/ (its catalogs translate the subject)
    revision: Revision = field(default_factory=Revision)

    def mailing_lists(self) -> list[DistributionList]:
        """The brief's lists that exist and are cleared for its marking (the others get nothing)."""
        brief = self.edition.brief
        named = [self.lists[name] for name in brief.lists if name in self.lists]
        return [mailing for mailing in named if cleared(mailing, brief.marking)]


@dataclass(frozen=True)
class FormatSpec:
    format: OutputFormat
    description: str
    make: Callable[[MadeFrom], dict[str, bytes]]  # file names in the edition's date folder -> bytes
    needs_text: bool = False
    needs_pdf: bool = False


def _one(extension: str, data: Callable[[MadeFrom], bytes | None]) -> Callable[[MadeFrom], dict[str, bytes]]:
    def make(source: MadeFrom) -> dict[str, bytes]:
        value = data(source)
        return {} if value is None else {OutLayout.edition_file(source.key, extension): value}

    return make


def _stix(source: MadeFrom) -> bytes:
    from briefgen.export.stix import stix_bundle  # stix2 takes long to import: only builds that write STIX do

    return stix_bundle(source.edition.brief)


def _emails(source: MadeFrom) -> dict[str, bytes]:
    edition = source.edition
    if source.pdf is None or edition.text is None:
        return {}
    return {
        OutLayout.email_file(source.key, mailing.id): message_for(
            edition.brief,
            mailing,
            mail=source.mail,
            html=edition.html,
            text=edition.text,
            pdf=source.pdf,
            desk_templates=source.templates,
            revision=source.revision,
        )
        for mailing in source.mailing_lists()
    }


FORMATS: dict[OutputFormat, FormatSpec] = {
    spec.format: spec
    for spec in (
        FormatSpec(
            OutputFormat.HTML, "one self-contained HTML page", _one("html", lambda s: s.edition.html.encode("utf-8"))
        ),
        FormatSpec(OutputFormat.PDF, "the PDF (PDF/UA-1 or PDF/A-3b)", _one("pdf", lambda s: s.pdf), needs_pdf=True),
        FormatSpec(OutputFormat.JSON, "the composed brief as JSON", _one("json", lambda s: s.edition.json)),
        FormatSpec(
            OutputFormat.TXT,
            "plain text, 76 columns",
            _one("txt", lambda s: s.edition.text.encode("utf-8") if s.edition.text is not None else None),
            needs_text=True,
        ),
        FormatSpec(
            OutputFormat.EML,
            "one email message per cleared distribution list",
            _emails,
            needs_text=True,
            needs_pdf=True,
        ),
        FormatSpec(
            OutputFormat.STIX,
            "a STIX 2.1 bundle: a Report, a Note per development, TLP 2.0 markings",
            _one("stix.json", _stix),
        ),
        FormatSpec(
            OutputFormat.CSL,
            "CSL-JSON of the sources the edition shows, for Pandoc or Zotero",
            _one("csl.json", lambda s: csl_json(s.edition.brief)),
        ),
    )
}
assert set(FORMATS) == set(OutputFormat), "every output format has one entry in the table"


def needs_text(formats: Iterable[OutputFormat]) -> bool:
    return any(FORMATS[f].needs_text for f in formats)


def needs_pdf(formats: Iterable[OutputFormat]) -> bool:
    return any(FORMATS[f].needs_pdf for f in formats)


def outputs(formats: Iterable[OutputFormat], source: MadeFrom) -> dict[str, bytes]:
    """Every file of the edition, in the order of `formats`."""
    made: dict[str, bytes] = {}
    for name in formats:
        made.update(FORMATS[name].make(source))
    return made
