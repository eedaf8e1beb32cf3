"""Properties of composing (hypothesis): file paths never decide the brief (prose aside, as documented),
a relay never adds corroboration, and the count of independent originators is bounded."""

from __future__ import annotations

import json
import shutil
import tempfile
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

from composing import composed_brief
from conftest import DESKS
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from briefgen.compose import model as composed
from briefgen.compose.facts import dates_agree, status_relation
from briefgen.compose.sources import sourcing
from briefgen.desk.models import SourceDocument
from briefgen.desk.vocabulary import Precision, Status

FILES = settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
FAST = settings(max_examples=300, deadline=None)
NAMES = ["Radio A", "radio a", "Agency B", "الجزيرة", "הארץ", "Ajans Ç", "Site D", "E"]
FOLDERS = st.lists(st.sampled_from(["a", "z", "0", "deep", "ü"]), max_size=2)
FILE_NAMES = st.text(alphabet="abcxyz019-_", min_size=1, max_size=8)


def _json_of(desk: Path, brief_id: str | None) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(composed_brief(desk, brief_id).model_dump_json())
    return data


def _moved(base: str, target: Path, names: list[tuple[list[str], str]]) -> Path:
    """A copy of a fixture desk whose source files are renamed and moved into folders."""
    desk = target / base
    shutil.copytree(DESKS / base, desk)
    sources = sorted((desk / "sources").rglob("*.yaml"))
    for index, path in enumerate(sources):
        folders, name = names[index % len(names)]
        new = desk / "sources" / Path(*folders, f"{name}-{index}.yaml")
        new.parent.mkdir(parents=True, exist_ok=True)
        path.rename(new)
    return desk


@FILES
@given(
    case=st.sampled_from(
        [
            ("three-file-development", "crossing-undecided"),
            ("three-file-development", "crossing-decided"),
            ("question-lifecycle", None),
            ("relay-chain", None),
            ("day-words", None),
            ("late-source", "late-all"),
        ]
    ),
    names=st.lists(st.tuples(FOLDERS, FILE_NAMES), min_size=1, max_size=9),
)
def test_renaming_or_moving_record_files_never_changes_the_composed_brief(
    case: tuple[str, str | None], names: list[tuple[list[str], str]]
) -> None:
    base, brief_id = case
    with tempfile.TemporaryDirectory() as tmp:
        moved = _moved(base, Path(tmp), names)
        assert _json_of(moved, brief_id) == _json_of(DESKS / base, brief_id)


@FILES
@given(names=st.lists(st.tuples(FOLDERS, FILE_NAMES), min_size=3, max_size=3))
def test_only_prose_follows_path_order_as_documented(names: list[tuple[list[str], str]]) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        reference = Path(tmp) / "ref"
        shutil.copytree(DESKS / "three-file-development", reference)
        third = reference / "sources/b-third.yaml"
        third.write_text(third.read_text().replace("was closed.", "was shut."), encoding="utf-8")
        moved = _moved("three-file-development", Path(tmp) / "moved", names)
        shutil.copy(third, next(p for p in moved.rglob("*.yaml") if "wire-three" in p.read_text()))

        def without_prose(desk: Path) -> dict[str, Any]:
            data = _json_of(desk, "crossing-undecided")
            for dev in data["developments"]:
                dev.pop("summary")
            for disc in data["discrepancies"]:
                disc.pop("topic")
            return data

        assert without_prose(moved) == without_prose(reference)


# --- corroboration ------------------------------------------------------------------------------------

SOURCE_GRAPHS = st.lists(
    st.tuples(st.sampled_from([None, *NAMES]), st.lists(st.sampled_from([*NAMES, "s0", "s1", "s2"]), max_size=3)),
    min_size=1,
    max_size=7,
)


def _desk_sources(graph: list[tuple[str | None, list[str]]]) -> dict[str, SourceDocument]:
    return {
        f"s{i}": SourceDocument(id=f"s{i}", title="t", outlet=outlet, relays=relays)
        for i, (outlet, relays) in enumerate(graph)
    }


def _cites(ids: list[str]) -> list[composed.Cite]:
    return [composed.Cite(source=i) for i in ids]


