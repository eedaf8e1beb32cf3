"""Editions for each audience (README "Editions for each audience"): one set of records, one edition per
clearance, and nothing of a withheld portion or source in any file of a lower edition.

The fixture desk `audiences` marks portions TLP:CLEAR, TLP:GREEN and TLP:AMBER; every AMBER-only source
and portion carries the canary `canary` (in its outlet, title, author, URL, quote, ids and text), every
GREEN-only portion the word `greenonly`, and nothing else in the desk does.
"""

from __future__ import annotations

import itertools
import json
import re
import subprocess
import tempfile
from collections.abc import Callable
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from pathlib import Path
from typing import Any

import pikepdf
import pytest
from conftest import Recorder, run
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from briefgen.compose.audience import audience_view
from briefgen.compose.compose import compose
from briefgen.desk.loader import load_desk
from briefgen.desk.portions import EditionSpec
from briefgen.desk.vocabulary import Marking

pytestmark = pytest.mark.pdf
MakeDesk = Callable[..., Path]
DAY1, DAY2 = "2026-11-29", "2026-11-30"
CANARY = re.compile(rb"canary", re.IGNORECASE)
GREEN_ONLY = re.compile(rb"greenonly", re.IGNORECASE)
FORMATS = "html,pdf,json,txt,eml,stix,csl"


def _pdf_bytes(data: bytes) -> bytes:
    """Everything a PDF holds, decompressed: every object, every stream (XMP included), every attachment,
    and its text as pdftotext extracts it."""
    with tempfile.NamedTemporaryFile(suffix=".pdf") as file:
        file.write(data)
        file.flush()
        text = subprocess.run(["pdftotext", file.name, "-"], capture_output=True, check=True).stdout
        found = [text]
        with pikepdf.open(file.name) as pdf:
            for obj in pdf.objects:
                if isinstance(obj, pikepdf.Stream):
                    found.append(obj.read_bytes())
                    found.append(repr(obj.stream_dict).encode("utf-8", "replace"))
                elif isinstance(obj, pikepdf.Dictionary | pikepdf.Array | pikepdf.String):
                    found.append(repr(obj).encode("utf-8", "replace"))
            for name, attached in pdf.attachments.items():
                found += [name.encode(), attached.get_file().read_bytes()]
            found.append(str(pdf.open_metadata()).encode())
    return b"\n".join(found)


def _eml_bytes(data: bytes) -> bytes:
    message = BytesParser(policy=policy.default).parsebytes(data)
    assert isinstance(message, EmailMessage)
    found = [f"{k}: {v}".encode() for k, v in message.items()]
    for part in message.walk():
        if part.is_multipart():
            continue
        found.append(str(part.get_filename() or "").encode())
        payload = part.get_payload(decode=True)
        assert isinstance(payload, bytes)
        found.append(_pdf_bytes(payload) if part.get_content_type() == "application/pdf" else payload)
    return b"\n".join(found)


def readable(path: Path) -> bytes:
    """A built file as a reader (or a tool) could read it: PDFs and emails opened up, the rest as is."""
    data = path.read_bytes()
    if path.suffix == ".pdf":
        return _pdf_bytes(data)
    if path.suffix == ".eml":
        return _eml_bytes(data)
    return data


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    import shutil

    from conftest import DESKS

    desk = tmp_path_factory.mktemp("audiences") / "audiences"
    shutil.copytree(DESKS / "audiences", desk)
    result = run("build", desk, "--all", "--format", FORMATS, "--jobs", "2")
    assert result.exit_code == 0, result.output
    return desk


def _json(desk: Path, day: str, stem: str) -> dict[str, Any]:
    data = json.loads((desk / "out" / day / f"{stem}.json").read_text(encoding="utf-8"))
    assert isinstance(data, dict)
    return data


