"""What a PDF render needs and gives, as plain data: a job can be handed to a worker process that imports
only WeasyPrint (and this module), not the rest of briefgen."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from briefgen.errors import ExitCode


@dataclass(frozen=True)
class Attachment:
    name: str
    data: bytes
    description: str
    created: datetime  # the edition's issued time in UTC: the attachment's creation and modification date


@dataclass(frozen=True)
class PdfJob:
    """One edition's final HTML and how to render it."""

    label: str  # "<brief-id> <date>", for messages
    html: str
    base_url: str
    readable_roots: tuple[str, ...]  # folders whose regular files rendering may read
    variant: str  # pdf/ua-1 | pdf/a-3b
    identifier: bytes  # the PDF /ID, from the content, so the same inputs give the same bytes
    attachments: tuple[Attachment, ...] = ()
    seconds: int = 600  # the render's time budget, enforced by the process that waits for it
    memory_mib: int = 4096  # the render's memory budget (address space), enforced in the rendering process


@dataclass(frozen=True)
class RenderedPdf:
    data: bytes
    pages: int
    warnings: tuple[str, ...] = ()


@dataclass(frozen=True)
class PdfFailure:
    """A render that failed: the message and exit code of the `BriefgenError` it raised."""

    message: str
    exit_code: ExitCode
    fatal: bool = False  # the process that rendered it should not render again (e.g. after running out of memory)
