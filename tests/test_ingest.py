"""`briefgen ingest`: drafts from the desk's real seed files and from generated articles, bad input,
idempotence, --accept, and a draft carried through review and build to the brief's endnote."""

from __future__ import annotations

import json
import random
import re
from pathlib import Path
from typing import Any

import pytest
import yaml
from conftest import observing, run
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from briefgen.desk.ingest_block import IngestBlock
from briefgen.desk.loader import load_desk
from briefgen.desk.models import SourceRecord
from briefgen.errors import ExitCode
from briefgen.ingest.deskfiles import desk_context
from briefgen.ingest.draft import Options, make_draft
from briefgen.ingest.paragraphs import split_text
from briefgen.ingest.rawinput import RawInput


def _seeds() -> Path | None:
    for folder in (Path(__file__).resolve().parents[2] / "shared" / "seeds", Path("/work/shared/seeds")):
        if folder.is_dir():
            return folder
    return None


SEEDS = _seeds()
needs_seeds = pytest.mark.skipif(SEEDS is None, reason="the shared seed articles (../shared/seeds) are not here")

GAZETTEER = """\
outlets:
  - {name: North Press, aliases: [North Press Agency, نورث برس], type: news_agency}
  - {name: Israel Hayom, aliases: [ישראל היום, "Israel Hayom newspaper"], type: newspaper}
  - {name: Kan, aliases: [Kan 11, כאן 11], type: broadcaster}
  - {name: Agence France-Presse, aliases: [AFP, Agence France Presse], type: news_agency}
  - {name: Anadolu Agency, aliases: [AA, Anadolu Ajansı, الأناضول, وكالة الأناضول], type: news_agency}
  - {name: Levant Daily, aliases: [levantdaily.example], type: online_outlet}
actors:
  - {id: israel, name: Israel, aliases: [إسرائيل, ישראל, İsrail]}
  - {id: turkey, name: Turkey, aliases: [Türkiye, تركيا, טורקיה]}
  - {id: syria, name: Syria, aliases: [سوريا, Suriye, Syrie]}
  - {id: sdf, name: Syrian Democratic Forces, aliases: [SDF, قسد]}
"""


@pytest.fixture
def desk(tmp_path: Path) -> Path:
    root = tmp_path / "desk"
    (root / "sources").mkdir(parents=True)
    (root / "briefs").mkdir()
    (root / "briefgen.toml").write_text('[desk]\nname = "Test"\nlanguages = ["en", "fr", "ar", "he", "tr"]\n')
    (root / "gazetteer.yaml").write_text(GAZETTEER, encoding="utf-8")
    return root


def ingest(desk: Path, *args: str | Path) -> Any:
    return run("ingest", "--desk", desk, *args)


def only_draft(desk: Path) -> tuple[Path, dict[str, Any]]:
    drafts = sorted((desk / "drafts").glob("*.yaml"))
    assert len(drafts) == 1, drafts
    return drafts[0], yaml.safe_load(drafts[0].read_text(encoding="utf-8"))


def block_of(data: dict[str, Any]) -> IngestBlock:
    return IngestBlock.model_validate(data["ingest"])


def review_fields(data: dict[str, Any]) -> list[str]:
    return [item["field"] for item in data["ingest"]["review"]]


def paragraphs_of(data: dict[str, Any]) -> list[str]:
    return data["source"]["text"].split("\n\n")


# --- the seed files ---------------------------------------------------------------------------------