def test_each_audience_gets_its_own_files(built: Path) -> None:
    names = sorted(p.name for p in (built / "out" / DAY1).iterdir())
    for stem in ("harbour", "harbour@tlp-green", "harbour@tlp-clear"):
        for ext in ("html", "pdf", "json", "txt", "stix.json", "csl.json"):
            assert f"{stem}.{ext}" in names
    # Each list receives the highest edition it is cleared for, and no other.
    emails = [n for n in names if n.endswith(".eml")]
    assert emails == ["harbour.inner.eml", "harbour@tlp-clear.public.eml", "harbour@tlp-green.partners.eml"]
    for name, marking in [("harbour.inner.eml", "AMBER"), ("harbour@tlp-green.partners.eml", "GREEN")]:
        message = BytesParser(policy=policy.default).parsebytes((built / "out" / DAY1 / name).read_bytes())
        assert str(message["Subject"]).startswith(f"[TLP:{marking}]")
    assert (built / "out" / "public.html").is_file()


def test_nothing_withheld_leaks_into_a_lower_edition(built: Path) -> None:
    out = built / "out"
    master = readable(out / DAY1 / "harbour.pdf") + readable(out / DAY1 / "harbour.json")
    assert CANARY.search(master), "the master edition holds the AMBER portions (else this test proves nothing)"
    assert GREEN_ONLY.search(readable(out / DAY1 / "harbour@tlp-green.pdf"))
    lower = [p for day in (DAY1, DAY2) for p in (out / day).iterdir() if "@" in p.name]
    public = [out / "public.html", out / "feed-clear.json", out / "feed-clear.atom"]
    assert len(lower) == 2 * 2 * 8  # two days, two audiences: 6 formats and one email each, and a manifest
    for path in [*lower, *public, *(out / "feed-green.json", out / "feed-green.atom")]:
        assert not CANARY.search(path.name.encode()), path
        found = CANARY.search(readable(path))
        assert found is None, f"{path.name} holds {readable(path)[max(0, found.start() - 60) : found.end() + 60]!r}"
    for path in [p for p in lower if "@tlp-clear" in p.name] + public:
        assert not GREEN_ONLY.search(readable(path)), path


def test_lower_editions_use_neutral_anchors(built: Path) -> None:
    html = (built / "out" / DAY1 / "harbour@tlp-clear.html").read_text(encoding="utf-8")
    ids = set(re.findall(r'\bid="([^"]+)"', html)) | set(re.findall(r'href="#([^"]+)"', html))
    for slug in ("harbour-closed", "shipping-talks", "port-authority", "canary-dev-koala"):
        assert not any(slug in i for i in ids), slug
    assert any(i.startswith("dev-d-") for i in ids)
    master = (built / "out" / DAY1 / "harbour.html").read_text(encoding="utf-8")
    assert 'id="dev-harbour-closed"' in master  # the master edition keeps its anchors


def _development(data: dict[str, Any], summary: str) -> dict[str, Any]:
    found = [d for d in data["developments"] if d["summary"] == summary]
    assert len(found) == 1, [d["summary"] for d in data["developments"]]
    return found[0]


def test_each_edition_is_recomputed_from_what_it_shows(built: Path) -> None:
    closed = "The port authority closed the northern harbour to cargo traffic."
    editions = {stem: _json(built, DAY1, stem) for stem in ("harbour", "harbour@tlp-green", "harbour@tlp-clear")}
    # The banner is the strictest portion included (a listed source counting as one).
    assert [e["marking"] for e in editions.values()] == ["TLP:AMBER", "TLP:GREEN", "TLP:CLEAR"]
    # Endnotes numbered from 1 without a gap, in every edition.
    for data in editions.values():
        assert [n["number"] for n in data["endnotes"]] == list(range(1, len(data["endnotes"]) + 1))
    # Corroboration counts only the originators an edition shows.
    counts = [
        (_development(e, closed)["sourcing"]["sources"], _development(e, closed)["sourcing"]["independent"])
        for e in editions.values()
    ]
    assert counts == [(3, 2), (2, 2), (1, 1)]  # the GREEN source relays the AMBER one
    # The place comes from the latest source the edition shows (the AMBER source's is withheld).
    assert [_development(e, closed)["where"] for e in editions.values()][1:] == ["Northern harbour"] * 2
    # A discrepancy whose other side is withheld is no discrepancy in a lower edition.
    assert editions["harbour"]["discrepancies"] and not editions["harbour@tlp-clear"]["discrepancies"]
    # The sanitised variant stands in for the AMBER development; the withheld source is its descriptor.
    clear = editions["harbour@tlp-clear"]
    assert _development(clear, "Officials discussed shipping arrangements.")["cites"] == [
        {"source": "harbour-wire", "locator": None, "quote": None, "via": None, "anonymous": False}
    ]
    described = [s for s in clear["sources"] if s.get("described_only")]
    assert [(s["title"], s["outlet"], s["url"], s["authors"]) for s in described] == [
        ("a regional official with direct access", None, None, [])
    ]
    assert clear["title"] == "Harbour situation (public digest)" and clear["lists"] == ["public"]
    assert len(clear["bluf"]) == 1 and editions["harbour@tlp-green"]["lists"] == ["partners"]


