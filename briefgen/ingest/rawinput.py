"""Read one input (a file or stdin) as bytes, bounded, and decode it to clean text.

Refused with one located line: a symbolic link or anything but a regular file, a file above
`[limits] max_file_size`, an empty file, a binary file (NUL bytes or other control characters), text
that is not in the named encoding (UTF-8 by default), and a file that already is a briefgen record.
Bidirectional controls and zero-width characters are stripped from the text and recorded (a zero-width
non-joiner, which Persian and Kurdish spelling needs, is kept).
"""

from __future__ import annotations

import codecs
import hashlib
import re
import sys
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from briefgen.desk.ingest_block import RemovedCharacter
from briefgen.desk.reader import ReadError, parse_record_text
from briefgen.errors import BriefgenError, ExitCode

_INVISIBLE = frozenset(
    "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f\u061c"  # bidi controls
    "\u200b\u200d\u2060\ufeff\u00ad\u180e"  # zero-width space and joiner, word joiner, BOM, soft hyphen
)
_RECORD_START = re.compile(r"^\s*(?:#.*\n\s*)*[\"']?(source|brief|developments|actors|open_questions)[\"']?\s*:", re.M)
_HTML_SUFFIXES = (".html", ".htm", ".xhtml")
_TEXT_SUFFIXES = (".txt", ".md", ".text", ".markdown")


class InputError(BriefgenError):
    """An input that cannot be ingested (the message names it, and the line when there is one)."""

    exit_code = ExitCode.BAD_DATA


@dataclass(frozen=True)
class RawInput:
    """The bytes of one input and the name it is reported by."""

    name: str
    data: bytes
    is_html: bool

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.data).hexdigest()


@dataclass(frozen=True)
class CleanText:
    """Decoded text with Unix line ends and without invisible characters, and what was stripped."""

    text: str
    removed: tuple[RemovedCharacter, ...]


def _looks_like_html(name: str, data: bytes) -> bool:
    if name.lower().endswith(_HTML_SUFFIXES):
        return True
    head = data[:1024].lstrip().lower()
    return head.startswith((b"<!doctype html", b"<html"))


def read_input(path: Path | None, max_size: int) -> RawInput:
    """The bytes of `path` (None: standard input), refusing links, non-files and oversized input."""
    if path is None:
        data = sys.stdin.buffer.read(max_size + 1)
        name = "<stdin>"
    else:
        name = str(path)
        if path.is_symlink():
            raise InputError(f"{name}: is a symbolic link; ingest reads regular files only")
        if not path.exists():
            raise InputError(f"{name}: no such file")
        if not path.is_file():
            raise InputError(f"{name}: not a regular file")
        size = path.stat().st_size
        if size > max_size:
            raise InputError(f"{name}: file is {size} bytes; the limit is {max_size} bytes ([limits] max_file_size)")
        with path.open("rb") as handle:
            data = handle.read(max_size + 1)
    if len(data) > max_size:
        raise InputError(f"{name}: input is over {max_size} bytes ([limits] max_file_size)")
    return RawInput(name, data, _looks_like_html(name, data))


def decode_input(raw: RawInput, encoding: str) -> str:
    """The text of `raw` in `encoding`; empty, binary and mis-encoded input is refused, naming the line."""
    if not raw.data.strip():
        raise InputError(f"{raw.name}: the file is empty")
    if b"\x00" in raw.data:
        offset = raw.data.index(b"\x00")
        line = raw.data.count(b"\n", 0, offset) + 1
        raise InputError(f"{raw.name}:{line}: binary file (NUL byte at offset {offset}); ingest reads text and HTML")
    try:
        codecs.lookup(encoding)
    except LookupError:
        raise InputError(f"unknown encoding {encoding!r} (--encoding)") from None
    try:
        text = raw.data.decode("utf-8-sig" if encoding.lower().replace("_", "-") in ("utf-8", "utf8") else encoding)
    except UnicodeDecodeError as exc:
        line = raw.data.count(b"\n", 0, exc.start) + 1
        raise InputError(
            f"{raw.name}:{line}: not valid {encoding}: byte 0x{raw.data[exc.start]:02x} at offset {exc.start} "
            "(name the encoding with --encoding)"
        ) from None
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    controls = [c for c in text if unicodedata.category(c) == "Cc" and c not in "\n\t\f"]
    if len(controls) > max(8, len(text) // 100):
        raise InputError(f"{raw.name}: binary file ({len(controls)} control characters); ingest reads text and HTML")
    if not raw.is_html and _is_record(text):
        raise InputError(f"{raw.name}: already a briefgen record (`source:` or `brief:`); put it in the desk instead")
    return text


def _is_record(text: str) -> bool:
    """A briefgen record: YAML or JSON whose top level maps `source` or `brief` to a mapping."""
    if not _RECORD_START.match(text) and not text.lstrip().startswith("{"):
        return False
    try:
        parsed = parse_record_text(text, is_json=text.lstrip().startswith("{"))
    except ReadError:
        return False
    return any(isinstance(parsed.data.get(name), dict) for name in ("source", "brief"))


def strip_invisible(text: str) -> CleanText:
    """Remove bidi controls, zero-width characters and stray control characters; record each kind."""
    found: dict[str, list[int]] = {}
    kept: list[str] = []
    line = 1
    for char in text:
        if char == "\n":
            line += 1
        if char in _INVISIBLE or (unicodedata.category(char) == "Cc" and char not in "\n\t"):
            found.setdefault(char, []).append(line)
            continue
        kept.append(char)
    removed = tuple(
        RemovedCharacter(
            char=f"U+{ord(char):04X}",
            name=unicodedata.name(char, "CONTROL CHARACTER"),
            count=len(lines),
            lines=sorted(set(lines)),
        )
        for char, lines in sorted(found.items())
    )
    return CleanText(unicodedata.normalize("NFC", "".join(kept)), removed)