@needs_seeds
def test_seed_wire_copy_with_byline_dateline_relay_and_anonymous_official(desk: Path) -> None:
    assert SEEDS is not None
    seed = sorted(SEEDS.glob("*.txt"))[0]
    result = ingest(desk, seed)
    assert result.exit_code == 0, result.output
    path, data = only_draft(desk)
    source = data["source"]
    assert source["outlet"] == "North Press" and source["type"] == "news_agency"
    assert source["authors"] == ["Kardo Roj"]
    assert source["dateline"].startswith("DAMASCUS, Syria")
    assert source["published"] is None and "published" in review_fields(data)
    assert source["relays"] == ["Israel Hayom"]
    assert source["reliability"] == "F" and source["language"] == "en"
    block = block_of(data)
    # The headline and byline are not paragraphs; every other line is one.
    assert [r.kind for r in block.removed] == ["title", "byline"]
    lines = seed.read_text(encoding="utf-8").splitlines()
    assert len(paragraphs_of(data)) == len(lines) - 2
    anonymous = [a for a in block.candidates.attributions if a.anonymous]
    assert anonymous and all(a.cite.anonymous for a in anonymous)
    assert any(a.cite.via == "Israel Hayom" for a in anonymous)
    # Kan is mentioned but not through a cue: the analyst decides.
    assert any("'Kan'" in item.message for item in block.review if item.field == "relays")
    # Weekdays are found, and none is resolved: the copy has no date.
    assert block.candidates.dates and {d.if_past.reason for d in block.candidates.dates} == {
        "the source has no publication date"
    }
    text = source["text"]
    assert block.candidates.quotes and all(q.cite.quote and q.cite.quote in text for q in block.candidates.quotes)
    mentioned = {m.actor for m in block.candidates.actors}
    assert {"israel", "turkey", "sdf"} <= mentioned
    # "Syria" in the dateline is a place, not a mention of the actor; later in paragraph 1 it is one.
    story = paragraphs_of(data)[0][len(source["dateline"]) :]
    in_first = [m for m in block.candidates.actors if m.para == 1 and m.actor == "syria"]
    assert len(in_first) == len(re.findall(r"\bSyria\b", story))
    # "Israel" inside the outlet name "Israel Hayom" is not the actor.
    assert len([m for m in block.candidates.actors if m.para == 1 and m.actor == "israel"]) == len(
        re.findall(r"\bIsrael\b(?! Hayom)", paragraphs_of(data)[0])
    )
    SourceRecord.model_validate(data)
    assert path.name == f"{source['id']}.yaml"


@needs_seeds
def test_seed_aggregator_copy_without_outlet_author_or_date_and_three_repeats(desk: Path) -> None:
    assert SEEDS is not None
    seed = sorted(SEEDS.glob("*.txt"))[1]
    assert ingest(desk, seed).exit_code == 0
    _, data = only_draft(desk)
    source = data["source"]
    assert source["outlet"] is None and source["authors"] == [] and source["published"] is None
    assert {"outlet", "published"} <= set(review_fields(data))
    block = block_of(data)
    repeats = [r for r in block.removed if r.kind == "repeat"]
    assert len(repeats) == 3
    kept = paragraphs_of(data)
    assert all(r.text in kept for r in repeats)  # each removed paragraph is still there once
    assert len(kept) == len(set(kept))
    # The headline (given twice) is the title, not a paragraph; the lede before it is one.
    assert source["title"] not in kept and [r.kind for r in block.removed].count("title") == 2
    lines = [line for line in seed.read_text(encoding="utf-8").splitlines() if line.strip()]
    assert len(kept) == len(lines) - 2 - 3
    assert kept[0] == lines[0]