def test_changes_compare_within_one_clearance(built: Path) -> None:
    for stem in ("harbour", "harbour@tlp-green", "harbour@tlp-clear"):
        changes = _json(built, DAY2, stem)["changes"]
        assert changes["previous"] == DAY1, stem
        assert [i["text"] for i in changes["new_developments"]] == ["The passenger ferry resumed its morning crossing."]
        assert not changes["dropped_developments"] and not changes["changed_developments"], stem


def test_identical_editions_are_built_once(make_desk: MakeDesk) -> None:
    """With no GREEN portion left, the GREEN audience's edition is the CLEAR one: built once, and the
    partners' list receives it."""
    drop_green = {  # the GREEN source becomes CLEAR, and its GREEN development AMBER
        "sources/valley-radio.yaml": lambda t: t.replace("TLP:GREEN", "TLP:CLEAR", 1).replace("TLP:GREEN", "TLP:AMBER"),
        "briefs/day1.yaml": lambda t: t.replace("      title: Harbour situation (public digest)\n", "").replace(
            "    - text: The valley checkpoint reopened, greenonly reporting [@valley-radio].\n      marking: TLP:GREEN\n",
            "",
        ),
        "briefs/day2.yaml": None,
    }
    desk = make_desk("audiences", files=drop_green)
    result = run("build", desk, "--date", DAY1, "--format", "html,json,eml")
    assert result.exit_code == 0, result.output
    names = sorted(p.name for p in (desk / "out" / DAY1).iterdir() if not p.name.startswith("."))
    assert not any("@tlp-green" in n for n in names), names
    assert "harbour@tlp-clear.partners.eml" in names and "harbour@tlp-clear.public.eml" in names
    assert _json(desk, DAY1, "harbour@tlp-clear")["lists"] == ["partners", "public"]


def test_a_portion_released_below_its_source_needs_a_downgrade(make_desk: MakeDesk) -> None:
    desk = make_desk(
        "audiences",
        files={
            "briefs/day1.yaml": lambda t: t.replace(
                "    downgrade: {reason: The desk chief cleared the descriptor, authorized_by: Desk chief}\n", ""
            )
        },
    )
    result = run("validate", desk)
    assert result.exit_code == 1
    assert (
        "briefs/day1.yaml:28: developments[0].marking: development 'shipping-talks' is marked TLP:CLEAR, less "
        "restrictive than TLP:AMBER of source 'canary-src-quokka' (sources/canary-src-quokka.yaml), which it "
        "cites (a part of an item in a source record cites that source); mark it TLP:AMBER, or give "
        "`downgrade: {reason, authorized_by}`"
    ) in result.output
    assert "Traceback" not in result.output


