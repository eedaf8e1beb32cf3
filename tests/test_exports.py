"""The STIX 2.1 and CSL-JSON exports: validator and schema, markings, stable bytes, Pandoc citing them, and
nothing that is not in the edition's composed brief."""

from __future__ import annotations

import json
import os
import subprocess
from collections.abc import Callable, Iterator
from pathlib import Path
from unittest import mock

import jsonschema
import pypandoc
import pytest
import stix2
import stix2validator.validator as stix_validator
from stix2validator import ValidationOptions, validate_instance

from briefgen.desk.vocabulary import Marking
from briefgen.export.stix import TLP2_EXTENSION, TLP2_IDS
from tests.conftest import SAMPLE, TESTS, run

SCHEMAS = TESTS / "schemas"
# Warnings the validator gives that the requirements make unavoidable:
#   103: ids are uuid5 (stable across rebuilds, as required), not the random uuid4 STIX recommends;
#   302: an external reference with a URL "should" carry a hash of what it points to; a desk records no
#        hash of a source's page (and fetching it is exactly what briefgen never does).
ACCEPTED_WARNINGS = {"103", "302"}


def _schemas_bundled() -> bool:
    return (Path(stix_validator.__file__).parent / "schemas-2.1" / "schemas").is_dir()


def validate_stix(bundle: dict[str, object]) -> list[str]:
    """Run stix2-validator on a bundle; return its warning codes, failing on any error.

    The validator's distributions on the package mirror lack its JSON-schema folder (a git submodule that
    was not packaged), so where it is missing the schema stage is left out and every other check of the
    validator (its MUST and SHOULD rules, written in Python) still runs; stix2's own object model then
    parses the bundle strictly (required properties, types, ids, timestamps, no custom content)."""
    if _schemas_bundled():
        result = validate_instance(bundle, ValidationOptions())
    else:
        with mock.patch.object(stix_validator, "_schema_validate", lambda *args, **kwargs: []):
            result = validate_instance(bundle, ValidationOptions())
    assert result.is_valid, [str(e) for e in result.errors]
    stix2.parse(bundle, allow_custom=False)
    return sorted({str(w).split("{", 1)[1].split("}", 1)[0] for w in result.warnings})


def build(desk: Path, out: Path, formats: str = "html,json,stix,csl", *, env: dict[str, str] | None = None) -> Path:
    with mock.patch.dict(os.environ, env or {}):
        result = run("build", desk, "--date", "2025-05-22", "--format", formats, "--out", out, "--force")
    assert result.exit_code == 0, result.output
    return out / "2025-05-22"


@pytest.fixture
def sample_out(tmp_path: Path) -> Path:
    return build(SAMPLE, tmp_path / "out")


def objects(bundle: dict[str, object], kind: str) -> list[dict[str, object]]:
    found = bundle["objects"]
    assert isinstance(found, list)
    return [o for o in found if o["type"] == kind]


def test_stix_bundle_is_valid_and_marked(sample_out: Path) -> None:
    bundle = json.loads((sample_out / "syria-deconfliction.stix.json").read_bytes())
    assert set(validate_stix(bundle)) <= ACCEPTED_WARNINGS
    brief = json.loads((sample_out / "syria-deconfliction.json").read_bytes())
    green = TLP2_IDS[Marking.GREEN]
    definitions = {o["id"]: o for o in objects(bundle, "marking-definition")}
    assert definitions[green]["name"] == "TLP:GREEN"
    assert definitions[green]["extensions"] == {
        TLP2_EXTENSION: {"extension_type": "property-extension", "tlp_2_0": "green"}
    }
    # No TLP 1.0 object anywhere: the marking definitions are the TLP 2.0 extension's.
    assert not any("definition_type" in o for o in definitions.values())
    for obj in bundle["objects"]:
        if obj["type"] != "marking-definition":
            assert obj["object_marking_refs"] == [green], obj["id"]
    (report,) = objects(bundle, "report")
    assert report["name"] == f"[TLP:GREEN] {brief['title']} — 2025-05-22"
    assert report["published"] == "2025-05-22T03:00:00Z"  # issued 06:00 +03:00
    notes = objects(bundle, "note")
    assert [n["abstract"] for n in notes] == [d["summary"] for d in brief["developments"]]
    assert all(n["id"] in report["object_refs"] and report["id"] in n["object_refs"] for n in notes)
    first = notes[0]
    development = brief["developments"][0]
    assert f"Status: {development['status']}." in first["content"]
    assert f"status:{development['status']}" in first["labels"]
    assert f"corroboration:{development['sourcing']['corroboration']}" in first["labels"]
    # A discrepancy about no single development is in the report, each statement beside its sources.
    assert "Sources disagree (date, different events): Are the" in report["description"]
    assert "- Officials met on Wednesday in Azerbaijan (" in report["description"]
    identities = {o["name"]: o for o in objects(bundle, "identity")}
    assert {a["name"] for a in brief["actors"]} | {"Levant Desk"} == set(identities)
    cited = {ref["external_id"] for ref in report["external_references"]}
    assert cited == {note["source"] for note in brief["endnotes"]}