def tree(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


@needs_seeds
def test_seed_ingested_twice_is_refused_and_validate_lists_the_draft(desk: Path) -> None:
    assert SEEDS is not None
    seed = sorted(SEEDS.glob("*.txt"))[0]
    before = tree(desk)
    assert ingest(desk, seed).exit_code == 0
    after = tree(desk)
    assert {k: v for k, v in after.items() if not k.startswith("drafts/")} == before  # only drafts/ is written
    again = ingest(desk, seed)
    assert again.exit_code == ExitCode.BAD_DATA
    assert "already drafted as" in again.stderr and "drafts/" in again.stderr
    (desk / "sources" / "note.yaml").write_text(SOURCE_RECORD, encoding="utf-8")
    listed = run("validate", desk)
    draft, data = only_draft(desk)
    assert f"drafts/{draft.name}: draft, {len(data['ingest']['review'])} open review items" in listed.output
    assert "ingest.review[0] (published)" in listed.output


SOURCE_RECORD = """\
source: {id: wire-note, title: A note, outlet: Levant Daily, published: 2026-03-09}
developments:
  - {id: d1, summary: Something happened., status: reported}
"""

# --- generated pages and articles --------------------------------------------------------------------

PAGE = """\
<!doctype html>
<html lang="en"><head>
<title>Talks resume in Geneva | Levant Daily</title>
<meta property="og:site_name" content="Levant Daily">
<meta property="article:published_time" content="2026-03-09T23:40:00+03:00">
<script type="application/ld+json">{{"@context": "https://schema.org", "@type": "NewsArticle",
 "headline": "Talks resume in Geneva", "datePublished": "2026-03-09T23:40:00+03:00",
 "dateModified": "2026-03-11T08:00:00+03:00", "author": {{"@type": "Person", "name": "Rana Haddad"}}}}</script>
<script src="https://tracker.example/t.js"></script>
<link rel="stylesheet" href="https://cdn.example/site.css">
</head><body>
<nav><a href="/">Home</a> | <a href="/world">World</a></nav>
<article>
<h1>Talks resume in Geneva</h1>
<p>GENEVA (AFP) – Delegations from both governments met on Monday in Geneva and agreed to meet again next
Monday, according to a diplomat who asked not to be named.</p>
<p>The mediator told reporters that the sides had agreed on “a timetable for prisoner exchanges” and would
publish it after the next session.</p>
<p>A second round of talks is expected on Thursday, the mediator added in a statement on the talks.</p>
<img src="https://images.example/photo.jpg" alt="Delegates">
{extra}
</article>
<footer><p>Last updated 11 March 2026 08:00</p><p>© 2026 Levant Daily</p></footer>
<iframe src="https://ads.example/frame"></iframe>
</body></html>
"""


def write(path: Path, text: str | bytes) -> Path:
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")
    return path


def test_saved_page_metadata_dates_with_offsets_and_site_versus_agency(desk: Path, tmp_path: Path) -> None:
    page = write(tmp_path / "talks.html", PAGE.format(extra=""))
    assert ingest(desk, page, "--url", "https://levantdaily.example/talks", "--accessed", "2026-03-10").exit_code == 0
    _, data = only_draft(desk)
    source = data["source"]
    assert source["title"] == "Talks resume in Geneva"
    assert source["published"] == "2026-03-09T23:40:00+03:00"  # never the footer's "Last updated"
    assert source["outlet"] == "Agence France-Presse"  # the dateline's agency, in the gazetteer's spelling
    assert source["authors"] == ["Rana Haddad"] and source["language"] == "en"
    assert source["url"] == "https://levantdaily.example/talks" and source["accessed"] == "2026-03-10"
    block = block_of(data)
    assert any("Levant Daily" in r.message and r.field == "outlet" for r in block.review)
    published = next(f for f in block.fields if f.field == "published")
    assert "article:published_time" in published.origin and "precision time" in (published.note or "")
    assert {m.element for m in block.removed_markup} >= {"script", "img", "iframe", "link"}
    assert not any("Last updated" in p or "tracker" in p for p in paragraphs_of(data))
    # Day words are resolved against the local publication day, Monday 9 March (UTC is already Monday
    # 20:40, but a late-evening Damascus time must not slip to Tuesday either way).
    dates = {d.phrase: d for d in block.candidates.dates}
    assert (
        dates["next Monday"].if_future.on is not None and dates["next Monday"].if_future.on.isoformat() == "2026-03-16"
    )
    assert dates["Monday"].if_past.on is not None and dates["Monday"].if_past.on.isoformat() == "2026-03-09"
    assert dates["Monday"].if_future.reason == "same weekday as publication: today or in a week?"
    assert dates["Thursday"].if_future.on is not None and dates["Thursday"].if_future.on.isoformat() == "2026-03-12"
    anonymous = [a for a in block.candidates.attributions if a.anonymous]
    assert [a.para for a in anonymous] == [1]
    assert [q.cite.quote for q in block.candidates.quotes] == ["a timetable for prisoner exchanges"]


def test_page_with_only_json_ld_and_no_site_name(desk: Path, tmp_path: Path) -> None:
    html = PAGE.format(extra="").replace('<meta property="og:site_name" content="Levant Daily">', "")
    html = html.replace('<meta property="article:published_time" content="2026-03-09T23:40:00+03:00">', "")
    html = html.replace("GENEVA (AFP) – ", "").replace("2026-03-09T23:40:00+03:00", "2026-03-08T10:00:00-05:00")
    assert ingest(desk, write(tmp_path / "p.htm", html)).exit_code == 0
    _, data = only_draft(desk)
    assert data["source"]["published"] == "2026-03-08T10:00:00-05:00"
    assert next(f for f in block_of(data).fields if f.field == "published").origin.endswith("JSON-LD datePublished)")
    assert data["source"]["outlet"] is None and data["source"]["dateline"] is None


FRENCH = """\
Reprise des pourparlers à Genève
Par Claire Martin
Publié le 9 mars 2026 à 18h30 +01:00
PARIS (AFP) – Les délégations se sont réunies lundi à Genève, selon un responsable qui a requis l'anonymat.
Elles se retrouveront mardi prochain, a indiqué le médiateur, qui a évoqué « un calendrier d'échanges ».
"""

ARABIC = """\
استئناف المحادثات في جنيف
بقلم رنا حداد
دمشق (نورث برس) – قال مصدر طلب عدم الكشف عن اسمه إن الوفدين التقيا يوم الثلاثاء في جنيف.
وأضاف المصدر أن جولة جديدة ستعقد الأحد القادم، بحسب وكالة الأناضول.
"""

TURKISH = """\
Cenevre'de görüşmeler yeniden başladı
Yazan: Ayşe Yılmaz
12.03.2026
ANKARA (AA) – Heyetler salı günü Cenevre'de bir araya geldi, adının açıklanmaması koşuluyla konuşan bir yetkiliye göre.
İsrail ve Türkiye'nin temsilcileri gelecek pazartesi yeniden görüşecek.
"""


def test_french_article(desk: Path, tmp_path: Path) -> None:
    assert ingest(desk, write(tmp_path / "fr.txt", FRENCH)).exit_code == 0
    _, data = only_draft(desk)
    source = data["source"]
    assert source["language"] == "fr" and source["authors"] == ["Claire Martin"]
    assert source["published"] == "2026-03-09T18:30:00+01:00"
    assert source["outlet"] == "Agence France-Presse" and source["dateline"] == "PARIS (AFP)"
    block = block_of(data)
    dates = {d.phrase: d for d in block.candidates.dates}
    assert dates["lundi"].if_past.on is not None and dates["lundi"].if_past.on.isoformat() == "2026-03-09"
    assert (
        dates["mardi prochain"].if_future.on is not None
        and dates["mardi prochain"].if_future.on.isoformat() == "2026-03-10"
    )
    assert [a.anonymous for a in block.candidates.attributions] == [True]
    assert [q.cite.quote for q in block.candidates.quotes] == ["un calendrier d'échanges"]
    assert [r.kind for r in block.removed] == ["title", "byline", "date-stamp"]


def test_arabic_article(desk: Path, tmp_path: Path) -> None:
    assert ingest(desk, write(tmp_path / "ar.txt", ARABIC)).exit_code == 0
    _, data = only_draft(desk)
    source = data["source"]
    assert source["language"] == "ar" and source["authors"] == ["رنا حداد"]
    assert source["outlet"] == "North Press" and source["dateline"] == "دمشق (نورث برس)"
    assert source["relays"] == ["Anadolu Agency"]
    block = block_of(data)
    assert any(a.anonymous for a in block.candidates.attributions)
    assert {d.phrase for d in block.candidates.dates} == {"يوم الثلاثاء", "الأحد القادم"}
    assert all(d.if_past.reason == "the source has no publication date" for d in block.candidates.dates)


def test_turkish_article_with_an_ambiguous_numeric_date(desk: Path, tmp_path: Path) -> None:
    assert ingest(desk, write(tmp_path / "tr.txt", TURKISH)).exit_code == 0
    _, data = only_draft(desk)
    source = data["source"]
    assert source["language"] == "tr" and source["authors"] == ["Ayşe Yılmaz"]
    assert source["outlet"] == "Anadolu Agency" and source["published"] is None
    message = next(r["message"] for r in data["ingest"]["review"] if r["field"] == "published")
    assert "12 March 2026" in message and "3 December 2026" in message
    block = block_of(data)
    assert {m.actor for m in block.candidates.actors} == {"israel", "turkey"}
    assert {m.written for m in block.candidates.actors} == {"İsrail", "Türkiye'nin"}
    assert {d.phrase for d in block.candidates.dates} == {"salı", "gelecek pazartesi"}
    assert any(a.anonymous for a in block.candidates.attributions)


def test_a_printed_weekday_that_contradicts_the_date_leaves_it_empty(desk: Path, tmp_path: Path) -> None:
    text = "Talks resume\nWednesday, 10 March 2026\nThe talks resumed in Geneva on Tuesday with both delegations.\n"
    assert ingest(desk, write(tmp_path / "w.txt", text)).exit_code == 0
    _, data = only_draft(desk)
    assert data["source"]["published"] is None
    assert any("does not match 2026-03-10" in r["message"] for r in data["ingest"]["review"])


# --- bad input ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("empty.txt", b"", "the file is empty"),
        ("blank.txt", b"  \n\n ", "the file is empty"),
        ("binary.txt", b"\x89PNG\r\n\x1a\n\x00\x00\x00IHDR", "binary file"),
        ("latin1.txt", "Caf\u00e9 talks resumed.".encode("latin-1"), "not valid utf-8"),
        ("record.yaml", b"source:\n  id: x\n  title: X\n", "already a briefgen record"),
        ("record.json", b'{"source": {"id": "x", "title": "X"}}', "already a briefgen record"),
        ("junk.txt", b"Share\nAdvertisement\n----\n", "no paragraph of text found"),
    ],
)
def test_bad_inputs_get_one_located_line_and_nothing_is_written(
    desk: Path, tmp_path: Path, name: str, content: bytes, message: str
) -> None:
    result = ingest(desk, write(tmp_path / name, content))
    assert result.exit_code == ExitCode.BAD_DATA
    errors = [line for line in result.stderr.splitlines() if line.startswith("briefgen: error:")]
    assert len(errors) == 2 and message in errors[0].lower() and name in errors[0]
    assert "Traceback" not in result.output + result.stderr
    assert not (desk / "drafts").exists() or not any((desk / "drafts").iterdir())