def test_a_list_gets_its_own_audience_edition(make_desk: MakeDesk) -> None:
    """With no GREEN portion left but the CLEAR edition's own title, the GREEN audience's edition is built
    (its banner TLP:CLEAR): the partners get it, and the public still get the edition made for them."""
    only_clear = {
        "sources/valley-radio.yaml": lambda t: t.replace("TLP:GREEN", "TLP:CLEAR", 1).replace("TLP:GREEN", "TLP:AMBER"),
        "briefs/day1.yaml": lambda t: t.replace(
            "    - text: The valley checkpoint reopened, greenonly reporting [@valley-radio].\n      marking: TLP:GREEN\n",
            "",
        ),
        "briefs/day2.yaml": None,
    }
    desk = make_desk("audiences", files=only_clear)
    assert run("build", desk, "--date", DAY1, "--format", "json,eml").exit_code == 0
    assert _json(desk, DAY1, "harbour@tlp-green")["marking"] == "TLP:CLEAR"
    assert _json(desk, DAY1, "harbour@tlp-green")["lists"] == ["partners"]
    assert _json(desk, DAY1, "harbour@tlp-clear")["lists"] == ["public"]


def test_a_brief_marked_lower_than_the_edition_before_shows_nothing_of_it(make_desk: MakeDesk) -> None:
    """Day 2's brief is TLP:GREEN, day 1's TLP:AMBER: day 2's changes may not list day 1's AMBER items,
    not even as dropped."""
    day2 = """
        brief:
          id: harbour
          title: Harbour situation
          date: 2026-11-30
          marking: TLP:GREEN
          sources: [harbour-wire, valley-radio]
          lists: [partners]
          bluf:
            - The harbour stays closed [@harbour-wire].
        """
    desk = make_desk("audiences", files={"briefs/day2.yaml": day2})
    assert run("build", desk, "--all", "--format", "html,json,txt").exit_code == 0
    changes = _json(desk, DAY2, "harbour")["changes"]
    assert changes["marked_above"] == DAY1 and changes["previous"] is None and not changes["dropped_developments"]
    for ext in ("html", "json", "txt"):
        assert not CANARY.search((desk / "out" / DAY2 / f"harbour.{ext}").read_bytes()), ext
    assert "was marked above this one" in (desk / "out" / DAY2 / "harbour.txt").read_text(encoding="utf-8")


def test_an_editions_own_bullet_is_checked_against_its_sources(make_desk: MakeDesk) -> None:
    desk = make_desk(
        "audiences",
        files={
            "briefs/day1.yaml": lambda t: t.replace(
                "      title: Harbour situation (public digest)\n",
                "      title: Harbour situation (public digest)\n      bluf:\n        - Talks go on [@canary-src-quokka].\n",
            )
        },
    )
    result = run("validate", desk)
    assert result.exit_code == 1
    assert (
        "brief.editions[1].bluf[0]: this bullet (for TLP:CLEAR) is marked TLP:CLEAR, less restrictive" in result.output
    )


def test_an_edition_that_would_have_no_bottom_line_is_an_error(make_desk: MakeDesk) -> None:
    """Every BLUF bullet above the partners' clearance: their edition went out with an empty "Bottom line up
    front" heading and no warning, even under --strict."""
    desk = make_desk(
        "audiences",
        files={
            "briefs/day1.yaml": lambda t: t.replace(
                "      marking: TLP:CLEAR\n    - text: The valley", "      marking: TLP:AMBER\n    - text: The valley"
            ).replace("      marking: TLP:GREEN\n    - CANARYBLUF", "      marking: TLP:AMBER\n    - CANARYBLUF")
        },
    )
    before = {p: p.read_bytes() for p in (desk / "out").rglob("*") if p.is_file()} if (desk / "out").exists() else {}
    result = run("validate", desk)
    assert result.exit_code == 1
    expected = (
        "briefs/day1.yaml:14: brief.bluf: the TLP:GREEN edition would have no bottom line: every bullet of the "
        "brief's is marked above TLP:GREEN (an unmarked bullet takes the brief's TLP:AMBER); give that edition its "
        "own `bluf` under `editions`, or mark the bullets it may show"
    )
    assert expected in result.output
    assert "the TLP:CLEAR edition would have no bottom line" in result.output
    built = run("build", desk, "--date", "2026-11-29", "--format", "html")
    assert built.exit_code == 1 and expected in built.stderr
    after = {p: p.read_bytes() for p in (desk / "out").rglob("*") if p.is_file()} if (desk / "out").exists() else {}
    assert not any(p.suffix == ".html" and p.name.startswith("harbour") for p in after) and before == {
        p: b for p, b in after.items() if p in before
    }
    # Its own bullet, visible at its clearance, is a bottom line.
    (desk / "briefs/day1.yaml").write_text(
        (desk / "briefs/day1.yaml")
        .read_text(encoding="utf-8")
        .replace(
            "      lists: [partners]\n",
            "      lists: [partners]\n      bluf:\n        - The harbour is shut [@harbour-wire].\n",
        )
        .replace(
            "      title: Harbour situation (public digest)\n",
            "      title: Harbour situation (public digest)\n      bluf:\n        - The harbour is shut [@harbour-wire].\n",
        ),
        encoding="utf-8",
    )
    assert "no bottom line" not in run("validate", desk).output