def test_a_source_with_its_own_marking_is_marked_on_its_reference(
    make_desk: Callable[..., Path], tmp_path: Path
) -> None:
    desk = make_desk(
        "minimal",
        {"sources/beta.yaml": lambda t: t.replace("  reliability: C", "  reliability: C\n  marking: TLP:CLEAR")},
    )
    bundle = json.loads((build(desk, tmp_path / "out") / "valley.stix.json").read_bytes())
    assert set(validate_stix(bundle)) <= ACCEPTED_WARNINGS
    (report,) = objects(bundle, "report")
    index = [r["external_id"] for r in report["external_references"]].index("beta-wire")
    assert report["granular_markings"] == [
        {"marking_ref": TLP2_IDS[Marking.CLEAR], "selectors": [f"external_references.[{index}]"]}
    ]
    assert {o["name"] for o in objects(bundle, "marking-definition")} == {"TLP:CLEAR", "TLP:GREEN"}


def test_exports_are_byte_identical_whatever_the_clock_zone(tmp_path: Path) -> None:
    first = build(SAMPLE, tmp_path / "a", env={"TZ": "Asia/Tokyo"})
    second = build(SAMPLE, tmp_path / "b", env={"TZ": "America/Los_Angeles", "LC_ALL": "C"})
    for name in ("syria-deconfliction.stix.json", "syria-deconfliction.csl.json"):
        assert (first / name).read_bytes() == (second / name).read_bytes(), name


def test_two_audience_editions_never_collide(make_desk: Callable[..., Path], tmp_path: Path) -> None:
    desk = make_desk("minimal")
    green = json.loads((build(desk, tmp_path / "g") / "valley.stix.json").read_bytes())
    record = desk / "briefs" / "edition.yaml"
    record.write_text(record.read_text(encoding="utf-8").replace("TLP:GREEN", "TLP:AMBER"), encoding="utf-8")
    amber = json.loads((build(desk, tmp_path / "a") / "valley.stix.json").read_bytes())
    (g,), (a,) = objects(green, "report"), objects(amber, "report")
    assert g["name"] != a["name"] and g["name"].startswith("[TLP:GREEN]") and a["name"].startswith("[TLP:AMBER]")
    green_ids = {o["id"] for o in green["objects"] if o["type"] != "marking-definition"}
    amber_ids = {o["id"] for o in amber["objects"] if o["type"] != "marking-definition"}
    assert not green_ids & amber_ids