def test_a_file_over_the_size_limit_and_a_symlink_are_refused(desk: Path, tmp_path: Path) -> None:
    big = tmp_path / "big.txt"
    with big.open("wb") as handle:
        handle.truncate(50 * 1024 * 1024)  # 50 MB, sparse
    result = ingest(desk, big)
    assert result.exit_code == ExitCode.BAD_DATA and "limit is 1048576 bytes" in result.stderr
    target = write(tmp_path / "real.txt", "Talks\nThe talks resumed in Geneva.\n")
    link = tmp_path / "link.txt"
    link.symlink_to(target)
    result = ingest(desk, link)
    assert result.exit_code == ExitCode.BAD_DATA and "symbolic link" in result.stderr
    assert not (desk / "drafts").exists()


def test_invisible_characters_are_stripped_and_recorded(desk: Path, tmp_path: Path) -> None:
    text = "Talks resume\nThe talks\u200b resumed in \u202eGeneva\u202c on Monday.\nBoth sides\u2066 agreed.\n"
    assert ingest(desk, write(tmp_path / "bidi.txt", text)).exit_code == 0
    _, data = only_draft(desk)
    assert data["source"]["text"] == "The talks resumed in Geneva on Monday.\n\nBoth sides agreed."
    removed = {c["char"]: c for c in data["ingest"]["removed_characters"]}
    assert set(removed) == {"U+200B", "U+202E", "U+202C", "U+2066"}
    assert removed["U+200B"]["lines"] == [2] and removed["U+2066"]["lines"] == [3]


