"""What a PDF render needs and gives, as plain data: a job can be handed to a worker process that imports
only WeasyPrint (and this module), not the rest of briefgen, on this machine or another one.

A job names no path of the machine that made it: the files rendering may read (the template folders'
assets) travel inside it, each under its URL path below `ASSET_ROOT` and with its content hash, and the
renderer serves only those. `input_hash` identifies a job by everything that shapes its PDF.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime

from briefgen.errors import ExitCode

# The virtual folder the assets are served from: the desk's templates/ at its top, the built-in templates
# under builtin/ (as templates name them). A file: URL, so that a relative link in the HTML stays one that
# the pre-publication check refuses, and no real folder of any machine.
ASSET_ROOT = "file:///briefgen-templates/"


@dataclass(frozen=True)
class Attachment:
    name: str
    data: bytes
    description: str
    created: datetime  # the edition's issued time in UTC: the attachment's creation and modification date


@dataclass(frozen=True)
class Asset:
    """A file rendering may read: its URL path below `ASSET_ROOT`, the SHA-256 of its bytes, and the bytes."""

    path: str
    sha256: str
    data: bytes

    @classmethod
    def of(cls, path: str, data: bytes) -> Asset:
        return cls(path, hashlib.sha256(data).hexdigest(), data)


@dataclass(frozen=True)
class PdfJob:
    """One edition's final HTML and how to render it."""

    label: str  # "<brief-id> <date>", for messages
    html: str
    base_url: str
    assets: tuple[Asset, ...]  # the only files rendering may read
    variant: str  # pdf/ua-1 | pdf/a-3b
    identifier: bytes  # the PDF /ID, from the content, so the same inputs give the same bytes
    attachments: tuple[Attachment, ...] = ()
    seconds: int = 600  # the render's time budget, enforced by the process that waits for it
    memory_mib: int = 4096  # the render's memory budget (address space), enforced in the rendering process
    # False for the preview's PDF: the same pages, untagged and never published (no PDF/UA or PDF/A
    # variant, no structure tree to build and complete), so that it is back sooner after a save.
    publication: bool = True
    # Characters of HTML laid out at a time: a brief twice as long is rendered in parts of about this size
    # (`briefgen.pdf.parts`); 0 renders every brief whole.
    part_chars: int = 280_000

    def input_hash(self) -> str:
        """SHA-256 of everything that shapes the render's outcome (the label too: it is in the messages)."""
        digest = hashlib.sha256()
        parts: list[str | bytes] = [self.label, self.html, self.base_url, self.variant, self.identifier]
        parts += [f"{self.seconds} s, {self.memory_mib} MiB", "publication" if self.publication else "preview"]
        parts += [f"parts of {self.part_chars}"]
        for asset in self.assets:
            parts += [asset.path, asset.sha256]
        for attachment in self.attachments:
            parts += [attachment.name, attachment.description, attachment.data]
        for part in parts:
            data = part.encode("utf-8") if isinstance(part, str) else part
            digest.update(len(data).to_bytes(8, "big") + data)
        return digest.hexdigest()


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