@FAST
@given(graph=SOURCE_GRAPHS, data=st.data())
def test_the_independent_count_never_exceeds_the_distinct_sources(
    graph: list[tuple[str | None, list[str]]], data: st.DataObject
) -> None:
    sources = _desk_sources(graph)
    cited = data.draw(st.lists(st.sampled_from(sorted(sources)), min_size=1, max_size=10))
    counted = sourcing(_cites(cited), sources, [])
    assert 1 <= counted.independent <= counted.sources == len(set(cited))
    assert counted.dependent == counted.sources - counted.independent
    assert sorted(i for group in counted.originators for i in group) == sorted(set(cited))


@FAST
@given(graph=SOURCE_GRAPHS, data=st.data())
def test_adding_a_source_that_only_relays_an_existing_one_never_raises_the_independent_count(
    graph: list[tuple[str | None, list[str]]], data: st.DataObject
) -> None:
    sources = _desk_sources(graph)
    cited = data.draw(st.lists(st.sampled_from(sorted(sources)), min_size=1, max_size=10))
    before = sourcing(_cites(cited), sources, []).independent
    relayed = sources[data.draw(st.sampled_from(sorted(set(cited))))]  # one the development already cites
    relay_name = data.draw(st.sampled_from([relayed.id, *([relayed.outlet] if relayed.outlet else [])]))
    copy = SourceDocument(
        id="copy", title="t", outlet=data.draw(st.sampled_from([None, "Fresh Copy Site"])), relays=[relay_name]
    )
    after = sourcing(_cites([*cited, "copy"]), {**sources, "copy": copy}, []).independent
    assert after <= before


# --- what conflicts -------------------------------------------------------------------------------------

PRECISIONS = st.sampled_from(list(Precision))
WHENS = st.builds(
    lambda day, minutes, offset, precision, timed: composed.When(
        on=(
            datetime.combine(day, datetime.min.time(), timezone(timedelta(hours=offset))) + timedelta(minutes=minutes)
            if timed
            else day
        ),
        precision=precision,
    ),
    st.dates(min_value=date(2024, 12, 25), max_value=date(2025, 2, 5)),
    st.integers(0, 1439),
    st.integers(-12, 14),
    PRECISIONS,
    st.booleans(),
)


@FAST
@given(a=WHENS, b=WHENS)
def test_date_agreement_is_symmetric_and_a_refinement_agrees(a: composed.When, b: composed.When) -> None:
    assert dates_agree(a, b) == dates_agree(b, a)
    assert dates_agree(a, a)
    day = a.on.date() if isinstance(a.on, datetime) else a.on
    assert day is not None
    assert dates_agree(a, composed.When(on=day, precision=Precision.DAY))  # the day it falls on (own offset)
    assert not dates_agree(composed.When(on=day, precision=Precision.DAY), composed.When(on=day + timedelta(days=1)))


@FAST
@given(a=st.sampled_from(list(Status)), b=st.sampled_from(list(Status)))
def test_status_relations_are_symmetric(a: Status, b: Status) -> None:
    assert status_relation(a, b) == status_relation(b, a)


@FAST
@given(graph=SOURCE_GRAPHS, data=st.data())
def test_a_round_up_relaying_two_cited_sources_never_makes_them_one(
    graph: list[tuple[str | None, list[str]]], data: st.DataObject
) -> None:
    """A wire that relays two reports depends on both: cited beside them it adds no originator, and takes
    none away (counted as one source, the two reports would be one originator)."""
    sources = _desk_sources(graph)
    cited = data.draw(st.lists(st.sampled_from(sorted(sources)), min_size=1, max_size=10))
    before = sourcing(_cites(cited), sources, [])
    relayed = data.draw(st.lists(st.sampled_from(sorted(set(cited))), min_size=1, max_size=3))
    round_up = SourceDocument(id="round-up", title="t", outlet="Round-up Wire", relays=relayed)
    after = sourcing(_cites([*cited, "round-up"]), {**sources, "round-up": round_up}, [])
    assert after.independent == before.independent
    assert after.sources == before.sources + 1