def test_scripts_in_a_page_are_never_run_or_fetched(desk: Path, tmp_path: Path) -> None:
    with observing() as observer:
        url = observer.url
        html = PAGE.format(
            extra=f'<script src="{url}/x.js"></script><img src="{url}/i.png"><p><a href="{url}/more">more</a></p>'
        )
        html = html.replace("https://tracker.example/t.js", f"{url}/t.js").replace(
            "https://cdn.example/site.css", f"{url}/c.css"
        )
        assert ingest(desk, write(tmp_path / "hostile.html", html)).exit_code == 0
        assert observer.requests == []


@pytest.mark.parametrize(
    ("option", "value", "message"),
    [
        ("--type", "blog", "--type 'blog'"),
        ("--accessed", "yesterday", "--accessed 'yesterday'"),
        ("--url", "ftp://x", "--url"),
    ],
)
def test_bad_options_are_usage_errors(desk: Path, tmp_path: Path, option: str, value: str, message: str) -> None:
    result = ingest(desk, write(tmp_path / "fr.txt", FRENCH), option, value)
    assert result.exit_code == ExitCode.USAGE and message in result.stderr
    assert not (desk / "drafts").exists()


def test_stdin_json_and_dry_run_write_nothing(desk: Path, tmp_path: Path) -> None:
    from click.testing import CliRunner

    from briefgen.cli import cli

    result = CliRunner().invoke(cli, ["ingest", "--desk", str(desk), "--format", "json", "-"], input=FRENCH)
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["source"]["authors"] == ["Claire Martin"]
    dry = ingest(desk, write(tmp_path / "fr.txt", FRENCH), "--dry-run")
    assert dry.exit_code == 0 and "source:" in dry.stdout
    assert not (desk / "drafts").exists()