def test_a_desk_without_portion_markings_builds_one_edition(make_desk: MakeDesk) -> None:
    desk = make_desk("three-days")
    result = run("build", desk, "--all", "--format", "html,json")
    assert result.exit_code == 0, result.output
    assert not any("@" in p.name for p in (desk / "out").rglob("*"))


def test_send_delivers_each_list_its_own_edition(make_desk: MakeDesk, smtp: tuple[Recorder, int]) -> None:
    """Against a real SMTP server on 127.0.0.1: each list's members get the highest edition the list is
    cleared for, once, and the public message holds nothing withheld."""
    recorder, port = smtp
    # PDF/A-3b: the emailed PDFs carry their edition's JSON as an attachment, which is searched too.
    settings = lambda t: t.replace("port = 25", f"port = {port}") + '\n[pdf]\nvariant = "pdf/a-3b"\n'  # noqa: E731
    desk = make_desk("audiences", files={"briefgen.toml": settings, "briefs/day2.yaml": None})
    assert run("build", desk, "--date", DAY1, "--format", "html,pdf,eml").exit_code == 0
    result = run("send", desk, "--date", DAY1)
    assert result.exit_code == 0, result.output
    got = {tuple(rcpt): data for _, rcpt, data in recorder.messages}
    assert sorted(got) == [("inner@example.org",), ("partner@example.net",), ("reader@example.com",)]
    subjects = {r: str(BytesParser(policy=policy.default).parsebytes(d)["Subject"]) for r, d in got.items()}
    assert subjects[("inner@example.org",)].startswith("[TLP:AMBER]")
    assert subjects[("partner@example.net",)].startswith("[TLP:GREEN]")
    assert (
        subjects[("reader@example.com",)].startswith("[TLP:CLEAR]")
        and "public digest" in subjects[("reader@example.com",)]
    )
    assert CANARY.search(_eml_bytes(got[("inner@example.org",)]))
    for rcpt in [("partner@example.net",), ("reader@example.com",)]:
        assert not CANARY.search(_eml_bytes(got[rcpt])), rcpt
    assert not GREEN_ONLY.search(_eml_bytes(got[("reader@example.com",)]))
    public = BytesParser(policy=policy.default).parsebytes(got[("reader@example.com",)])
    [pdf] = [p for p in public.walk() if p.get_content_type() == "application/pdf"]
    payload = pdf.get_payload(decode=True)
    assert isinstance(payload, bytes)
    assert b"Officials discussed shipping arrangements." in _pdf_bytes(payload)  # its JSON, attached
    again = run("send", desk, "--date", DAY1)
    assert again.exit_code == 0 and len(recorder.messages) == 3, again.output


def test_the_sample_sends_its_public_digest(make_desk: MakeDesk, smtp: tuple[Recorder, int]) -> None:
    recorder, port = smtp
    desk = make_desk("sample", files={"briefgen.toml": lambda t: t.replace("port = 25", f"port = {port}")})
    built = run("build", desk, "--date", "2025-05-22", "--format", "html,pdf,eml", "--strict")
    assert built.exit_code == 0, built.output
    assert run("send", desk, "--date", "2025-05-22").exit_code == 0
    by_recipient = {r: BytesParser(policy=policy.default).parsebytes(d) for _, rs, d in recorder.messages for r in rs}
    assert sorted(by_recipient) == [
        "ayse@example.org",
        "digest@example.org",
        "rania@example.org",
        "yonatan@example.org",
    ]
    assert str(by_recipient["digest@example.org"]["Subject"]).startswith("[TLP:CLEAR] Public digest")
    assert str(by_recipient["ayse@example.org"]["Subject"]).startswith("[TLP:GREEN] Israel and Turkey")