def test_csl_json_is_valid_and_lists_the_visible_sources(sample_out: Path) -> None:
    items = json.loads((sample_out / "syria-deconfliction.csl.json").read_bytes())
    schema = json.loads((SCHEMAS / "csl-data.schema.json").read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator(schema).validate(items)
    brief = json.loads((sample_out / "syria-deconfliction.json").read_bytes())
    assert [i["id"] for i in items] == [n["source"] for n in sorted(brief["endnotes"], key=lambda n: n["number"])]
    north = next(i for i in items if i["id"] == "np-deconfliction-mechanism")
    assert north["container-title"] == "North Press Agency"
    assert north["issued"] == {"date-parts": [[2025, 5, 21]]}


def test_csl_schema_refuses_what_is_not_csl() -> None:
    schema = json.loads((SCHEMAS / "csl-data.schema.json").read_text(encoding="utf-8"))
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate([{"id": "x", "type": "newspaper-article"}], schema)
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate([{"id": "x", "type": "webpage", "published": "2025"}], schema)


def test_pandoc_cites_two_sources_from_the_csl_export(sample_out: Path, tmp_path: Path) -> None:
    text = tmp_path / "note.md"
    text.write_text(
        "The mechanism is reported [@np-deconfliction-mechanism] and talks acknowledged "
        "[@aggregator-talks-azerbaijan].\n\n# References\n",
        encoding="utf-8",
    )
    printed = subprocess.run(
        [
            pypandoc.get_pandoc_path(),
            "--citeproc",
            "--bibliography",
            str(sample_out / "syria-deconfliction.csl.json"),
            "--to",
            "plain",
            "--wrap",
            "none",
            str(text),
        ],
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    ).stdout
    assert "[WARNING]" not in printed
    body, bibliography = printed.split("References", 1)
    assert "(Kardo Roj 2025)" in body and "Mitigate Tensions in Syria,” n.d.)" in body
    assert "Report: Israel and Turkey Reach Military Coordination Agreement on Syria" in bibliography
    assert "Turkey and Israel Engage in Talks to Mitigate Tensions in Syria" in bibliography
    assert "Kardo Roj" in bibliography and "https://example.org/npasyria/125949" in bibliography


HIDDEN = {
    "sources/gamma.yaml": """
        source:
          id: gamma-cable
          title: Gamma cable not in this brief
          outlet: Gamma Outlet
          type: wire
          published: 2025-05-21
        developments:
          - id: gamma-raid
            summary: A raid the brief does not carry.
            status: reported
            cites: [gamma-cable]
        actors:
          - id: gamma-unit
            name: Gamma Unit
            type: armed_group
        """,
    "briefs/edition.yaml": lambda t: t.replace(
        "  marking: TLP:GREEN", "  marking: TLP:GREEN\n  sources: [alpha-report, beta-wire]"
    ),
}


def _everything(out: Path) -> Iterator[tuple[str, str]]:
    """Every export in out/: the STIX and CSL files and the feeds."""
    for path in sorted(out.rglob("*")):
        if path.name.endswith((".stix.json", ".csl.json")) or path.name.startswith("feed-"):
            yield path.name, path.read_text(encoding="utf-8")


def test_an_item_or_source_absent_from_the_brief_is_in_no_export(
    make_desk: Callable[..., Path], tmp_path: Path
) -> None:
    desk = make_desk("minimal", HIDDEN)
    out = tmp_path / "out"
    build(desk, out)
    exports = dict(_everything(out))
    assert {"valley.stix.json", "valley.csl.json", "feed-green.json", "feed-red.atom"} <= set(exports)
    assert "ceasefire" in exports["valley.stix.json"]  # what the brief carries is there
    for name, text in exports.items():
        for hidden in ("gamma", "Gamma", "raid the brief does not carry"):
            assert hidden not in text, (name, hidden)
    # The same desk with the source selected: it is there (so the test above can fail).
    record = desk / "briefs" / "edition.yaml"
    record.write_text(
        record.read_text(encoding="utf-8").replace("beta-wire]", "beta-wire, gamma-cable]"), encoding="utf-8"
    )
    build(desk, out)
    assert "Gamma Unit" in (out / "2025-05-22" / "valley.stix.json").read_text(encoding="utf-8")
    assert "gamma-cable" in (out / "2025-05-22" / "valley.csl.json").read_text(encoding="utf-8")


def test_a_discrepancy_about_a_development_is_in_its_note(make_desk: Callable[..., Path], tmp_path: Path) -> None:
    desk = make_desk(
        "minimal", {"sources/beta.yaml": lambda t: t.replace("occurred: 2025-05-20", "occurred: 2025-05-18")}
    )
    bundle = json.loads((build(desk, tmp_path / "out") / "valley.stix.json").read_bytes())
    assert set(validate_stix(bundle)) <= ACCEPTED_WARNINGS
    (note,) = objects(bundle, "note")
    assert "corroboration:multiple_independent" in note["labels"]
    assert "sources-differ-on:date" in note["labels"]
    assert "2 independent originator(s), 0 dependent cop(ies); the sources differ on date" in note["content"]
    assert "Sources disagree (date, unresolved)" in note["content"]
    assert "- 2025-05-18 (Beta Wire)\n- 2025-05-20 (Alpha News)" in note["content"]
    (report,) = objects(bundle, "report")
    assert "Sources disagree" not in report["description"]