def test_a_page_that_copies_a_desk_source_suggests_relays(desk: Path, tmp_path: Path) -> None:
    write(tmp_path / "first.txt", FRENCH)
    assert ingest(desk, tmp_path / "first.txt").exit_code == 0
    draft, _ = only_draft(desk)
    accepted = yaml.safe_load(draft.read_text(encoding="utf-8"))
    accepted["ingest"]["review"] = []
    draft.write_text(yaml.safe_dump(accepted, allow_unicode=True, sort_keys=False), encoding="utf-8")
    assert ingest(desk, "--accept", draft).exit_code == 0
    copy = FRENCH.replace("Par Claire Martin", "Par Paul Durand").replace("Reprise", "Les pourparlers reprennent")
    assert (
        ingest(desk, write(tmp_path / "copy.txt", copy + "Un dernier paragraphe ajouté par le site.\n")).exit_code == 0
    )
    _, data = only_draft(desk)
    overlap = data["ingest"]["overlaps"]
    assert overlap and overlap[0]["source"] == accepted["source"]["id"] and overlap[0]["paragraphs"] == [1, 2]
    assert any("repeat source" in r["message"] for r in data["ingest"]["review"] if r["field"] == "relays")


# --- properties ----------------------------------------------------------------------------------------

WORDS = ["talks", "delegation", "minister", "border", "crossing", "convoy", "aid", "ceasefire", "village", "council"]
sentence = st.lists(st.sampled_from(WORDS), min_size=4, max_size=12).map(lambda w: " ".join(w).capitalize() + ".")


def _draft(desk: Path, data: bytes, name: str = "a.txt") -> dict[str, Any]:
    context = desk_context(load_desk(desk), ("en",))
    return make_draft(RawInput(name, data, name.endswith(".html")), Options(), context).data


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(paragraphs=st.lists(sentence, min_size=1, max_size=8), html=st.booleans())
def test_same_bytes_give_the_same_draft(desk: Path, paragraphs: list[str], html: bool) -> None:
    if html:
        body = "".join(f"<p>{p}</p>" for p in paragraphs)
        raw = f"<html lang='en'><head><title>Talks</title></head><body><article>{body}</article></body></html>"
        name = "a.html"
    else:
        raw, name = "Talks at the border\n" + "\n".join(paragraphs) + "\n", "a.txt"
    first = _draft(desk, raw.encode(), name)
    assert first == _draft(desk, raw.encode(), name)
    text = first["source"]["text"]
    for quote in first["ingest"]["candidates"]["quotes"]:
        assert quote["cite"]["quote"] in text


