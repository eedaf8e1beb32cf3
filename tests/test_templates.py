"""Editors' templates: overrides and extension, `templates list/eject/context`, and errors that point at
the editor's line."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from conftest import DESKS, REPO, run

MakeDesk = Callable[..., Path]
EXTENDS = '{% extends "builtin/brief.html.j2" %}\n'


def build_html(desk: Path) -> str:
    result = run("build", desk, "--all", "--format", "html", "--force")
    assert result.exit_code == 0, result.output
    return (desk / "out/2025-05-22/valley.html").read_text(encoding="utf-8")


def test_a_desk_template_replaces_one_block_of_the_built_in_one(make_desk: MakeDesk) -> None:
    desk = make_desk()
    before = build_html(desk)
    (desk / "templates").mkdir()
    (desk / "templates/brief.html.j2").write_text(
        EXTENDS + '{% block actors %}<p class="house">Actors are listed in the annex.</p>{% endblock %}\n'
    )
    after = build_html(desk)
    assert '<p class="house">Actors are listed in the annex.</p>' in after
    assert 'id="h-actors"' in before and 'id="h-actors"' not in after
    assert 'id="h-bluf"' in after and 'id="h-sources"' in after  # the other blocks are the built-in ones


def test_the_stylesheet_extends_the_built_in_one(make_desk: MakeDesk) -> None:
    desk = make_desk(
        files={
            "templates/brief.css.j2": '{% extends "builtin/brief.css.j2" %}'
            "{% block variables %}{{ super() }}:root { --accent: #7a1f5c; }{% endblock %}"
        }
    )
    html = build_html(desk)
    assert ":root { --accent: #7a1f5c; }" in html and "--ink: #1b1b1b" in html


def test_templates_list_shows_where_each_template_comes_from(make_desk: MakeDesk) -> None:
    desk = make_desk(files={"templates/brief.css.j2": "h1 { color: red }", "templates/extra.html.j2": "x"})
    result = run("templates", "list", desk)
    assert result.exit_code == 0
    lines = {line.split()[0]: line for line in result.output.splitlines()}
    assert "desk (replaces the built-in)  templates/brief.css.j2" in lines["brief.css.j2"]
    assert lines["brief.html.j2"].split()[1] == "built-in"
    assert lines["sections/actors.html.j2"].split()[1] == "built-in"
    assert "desk  templates/extra.html.j2" in lines["extra.html.j2"]


def test_eject_copies_and_extend_changes_nothing_until_edited(make_desk: MakeDesk) -> None:
    desk = make_desk()
    built_in = build_html(desk)
    result = run("templates", "eject", "brief.html.j2", desk, "--extend")
    assert result.exit_code == 0, result.output
    skeleton = (desk / "templates/brief.html.j2").read_text()
    assert skeleton.startswith('{% extends "builtin/brief.html.j2" %}') and "block developments" in skeleton
    assert build_html(desk) == built_in

    assert run("templates", "eject", "sections/actors.html.j2", desk).exit_code == 0
    copied = (desk / "templates/sections/actors.html.j2").read_text()
    assert copied == (REPO / "templates/sections/actors.html.j2").read_text()
    assert build_html(desk) == built_in

    again = run("templates", "eject", "brief.html.j2", desk)
    assert again.exit_code == 2 and "exists; use --force" in again.stderr
    unknown = run("templates", "eject", "brief.htm.j2", desk)
    assert unknown.exit_code == 2 and "(did you mean 'brief.html.j2'?)" in unknown.stderr
    assert run("templates", "eject", "../../etc/passwd", desk).exit_code == 2


def test_a_misspelt_field_names_the_file_line_and_the_field_meant(make_desk: MakeDesk) -> None:
    desk = make_desk(
        files={
            "templates/brief.html.j2": EXTENDS + "{% block title_block %}\n<h1>{{ brief.titel }}</h1>\n{% endblock %}\n"
        }
    )
    result = run("build", desk, "--all", "--format", "html")
    assert result.exit_code == 3
    assert "templates/brief.html.j2:3: 'brief.titel' is undefined (did you mean 'title'?)" in result.stderr
    assert "    <h1>{{ brief.titel }}</h1>" in result.stderr
    assert "Traceback" not in result.output


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ("{% block title_block %}\n{{ brief.title }\n{% endblock %}", "templates/brief.html.j2:3: unexpected '}'"),
        (
            "{% block title_block %}{{ brief.title | markdwn }}{% endblock %}",
            "No filter named 'markdwn' (did you mean 'markdown'?)",
        ),
        ("{% block title_block %}{{ brif.title }}{% endblock %}", "'brif' is undefined (did you mean 'brief'?)"),
        (
            "{% block title_block %}{{ brief.title.__class__.__mro__ }}{% endblock %}",
            "not allowed in templates (sandbox)",
        ),
    ],
)
def test_syntax_errors_unknown_filters_and_the_sandbox(make_desk: MakeDesk, body: str, expected: str) -> None:
    desk = make_desk(files={"templates/brief.html.j2": EXTENDS + body})
    result = run("build", desk, "--all", "--format", "html")
    assert result.exit_code == 3, body
    assert expected in result.stderr, result.stderr


def test_a_template_error_in_one_edition_leaves_the_others_building(make_desk: MakeDesk) -> None:
    second = (DESKS / "minimal/briefs/edition.yaml").read_text().replace("id: valley", "id: valley-two")
    desk = make_desk(
        files={
            "briefs/second.yaml": second,
            "templates/brief.html.j2": EXTENDS
            + "{% block outlook %}{% if brief.id == 'valley-two' %}{{ brief.outlok }}{% endif %}{% endblock %}",
        }
    )
    result = run("build", desk, "--all", "--format", "html")
    assert result.exit_code == 3
    assert "'brief.outlok' is undefined (did you mean 'outlook'?)" in result.stderr
    assert (desk / "out/2025-05-22/valley.html").exists()
    assert not (desk / "out/2025-05-22/valley-two.html").exists()


@pytest.mark.pdf
def test_a_text_template_error_fails_its_edition_while_its_pdf_renders(make_desk: MakeDesk) -> None:
    """The PDF job leaves as soon as the HTML exists and the text edition is made while it renders: an error
    in the text template fails the edition all the same (its PDF dropped, nothing of it written)."""
    second = (DESKS / "minimal/briefs/edition.yaml").read_text().replace("id: valley", "id: valley-two")
    desk = make_desk(
        files={
            "briefs/second.yaml": second,
            "templates/brief.txt.j2": "{{ brief.title }}{% if brief.id == 'valley-two' %}{{ brief.outlok }}{% endif %}",
        }
    )
    result = run("build", desk, "--all", "--format", "html,pdf,txt")
    assert result.exit_code == 3, result.output
    assert "brief.txt.j2:1: 'brief.outlok' is undefined (did you mean 'outlook'?)" in result.stderr
    day = desk / "out/2025-05-22"
    assert {p.name for p in day.iterdir() if p.name.startswith("valley")} == {"valley.html", "valley.pdf", "valley.txt"}


def test_the_template_reference_is_generated_and_current() -> None:
    result = run("templates", "context")
    assert result.exit_code == 0
    assert result.output == (REPO / "docs/templates.md").read_text(encoding="utf-8"), (
        "docs/templates.md is stale: run .venv/bin/briefgen templates context > docs/templates.md"
    )
    for expected in ("| `brief` |", "## Development", "| `summary` | text |", "| `markdown` |", "## Changes"):
        assert expected in result.output


def _builtin_names() -> list[str]:
    from briefgen.render.builtin import builtin_templates_dir

    return sorted(p.relative_to(builtin_templates_dir()).as_posix() for p in builtin_templates_dir().rglob("*.j2"))


def test_the_built_in_templates_compiled_code_is_shipped_current() -> None:
    from briefgen.render.builtin import builtin_templates_dir
    from briefgen.render.compiled import COMPILED_DIR, SUFFIX, BuiltinCode, stored_name
    from briefgen.render.templates import environment

    env, cache = environment(None), BuiltinCode(builtin_templates_dir())
    stale = [name for name in _builtin_names() if not cache.is_current(env, name)]
    assert not stale, f"stale compiled templates {stale}: run .venv/bin/python scripts/compile_templates.py"
    assert {p.name for p in COMPILED_DIR.glob(f"*{SUFFIX}")} == {stored_name(n) for n in _builtin_names()}
    # No path of the machine that compiled them.
    assert not any(str(REPO).encode() in p.read_bytes() for p in COMPILED_DIR.iterdir())


def test_built_in_templates_load_without_compiling_and_desk_templates_compile(
    make_desk: MakeDesk, monkeypatch: pytest.MonkeyPatch
) -> None:
    from briefgen.render import templates

    compiled: list[str | None] = []
    real_compile = templates.BoundedSandbox.compile

    def counting(self: object, source: str, name: str | None = None, *args: object, **kwargs: object) -> object:
        compiled.append(name)
        return real_compile(self, source, name, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(templates.BoundedSandbox, "compile", counting)
    env = templates._environment.__wrapped__(None)  # a fresh environment: nothing compiled in memory yet
    for name in _builtin_names():
        env.get_template(name)
    assert compiled == []
    # A desk template named like a built-in one is compiled from its own source, never taken from the shipped code.
    desk = make_desk(files={"templates/brief.txt.j2": "mine {{ 1 + 1 }}"})
    desk_env = templates._environment.__wrapped__(desk / "templates")
    assert desk_env.get_template("brief.txt.j2").render() == "mine 2"
    assert compiled == ["brief.txt.j2"]


def test_a_stale_compiled_template_is_compiled_from_its_source(tmp_path: Path) -> None:
    import shutil

    from briefgen.render.builtin import builtin_templates_dir
    from briefgen.render.compiled import COMPILED_DIR, BuiltinCode, stored_name
    from briefgen.render.templates import ConfinedLoader, _environment

    builtin = tmp_path / "builtin"
    shutil.copytree(builtin_templates_dir(), builtin)
    shutil.copytree(COMPILED_DIR, tmp_path / "compiled")
    (builtin / "index.html.j2").write_text("edited {{ 1 + 1 }}", encoding="utf-8")
    env = _environment.__wrapped__(None).overlay(
        loader=ConfinedLoader(builtin, "builtin/"), bytecode_cache=BuiltinCode(builtin, tmp_path / "compiled")
    )
    assert env.get_template("index.html.j2").render() == "edited 2"
    # An unedited copy is served from the copied code; with its code file gone, it is compiled again.
    source = (builtin / "brief.txt.j2").read_text(encoding="utf-8")
    cache = BuiltinCode(builtin, tmp_path / "compiled")
    assert cache.get_bucket(env, "brief.txt.j2", str(builtin / "brief.txt.j2"), source).code is not None
    (tmp_path / "compiled" / stored_name("brief.txt.j2")).unlink()
    assert cache.get_bucket(env, "brief.txt.j2", str(builtin / "brief.txt.j2"), source).code is None
