"""JSON Schema for the record kinds, generated from the models (`briefgen schema`), and the editors'
set-up that maps a desk's files to them (`briefgen schema --write`)."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from pydantic import BaseModel
from pydantic.json_schema import models_json_schema

from briefgen.desk.gazetteer import Gazetteer
from briefgen.desk.models import BriefRecord, DistributionList, SourceRecord
from briefgen.desk.settings import Settings
from briefgen.errors import UsageError

SCHEMA_KINDS: dict[str, type[BaseModel]] = {
    "source": SourceRecord,
    "brief": BriefRecord,
    "list": DistributionList,
    "settings": Settings,
    "gazetteer": Gazetteer,
}
_DIALECT = "https://json-schema.org/draft/2020-12/schema"


def json_schema(kind: str | None) -> dict[str, Any]:
    """The schema of one record kind, or (kind None) of any record file: source, brief or list."""
    if kind is not None:
        schema = SCHEMA_KINDS[kind].model_json_schema(by_alias=True)
        return {"$schema": _DIALECT, **schema}
    models: list[type[BaseModel]] = [SourceRecord, BriefRecord, DistributionList]
    refs, combined = models_json_schema([(m, "validation") for m in models], by_alias=True)
    return {
        "$schema": _DIALECT,
        "title": "briefgen record",
        "anyOf": [refs[(m, "validation")] for m in models],
        **combined,
    }


EDITOR_SCHEMAS = {"source": "sources", "brief": "briefs", "list": "lists", "settings": None}
SCHEMA_FOLDER = "schemas"
MODELINE = "# yaml-language-server: $schema="


def _record_globs(folder: str) -> list[str]:
    nested = "**/" if folder != "lists" else ""
    return [f"{folder}/{nested}*.{ext}" for ext in ("yaml", "yml")]


def _vscode_settings(existing: dict[str, Any]) -> dict[str, Any]:
    """VS Code's settings (YAML extension: `yaml.schemas`; JSON records: `json.schemas`), merged into
    what the desk's `.vscode/settings.json` already holds."""
    yaml_schemas = dict(existing.get("yaml.schemas") or {})
    json_schemas = [
        entry
        for entry in existing.get("json.schemas") or []
        if not str(entry.get("url", "")).startswith(f"./{SCHEMA_FOLDER}/")
    ]
    for kind, folder in EDITOR_SCHEMAS.items():
        if folder is None:
            continue
        url = f"./{SCHEMA_FOLDER}/{kind}.json"
        yaml_schemas[url] = _record_globs(folder)
        nested = "**/" if folder != "lists" else ""
        json_schemas.append({"fileMatch": [f"/{folder}/{nested}*.json"], "url": url})
    return {**existing, "yaml.schemas": yaml_schemas, "json.schemas": json_schemas}


TAPLO_CONFIG = f"""# Written by `briefgen schema --write`: Taplo (and VS Code's Even Better TOML) check briefgen.toml.
[[rule]]
include = ["briefgen.toml"]

[rule.schema]
path = "./{SCHEMA_FOLDER}/settings.json"
"""


def modeline_for(record: Path, desk_root: Path, kind: str) -> str:
    """The yaml-language-server modeline of a record file: the schema's path relative to the record's own
    folder (`../../schemas/source.json` in `sources/north-press/`), as the language server resolves it."""
    relative = os.path.relpath(desk_root / SCHEMA_FOLDER / f"{kind}.json", record.parent)
    return MODELINE + Path(relative).as_posix()


def _with_modeline(text: str, line: str) -> str:
    first, newline, rest = text.partition("\n")
    if first.startswith(MODELINE):
        return line + newline + rest
    return f"{line}\n{text}"


def write_editor_setup(desk_root: Path, *, modelines: bool = False) -> list[Path]:
    """Write the schemas into `desk_root/schemas/` and the editors' configuration that maps the desk's
    files to them (`.vscode/settings.json`, `.taplo.toml`); with `modelines`, also put (or correct) the
    yaml-language-server modeline on the first line of every YAML record. Returns the files written."""
    written: list[Path] = []
    folder = desk_root / SCHEMA_FOLDER
    folder.mkdir(exist_ok=True)
    for kind in EDITOR_SCHEMAS:
        path = folder / f"{kind}.json"
        path.write_text(json.dumps(json_schema(kind), indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
        written.append(path)
    vscode = desk_root / ".vscode" / "settings.json"
    existing: dict[str, Any] = {}
    if vscode.is_file():
        try:
            loaded = json.loads(vscode.read_text(encoding="utf-8"))
        except (ValueError, UnicodeDecodeError) as exc:
            raise UsageError(
                f"{vscode}: not plain JSON ({exc}); add the 'yaml.schemas' of the README by hand, or remove the file"
            ) from None
        if not isinstance(loaded, dict):
            raise UsageError(f"{vscode}: expected a JSON object of settings")
        existing = loaded
    vscode.parent.mkdir(exist_ok=True)
    vscode.write_text(json.dumps(_vscode_settings(existing), indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    written.append(vscode)
    taplo = desk_root / ".taplo.toml"
    taplo.write_text(TAPLO_CONFIG, encoding="utf-8")
    written.append(taplo)
    if modelines:
        for kind, records in EDITOR_SCHEMAS.items():
            if records is None or not (desk_root / records).is_dir():
                continue
            pattern = "**/*" if records != "lists" else "*"
            for record in sorted(desk_root.joinpath(records).glob(pattern)):
                if record.suffix not in (".yaml", ".yml") or not record.is_file() or record.is_symlink():
                    continue
                text = record.read_text(encoding="utf-8")
                updated = _with_modeline(text, modeline_for(record, desk_root, kind))
                if updated != text:
                    record.write_text(updated, encoding="utf-8")
                    written.append(record)
    return written