@settings(max_examples=40, deadline=None)
@given(
    paragraphs=st.lists(sentence, min_size=1, max_size=8, unique=True),
    seed=st.integers(0, 2**32),
    repeats=st.lists(st.integers(0, 7), max_size=6),
)
def test_shuffling_and_duplicating_paragraphs_keeps_the_same_set(
    paragraphs: list[str], seed: int, repeats: list[int]
) -> None:
    mixed = paragraphs + [paragraphs[i % len(paragraphs)] for i in repeats]
    random.Random(seed).shuffle(mixed)
    split = split_text("Talks at the border\n" + "\n".join(mixed), "en", title=None, choose_title=True)
    assert {p.text for p in split.paragraphs} == set(paragraphs)
    assert len(split.paragraphs) == len(paragraphs)
    assert sum(r.kind == "repeat" for r in split.removed) == len(mixed) - len(paragraphs)


@settings(max_examples=30, deadline=None)
@given(
    before=st.text(st.characters(codec="utf-8", exclude_categories=("Cs", "Cc")), max_size=40),
    quote=st.text(st.sampled_from("abcdefgh ,'"), min_size=8, max_size=40),
)
def test_every_candidate_quote_is_in_the_text(before: str, quote: str) -> None:
    from briefgen.ingest.attribution import find_quotes
    from briefgen.ingest.paragraphs import Paragraph

    text = f"{before} said “{quote}” and left."
    for found in find_quotes((Paragraph(1, text, 1),)):
        assert found.text in text


# --- end to end ---------------------------------------------------------------------------------------


def test_ingest_review_accept_build_shows_the_ingested_fields(desk: Path, tmp_path: Path) -> None:
    page = write(tmp_path / "talks.html", PAGE.format(extra=""))
    assert ingest(desk, page, "--url", "https://levantdaily.example/talks").exit_code == 0
    draft, data = only_draft(desk)
    refused = ingest(desk, "--accept", draft)
    assert refused.exit_code == ExitCode.BAD_DATA and "open review item" in refused.stderr
    # The analyst settles the review: Levant Daily republished AFP's copy, so it is the outlet and AFP
    # is relayed; the reliability is graded; a development cites the anonymous diplomat's paragraph.
    source_id = data["source"]["id"]
    data["source"]["outlet"] = "Levant Daily"
    data["source"]["type"] = "online_outlet"
    data["source"]["relays"] = ["Agence France-Presse"]
    data["source"]["reliability"] = "B"
    data["ingest"]["review"] = []
    diplomat = next(a for a in data["ingest"]["candidates"]["attributions"] if a["anonymous"])
    timetable = data["ingest"]["candidates"]["quotes"][0]["cite"]
    data["developments"] = [
        {
            "id": "geneva-talks-resume",
            "summary": "Delegations met in Geneva and agreed to meet again.",
            "status": "reported",
            "occurred": {"as_reported": "on Monday"},
            "cites": [diplomat["cite"], timetable],
        }
    ]
    plain = json.loads(json.dumps(data))  # as an editor saves it: every value written out
    draft.write_text(yaml.safe_dump(plain, allow_unicode=True, sort_keys=False), encoding="utf-8")
    accepted = ingest(desk, "--accept", draft)
    assert accepted.exit_code == 0, accepted.output + accepted.stderr
    assert not draft.exists() and (desk / "sources" / f"{source_id}.yaml").is_file()
    (desk / "briefs" / "talks.yaml").write_text(
        "brief:\n  id: talks\n  title: Geneva talks\n  date: 2026-03-10\n  marking: TLP:GREEN\n"
        f"  sources: [{source_id}]\n  bluf:\n    - Talks resumed in Geneva [@{source_id}, para 1].\n",
        encoding="utf-8",
    )
    built = run("build", desk, "--date", "2026-03-10", "--format", "html,json")
    assert built.exit_code == 0, built.output + built.stderr
    html = (desk / "out" / "2026-03-10" / "talks.html").read_text(encoding="utf-8")
    endnotes = re.sub(r"<[^>]+>|[\u2066-\u2069\u200b]", "", html[html.index('class="endnotes"') :])  # the text shown
    for shown in (
        "Levant Daily",
        "Rana Haddad",
        "Talks resume in Geneva",
        "GENEVA (AFP)",
        "Relays Agence France-Presse",
        "https://levantdaily.example/talks",
        "reliability B",
    ):
        assert shown in endnotes, shown
    composed = json.loads((desk / "out" / "2026-03-10" / "talks.json").read_text(encoding="utf-8"))
    assert source_id in json.dumps(composed) and "2026-03-09" in json.dumps(composed)
    assert "2026-03-09" in json.dumps(composed)
    assert ingest(desk, page).exit_code == ExitCode.BAD_DATA  # its bytes are in the desk now


