"""Where things are: the layout of a desk and of its output folder, and nowhere else.

Every path briefgen reads or writes is named here: the desk's settings, record folders and templates
(`DeskLayout`), and in the output folder each edition's files, its manifest, its email editions, the
send log, the archive page and the build lock (`OutLayout`). Other modules ask these classes for paths
and never build or parse file names themselves.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from datetime import date as _Date  # `date` is also a field of EditionKey
from pathlib import Path

from briefgen.desk.vocabulary import Marking

SETTINGS_FILE = "briefgen.toml"
RECORD_SUFFIXES = (".yaml", ".yml", ".json")
RECORD_FOLDERS = ("sources", "briefs", "lists")
_DAY_FOLDER = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_STEM = r"[a-z0-9][a-z0-9-]{0,79}(?:@tlp-[a-z-]{3,12})?"
_EDITION_FILE = re.compile(rf"^(?P<brief>{_STEM})\.(?P<ext>[a-z]+(?:\.json)?)$")
_EMAIL_FILE = re.compile(rf"^(?P<brief>{_STEM})\.(?P<list>[a-z0-9][a-z0-9-]{{0,79}})\.eml$")
_MANIFEST_FILE = re.compile(rf"^\.(?P<brief>{_STEM})\.edition\.json$")


@dataclass(frozen=True, order=True)
class EditionKey:
    """One edition: a brief id, a date and the audience (empty for the master edition; else the audience's
    clearance as a word: `tlp-clear`, `tlp-green`...)."""

    brief_id: str
    date: date
    audience: str = ""

    @property
    def stem(self) -> str:
        """What the edition's file names start with: `brief`, or `brief@tlp-clear` for an audience's."""
        return f"{self.brief_id}@{self.audience}" if self.audience else self.brief_id

    @classmethod
    def from_stem(cls, stem: str, day: _Date) -> EditionKey:
        brief_id, _, audience = stem.partition("@")
        return cls(brief_id, day, audience)

    def __str__(self) -> str:
        marking = Marking.of_audience(self.audience)
        audience = f" ({marking or self.audience} edition)" if self.audience else ""
        return f"{self.brief_id} {self.date.isoformat()}{audience}"


@dataclass(frozen=True)
class DeskLayout:
    """The files and folders of a desk."""

    root: Path

    @property
    def settings(self) -> Path:
        return self.root / SETTINGS_FILE

    @property
    def templates(self) -> Path:
        return self.root / "templates"

    def folder(self, name: str) -> Path:
        """A record folder: `sources`, `briefs` or `lists`."""
        return self.root / name

    def is_desk(self) -> bool:
        return self.root.is_dir() and any((self.root / name).exists() for name in (SETTINGS_FILE, "sources", "briefs"))

    def relative(self, path: Path) -> str:
        """A desk file as diagnostics name it (`sources/np.yaml`)."""
        return path.relative_to(self.root).as_posix()


@dataclass(frozen=True)
class OutLayout:
    """The output folder: `<date>/<brief>.<ext>` per edition, with its email editions
    `<date>/<brief>.<list>.eml` and its manifest `<date>/.<brief>.edition.json` (an audience's edition is
    named `<brief>@tlp-clear.<ext>` and so on: `EditionKey.stem`); the send log
    `sent.jsonl`, the archive page `index.html`, its feeds `feed-<audience>.json` and `.atom`, and the build
    lock `.briefgen.lock` at the top. An edition's extension is one word, or a word and `.json` for the JSON
    exports (`<brief>.stix.json`, `<brief>.csl.json`)."""

    root: Path

    LOCK = ".briefgen.lock"
    SEND_LOG = "sent.jsonl"
    INDEX = "index.html"
    PUBLIC_INDEX = "public.html"  # the archive page of the TLP:CLEAR editions alone

    @staticmethod
    def feed_file(audience: str, kind: str) -> str:
        """An audience's feed beside the archive page: `feed-green.json` (JSON Feed), `feed-green.atom`."""
        return f"feed-{audience}.{kind}"

    @staticmethod
    def day_folder(day: date) -> str:
        return day.isoformat()

    @staticmethod
    def edition_file(key: EditionKey, extension: str) -> str:
        """The name of an edition's output in its date folder."""
        return f"{key.stem}.{extension}"

    @staticmethod
    def email_file(key: EditionKey, list_id: str) -> str:
        return f"{key.stem}.{list_id}.eml"

    @staticmethod
    def manifest_file(key: EditionKey) -> str:
        return f".{key.stem}.edition.json"

    def edition_path(self, key: EditionKey, extension: str) -> Path:
        return self.root / self.day_folder(key.date) / self.edition_file(key, extension)

    @staticmethod
    def parse_day(name: str) -> date | None:
        """The date of a date folder's name, or None when it is not one."""
        if not _DAY_FOLDER.match(name):
            return None
        try:
            return date.fromisoformat(name)
        except ValueError:
            return None

    @staticmethod
    def parse_edition_file(name: str) -> tuple[str, str] | None:
        """(brief id, extension) of an edition output's name (`brief.html`), else None."""
        match = _EDITION_FILE.match(name)
        return (match.group("brief"), match.group("ext")) if match else None

    @staticmethod
    def parse_manifest_file(name: str) -> str | None:
        """The brief id of a manifest's name, else None."""
        match = _MANIFEST_FILE.match(name)
        return match.group("brief") if match else None

    @staticmethod
    def parse_email_file(name: str) -> tuple[str, str] | None:
        """(brief id, list id) of an email edition's name (`brief.list.eml`), else None."""
        match = _EMAIL_FILE.match(name)
        return (match.group("brief"), match.group("list")) if match else None

    @staticmethod
    def is_email_of(key: EditionKey, name: str) -> bool:
        """Whether `name` is an email edition of this edition (`<brief>.<list>.eml`)."""
        parts = name.split(".")
        return len(parts) == 3 and parts[0] == key.stem and parts[2] == "eml"
