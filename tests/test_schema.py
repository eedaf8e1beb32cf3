"""`briefgen schema`: JSON Schema generated from the models accepts real records and rejects broken ones."""

from __future__ import annotations

import json
import subprocess
import sys
import tomllib
from collections.abc import Callable
from pathlib import Path

import jsonschema
import pytest
from conftest import SAMPLE, run

from briefgen.desk.loader import load_desk
from briefgen.desk.reader import parse_record_text

MakeDesk = Callable[..., Path]


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


def test_the_correction_note_and_acknowledgements_are_in_the_schema() -> None:
    schema = schema_of("brief")
    good = record_data(SAMPLE / "briefs/2025-05-22-syria-deconfliction.yaml")
    corrected = {**good, "brief": {**good["brief"], "correction": "The host city was wrong."}}  # type: ignore[dict-item]
    jsonschema.validate(corrected, schema)
    for broken in (
        {**good, "brief": {**good["brief"], "correction": ["not", "text"]}},  # type: ignore[dict-item]
        {**good, "acknowledge": [{"warning": "unresolved-date"}]},  # no reason
        {**good, "acknowledge": [{"warning": "Not A Code", "reason": "x"}]},
    ):
        with pytest.raises(jsonschema.ValidationError):
            jsonschema.validate(broken, schema)
    settings = schema_of("settings")
    jsonschema.validate({"mail": {"correction_prefix": "Berichtigung:"}}, settings)
    jsonschema.validate(
        {"acknowledge": [{"file": "briefs/x.yaml", "warning": "list-not-cleared", "reason": "r"}]}, settings
    )
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate({"acknowledge": [{"warning": "list-not-cleared", "reason": "no file"}]}, settings)


# --- `briefgen schema --write`: the editors' set-up, checked with check-jsonschema ------------------------------


def _check_jsonschema(schema: Path, *files: Path) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "check_jsonschema", "--schemafile", str(schema), *map(str, files)]
    return subprocess.run(command, capture_output=True, text=True, timeout=120, check=False)


def _editor_mapping(desk: Path) -> list[tuple[Path, list[Path]]]:
    """What an editor would check: each schema of `.vscode/settings.json` (yaml.schemas) and `.taplo.toml`
    with the desk's files its globs match."""
    settings = json.loads((desk / ".vscode" / "settings.json").read_text(encoding="utf-8"))
    mapping = [
        (desk / url, sorted({p for pattern in globs for p in desk.glob(pattern)}))
        for url, globs in settings["yaml.schemas"].items()
    ]
    taplo = tomllib.loads((desk / ".taplo.toml").read_text(encoding="utf-8"))
    for rule in taplo["rule"]:
        mapping.append((desk / rule["schema"]["path"], sorted(p for i in rule["include"] for p in desk.glob(i))))
    return mapping


def test_schema_write_sets_up_editors_and_the_sample_desk_passes(make_desk: MakeDesk) -> None:
    desk = make_desk("sample")
    result = run("schema", "--write", desk, "--modelines")
    assert result.exit_code == 0, result.output
    mapping = _editor_mapping(desk)
    kinds = {schema.name for schema, _ in mapping}
    assert kinds == {"source.json", "brief.json", "list.json", "settings.json"}
    nested = desk / "sources" / "north-press" / "np-deconfliction-mechanism.yaml"
    assert any(nested in files for _, files in mapping), "sources/** reaches records in nested folders"
    for schema, files in mapping:
        assert files, schema
        checked = _check_jsonschema(schema, *files)
        assert checked.returncode == 0, checked.stdout + checked.stderr
    # Each modeline names the right schema from its own folder, nested or not.
    for schema, files in mapping:
        for record in files:
            if record.suffix != ".yaml":
                continue
            first = record.read_text(encoding="utf-8").splitlines()[0]
            assert first.startswith("# yaml-language-server: $schema=")
            assert (record.parent / first.split("=", 1)[1]).resolve() == schema.resolve()
    assert run("validate", desk, "--strict").exit_code == 0  # the modelines change nothing for briefgen
    again = run("schema", "--write", desk, "--modelines")
    assert again.exit_code == 0 and "np-deconfliction-mechanism.yaml" not in again.stdout  # written once


def test_a_broken_record_fails_check_jsonschema(make_desk: MakeDesk) -> None:
    desk = make_desk(
        "sample",
        files={
            "sources/north-press/np-deconfliction-mechanism.yaml": lambda t: t.replace(
                "reliability: C", "reliability: Q"
            ),
            "briefgen.toml": lambda t: t.replace('page_size = "A4"', 'page_size = "A5"'),
        },
    )
    assert run("schema", "--write", desk).exit_code == 0
    broken = _check_jsonschema(
        desk / "schemas" / "source.json", desk / "sources/north-press/np-deconfliction-mechanism.yaml"
    )
    assert broken.returncode == 1 and "reliability" in broken.stdout
    settings = _check_jsonschema(desk / "schemas" / "settings.json", desk / "briefgen.toml")
    assert settings.returncode == 1 and "A5" in settings.stdout


def test_schema_write_keeps_other_vscode_settings(make_desk: MakeDesk) -> None:
    desk = make_desk("sample")
    (desk / ".vscode").mkdir()
    (desk / ".vscode" / "settings.json").write_text('{"editor.rulers": [120]}', encoding="utf-8")
    assert run("schema", "--write", desk).exit_code == 0
    settings = json.loads((desk / ".vscode" / "settings.json").read_text(encoding="utf-8"))
    assert settings["editor.rulers"] == [120] and "./schemas/brief.json" in settings["yaml.schemas"]
