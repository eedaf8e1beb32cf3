"""Desk settings: the `briefgen.toml` model and its loader.

Every key is optional; a desk without `briefgen.toml` gets the defaults. Mail credentials never come
from this file (they are read from the environment when sending).
"""

from __future__ import annotations

import enum
import tomllib
from typing import Annotated
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import AfterValidator, ConfigDict, Field, NameEmail, StringConstraints

from briefgen.desk.fields import Language, Line, Record, Url
from briefgen.desk.models import Acknowledgement
from briefgen.desk.vocabulary import Marking, OutputFormat


def _known_timezone(name: str) -> str:
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(f"unknown time zone {name!r} (expected an IANA name such as 'Europe/Istanbul')") from None
    return name


class PageSize(enum.StrEnum):
    A4 = "A4"
    LETTER = "Letter"


class PdfVariant(enum.StrEnum):
    PDF_UA_1 = "pdf/ua-1"
    PDF_A_3B = "pdf/a-3b"


class DeskSection(Record):
    name: Line = "Desk"
    timezone: Annotated[str, AfterValidator(_known_timezone)] = "UTC"
    languages: Annotated[list[Language], Field(max_length=50)] = []  # what the desk reads; `ingest` detects among them


def _inside_the_desk(value: str) -> str:
    if value.startswith("/") or ".." in value.split("/"):
        raise ValueError(
            f"{value!r} leaves the desk; [build] out must be a folder inside the desk "
            "(to write elsewhere, give --out on the command line)"
        )
    return value


class BuildSection(Record):
    out: Annotated[
        str, StringConstraints(pattern=r"^[A-Za-z0-9._][A-Za-z0-9._/-]{0,200}$"), AfterValidator(_inside_the_desk)
    ] = "out"
    formats: Annotated[list[OutputFormat], Field(min_length=1)] = [
        OutputFormat.HTML,
        OutputFormat.PDF,
        OutputFormat.JSON,
    ]


class PdfSection(Record):
    page_size: PageSize = PageSize.A4
    variant: PdfVariant = PdfVariant.PDF_UA_1


class MailSection(Record):
    model_config = ConfigDict(populate_by_name=True)

    sender: NameEmail | None = Field(default=None, alias="from")
    host: Line = "localhost"
    port: Annotated[int, Field(ge=1, le=65535)] = 25
    starttls: bool = False
    ssl: bool = False
    attachment_limit: Annotated[int, Field(ge=1)] = 10_000_000
    # Put before the title in the subject of a corrected edition (a revision sent after an earlier one).
    correction_prefix: Line = "Correction:"


class LimitsSection(Record):
    max_file_size: Annotated[int, Field(ge=1_024, le=64 * 1024 * 1024)] = 1024 * 1024
    # A PDF render that takes longer or grows larger than this is stopped and its edition fails. The
    # defaults leave room for the largest record the file-size limit allows (hundreds of pages).
    render_seconds: Annotated[int, Field(ge=1, le=24 * 3600)] = 600
    render_memory: Annotated[int, Field(ge=256, le=1024 * 1024)] = 4096  # MiB of address space
    # A brief whose HTML is longer than twice this is laid out in parts of about this many characters (about
    # 40 pages of the built-in template): its render holds one part's boxes, not every page's. 0: always whole.
    render_part_chars: Annotated[int, Field(ge=0, le=100_000_000)] = 280_000
    # Every citation call is a link, a structure element and an annotation in the PDF: an edition with more
    # calls than this is refused at validation, before anything renders (measured: see the README's Safety).
    max_citations: Annotated[int, Field(ge=1, le=1_000_000)] = 5_000


def _ends_with_slash(value: str) -> str:
    if not value.endswith("/"):
        raise ValueError(f"{value!r} must end with '/' (it is the folder out/ is published at)")
    return value


class ArchiveSection(Record):
    # Where out/ is published (e.g. "https://briefs.example.org/levant/"): the feeds' links start with it.
    # Unset, the feeds link relative to themselves.
    url: Annotated[Url, AfterValidator(_ends_with_slash)] | None = None


class ExecutorSection(Record):
    # Where PDFs are rendered: "local" (worker processes on this machine) or a Dask scheduler, dask://HOST:PORT.
    url: Annotated[str, StringConstraints(pattern=r"^(local|dask://[A-Za-z0-9.\[\]:_-]{1,250}:[0-9]{1,5})$")] = "local"


class MarkingsSection(Record):
    # The marking of a source record that gives none: what editions below the brief's marking may cite.
    unmarked_source: Marking = Marking.CLEAR


class DeskAcknowledgement(Acknowledgement):
    """`[[acknowledge]]` in briefgen.toml: an acknowledgement of a warning in `file` (a desk file's path)."""

    file: Annotated[str, StringConstraints(min_length=1, max_length=500)]


class Settings(Record):
    """`briefgen.toml`: desk settings, all optional."""

    desk: DeskSection = DeskSection()
    build: BuildSection = BuildSection()
    pdf: PdfSection = PdfSection()
    mail: MailSection = MailSection()
    limits: LimitsSection = LimitsSection()
    archive: ArchiveSection = ArchiveSection()
    executor: ExecutorSection = ExecutorSection()
    markings: MarkingsSection = MarkingsSection()
    acknowledge: Annotated[list[DeskAcknowledgement], Field(max_length=10_000)] = []

    @property
    def timezone(self) -> ZoneInfo:
        return ZoneInfo(self.desk.timezone)


def parse_settings_text(text: str) -> dict[str, object]:
    """Parse TOML text; a syntax error is raised as `tomllib.TOMLDecodeError` (its message has the line)."""
    return tomllib.loads(text)
