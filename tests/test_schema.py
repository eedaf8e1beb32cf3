"""`briefgen schema`: JSON Schema generated from the models accepts real records and rejects broken ones."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest
from conftest import SAMPLE, run

from briefgen.desk.loader import load_desk
from briefgen.desk.reader import parse_record_text


def schema_of(kind: str | None) -> dict[str, object]:
    result = run("schema", *(["--kind", kind] if kind else []))
    assert result.exit_code == 0, result.output
    schema: dict[str, object] = json.loads(result.stdout)
    jsonschema.Draft202012Validator.check_schema(schema)
    return schema


def record_data(path: Path) -> dict[str, object]:
    return parse_record_text(path.read_text(encoding="utf-8"), is_json=path.suffix == ".json").data


@pytest.mark.parametrize(("kind", "folder"), [("source", "sources"), ("brief", "briefs"), ("list", "lists")])
def test_schema_accepts_every_sample_record(kind: str, folder: str) -> None:
    for schema in (schema_of(kind), schema_of(None)):
        files = sorted((SAMPLE / folder).rglob("*.yaml"))
        assert files
        for path in files:
            jsonschema.validate(record_data(path), schema)


def test_schema_rejects_broken_records() -> None:
    schema = schema_of("source")
    good = record_data(SAMPLE / "sources/north-press/np-deconfliction-mechanism.yaml")
    broken_cases = [
        {**good, "source": {**good["source"], "type": "newz"}},  # type: ignore[dict-item]
        {**good, "source": {**good["source"], "id": "Not A Slug"}},  # type: ignore[dict-item]
        {**good, "sources": {}},
        {key: value for key, value in good.items() if key != "source"},
    ]
    for broken in broken_cases:
        with pytest.raises(jsonschema.ValidationError):
            jsonschema.validate(broken, schema)


def test_settings_schema_accepts_the_sample_settings() -> None:
    import tomllib

    jsonschema.validate(tomllib.loads((SAMPLE / "briefgen.toml").read_text()), schema_of("settings"))
    assert load_desk(SAMPLE).settings.desk.timezone == "Europe/Istanbul"