def test_actor_mentions_across_scripts_longest_first_outside_the_dateline() -> None:
    from briefgen.desk.gazetteer import Gazetteer
    from briefgen.ingest.mentions import find_mentions
    from briefgen.ingest.names import desk_names
    from briefgen.ingest.paragraphs import Paragraph

    gazetteer = Gazetteer.model_validate(yaml.safe_load(GAZETTEER))
    record = SourceRecord.model_validate(
        {
            "source": {"id": "s", "title": "S"},
            "actors": [{"id": "hts", "name": "Hayat Tahrir al-Sham", "aliases": ["HTS", "هيئة تحرير الشام"]}],
        }
    )
    names = desk_names(gazetteer, [record])
    paragraphs = (
        Paragraph(1, "دمشق (سوريا) – قالت وإسرائيل ولتركيا إن هيئة تحرير الشام انسحبت من سوريا.", 1),
        Paragraph(2, "הנציגים בישראל ובטורקיה דנו; the Syrian Democratic Forces and ISRAEL'S envoy met in İSRAİL.", 2),
        Paragraph(3, "Turkey'nin and israil's views, and Israel Hayom's report.", 3),
    )
    found = find_mentions(paragraphs, names, dateline_end=len("دمشق (سوريا) – "))
    assert [(m.para, m.actor, m.written) for m in found] == [
        (1, "israel", "إسرائيل"),
        (1, "turkey", "تركيا"),
        (1, "hts", "هيئة تحرير الشام"),
        (1, "syria", "سوريا"),  # the one after the dateline
        (2, "israel", "ישראל"),
        (2, "turkey", "טורקיה"),
        (2, "sdf", "Syrian Democratic Forces"),  # not "Syria" inside it
        (2, "israel", "ISRAEL'S"),
        (2, "israel", "İSRAİL"),
        (3, "turkey", "Turkey'nin"),
        (3, "israel", "israil's"),
    ]  # and never "Israel" inside the outlet "Israel Hayom"


def test_a_last_updated_line_is_never_the_publication_date(desk: Path, tmp_path: Path) -> None:
    text = "Talks resume\nLast updated: 11 March 2026 08:00 +02:00\nThe talks resumed in Geneva on Tuesday.\n"
    assert ingest(desk, write(tmp_path / "u.txt", text)).exit_code == 0
    _, data = only_draft(desk)
    assert data["source"]["published"] is None
    assert [r["kind"] for r in data["ingest"]["removed"]] == ["title", "date-stamp"]
    assert any("update time" in (f.get("note") or "") for f in data["ingest"]["fields"] if f["field"] == "published")
    printed = "Talks resume\nPublished: 10 March 2026 09:15\nThe talks resumed in Geneva on Monday.\n"
    assert ingest(desk, write(tmp_path / "p.txt", printed)).exit_code == 0
    drafts = sorted((desk / "drafts").glob("*.yaml"), key=lambda p: p.stat().st_mtime)
    second = yaml.safe_load(drafts[-1].read_text(encoding="utf-8"))
    assert second["source"]["published"] == "2026-03-10"  # the time has no offset: only its day is kept
    note = next(f["note"] for f in second["ingest"]["fields"] if f["field"] == "published")
    assert "without a UTC offset" in note


def test_text_longer_than_a_source_record_holds_is_refused(desk: Path) -> None:
    from briefgen.ingest.rawinput import InputError

    lines = [f"Paragraph {i} " + " ".join(["convoy"] * 1_300) + "." for i in range(30)]  # about 230,000 characters
    raw = ("Long report\n" + "\n".join(lines) + "\n").encode()
    with pytest.raises(InputError, match=r"its text is \d+ characters; a source record holds at most 200000"):
        make_draft(RawInput("long.txt", raw, False), Options(), desk_context(load_desk(desk), ("en",)))