def test_a_compilation_marking_raises_the_banner(make_desk: MakeDesk) -> None:
    """The GREEN audience's edition shows only CLEAR portions here, but what they reveal together is GREEN."""
    raise_green = {
        "sources/valley-radio.yaml": lambda t: t.replace("TLP:GREEN", "TLP:CLEAR", 1).replace("TLP:GREEN", "TLP:AMBER"),
        "briefs/day1.yaml": lambda t: t.replace(
            "    - text: The valley checkpoint reopened, greenonly reporting [@valley-radio].\n      marking: TLP:GREEN\n",
            "",
        ).replace(
            "      lists: [partners]\n",
            "      lists: [partners]\n      compilation_marking: {marking: TLP:GREEN, reason: together they show the route}\n",
        ),
        "briefs/day2.yaml": None,
    }
    desk = make_desk("audiences", files=raise_green)
    assert run("build", desk, "--date", DAY1, "--format", "json").exit_code == 0
    assert _json(desk, DAY1, "harbour@tlp-green")["marking"] == "TLP:GREEN"
    assert _json(desk, DAY1, "harbour@tlp-clear")["marking"] == "TLP:CLEAR"


def test_preview_shows_each_audience_edition(make_desk: MakeDesk) -> None:
    import urllib.error
    import urllib.request

    from briefgen.preview_server import PreviewServer

    def get(url: str) -> tuple[int, bytes]:
        try:
            with urllib.request.urlopen(url, timeout=60) as response:
                return response.status, response.read()
        except urllib.error.HTTPError as error:
            return error.code, error.read()

    desk = make_desk("audiences")
    server = PreviewServer(desk, port=0)
    server.start()
    try:
        status, index = get(server.url)
        assert status == 200 and f'href="/harbour@tlp-clear/{DAY1}.html">'.encode() in index
        status, page = get(f"{server.url}harbour@tlp-clear/{DAY1}.html")
        # The editor's warnings box (the preview's alone, never in a built file) may name any record.
        shown = re.sub(rb'<aside id="briefgen-preview-warnings".*?</aside>', b"", page, flags=re.S)
        assert status == 200 and b"Harbour situation (public digest)" in shown and not CANARY.search(shown)
        status, master = get(f"{server.url}harbour/{DAY1}.html")
        assert status == 200 and CANARY.search(master)
        status, missing = get(f"{server.url}harbour@tlp-amber-strict/{DAY1}.html")
        assert status == 404 and b"no tlp-amber-strict edition" in missing
    finally:
        server.stop()


# --- the edition rule as a property --------------------------------------------------------------------

LEVELS = [Marking.CLEAR, Marking.GREEN, Marking.AMBER, Marking.AMBER_STRICT]
maybe_level = st.one_of(st.none(), st.sampled_from(LEVELS))


def _write_desk(root: Path, sources: list[Marking | None], items: list[tuple[int, Marking | None, list[int]]]) -> None:
    (root / "sources").mkdir(parents=True)
    (root / "briefs").mkdir()
    (root / "briefgen.toml").write_text('[desk]\nname = "Property"\ntimezone = "UTC"\n', encoding="utf-8")
    for index, marking in enumerate(sources):
        lines = [
            "source:",
            f"  id: s{index}",
            f"  title: Source {index}",
            f"  outlet: Outlet {index}",
            "  published: 2026-11-29",
            *([f"  marking: {marking.value}"] if marking else []),
            "developments:",
        ]
        for number, (home, level, cites) in enumerate(items):
            if home != index:
                continue
            lines += [f"  - id: d{number}", f"    summary: Development {number}."]
            lines += [f"    marking: {level.value}"] if level else []
            lines += ["    downgrade: {reason: cleared, authorized_by: chief}"]
            lines += [f"    cites: [{', '.join(f's{c}' for c in sorted({home, *cites}))}]"]
        if lines[-1] == "developments:":
            lines[-1] = "developments: []"
        (root / "sources" / f"s{index}.yaml").write_text("\n".join(lines) + "\n", encoding="utf-8")
    brief = [
        "brief:",
        "  id: prop",
        "  title: Property",
        "  date: 2026-11-29",
        "  marking: TLP:RED",
        "  bluf: [Nothing.]",
    ]
    (root / "briefs" / "prop.yaml").write_text("\n".join(brief) + "\n", encoding="utf-8")


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    sources=st.lists(maybe_level, min_size=1, max_size=4),
    items=st.lists(
        st.tuples(st.integers(0, 3), maybe_level, st.lists(st.integers(0, 3), max_size=3)), min_size=1, max_size=6
    ),
)
def test_an_edition_holds_what_its_clearance_allows_and_no_more(
    tmp_path_factory: pytest.TempPathFactory,
    sources: list[Marking | None],
    items: list[tuple[int, Marking | None, list[int]]],
) -> None:
    """For random portion and source markings: edition(C) is contained in edition(C') for C below C', and
    nothing marked above C is ever in edition(C)."""
    items = [(home % len(sources), level, [c % len(sources) for c in cites]) for home, level, cites in items]
    root = tmp_path_factory.mktemp("prop")
    _write_desk(root, sources, items)
    desk = load_desk(root)
    edition = desk.briefs[0]
    assert not [d for d in desk.diagnostics if d.is_error]
    unmarked = desk.settings.markings.unmarked_source
    shown: list[tuple[set[str], set[str]]] = []
    for clearance in LEVELS:
        view = audience_view(desk, edition, EditionSpec(clearance=clearance))
        composition = compose(view.desk, view.edition, described=view.described)
        assert composition.brief is not None, composition.diagnostics
        developments = {d.id for d in composition.brief.developments}
        source_ids = {s.id for s in composition.brief.sources}
        for source in composition.brief.sources:
            assert (source.marking or unmarked).rank <= clearance.rank
        for dev in composition.brief.developments:
            level = items[int(dev.id[1:])][1]
            assert level is not None and level.rank <= clearance.rank  # unmarked: the brief's TLP:RED
            assert dev.cites and {c.source for c in dev.cites} <= source_ids  # only visible citations
        shown.append((developments, source_ids))
    for (lower_devs, lower_sources), (higher_devs, higher_sources) in itertools.pairwise(shown):
        assert lower_devs <= higher_devs
        assert lower_sources <= higher_sources


def test_a_brief_that_cannot_be_composed_fails_every_edition_it_asks_for(tmp_path: Path) -> None:
    """A source error blocks the brief: its master and its two audiences' editions are each named FAILED and
    counted, the error is printed once, and nothing is written."""
    import shutil

    from conftest import DESKS

    desk = tmp_path / "desk"
    shutil.copytree(DESKS / "audiences", desk, ignore=shutil.ignore_patterns("out"))
    source = desk / "sources" / "harbour-wire.yaml"
    source.write_text(source.read_text(encoding="utf-8").replace("summary:", "sumary:", 1), encoding="utf-8")
    result = run("build", desk, "--date", "2026-11-29", "--format", "html,json")
    assert result.exit_code == 1, result.output  # bad data
    failed = [line for line in result.output.splitlines() if line.startswith("FAILED")]
    assert [line.split(": ")[0] for line in failed] == [
        "FAILED  harbour 2026-11-29",
        "FAILED  harbour 2026-11-29 (TLP:CLEAR edition)",
        "FAILED  harbour 2026-11-29 (TLP:GREEN edition)",
    ], result.output
    assert result.output.count("unknown key 'sumary'") == 1
    assert "0 built, 0 up to date, 3 failed" in result.output
    assert not (desk / "out" / "2026-11-29").exists()
