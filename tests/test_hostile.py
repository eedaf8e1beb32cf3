"""Hostile and broken input, layer by layer: nothing leaks, nothing hangs, nothing is lost.

Every case starts from a desk whose editions were built (the earlier outputs), changes it, builds again
and checks: the exit code and message; that no request reached an HTTP observer on 127.0.0.1; that a
secret file outside the desk appears in no output (PDF streams decompressed); and, when the build fails,
that every earlier output is byte for byte as it was. Cases the build accepts (hostile text that must
render inert) check what the new outputs hold instead.
"""

from __future__ import annotations

import json
import os
import resource
import shutil
import signal
import subprocess
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pikepdf
import pytest
from conftest import DESKS, Observer, observing, run

pytestmark = pytest.mark.pdf
TOKEN = "SECRET-TOKEN-7f3c9a"
FORMATS = "html,pdf,json,txt"
EXTENDS = '{% extends "builtin/brief.html.j2" %}'
ALPHA_SUMMARY = "    summary: The council agreed a new ceasefire line."


@dataclass(frozen=True)
class Env:
    desk: Path
    observer: str
    secret: Path


Change = Callable[[Env], None]


@dataclass(frozen=True)
class Case:
    name: str
    change: Change
    exit_code: int
    message: str
    formats: str = FORMATS
    extra: tuple[str, ...] = ()
    inert: Callable[[Env], None] | None = None  # checks of the new outputs, for cases that build
    subprocess: bool = False  # run as a separate process (resource limits)
    limits: dict[int, int] = field(default_factory=dict)


# --- helpers that make the changes ----------------------------------------------------------------------------


def write(name: str, text: str) -> Change:
    def change(env: Env) -> None:
        path = env.desk / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text.replace("{observer}", env.observer).replace("{secret}", str(env.secret)), encoding="utf-8")

    return change


def write_bytes(name: str, data: bytes) -> Change:
    def change(env: Env) -> None:
        (env.desk / name).write_bytes(data)

    return change


def edit(name: str, old: str, new: str) -> Change:
    def change(env: Env) -> None:
        path = env.desk / name
        text = path.read_text(encoding="utf-8")
        assert old in text, f"{old!r} not in {name}"
        new_text = new.replace("{observer}", env.observer).replace("{secret}", str(env.secret))
        path.write_text(text.replace(old, new_text), encoding="utf-8")

    return change


def detail(markdown: str) -> Change:
    """Give the alpha development a Markdown detail (a JSON string is a YAML double-quoted scalar)."""
    return edit("sources/alpha.yaml", ALPHA_SUMMARY, ALPHA_SUMMARY + "\n    detail: " + json.dumps(markdown))


def template(block: str) -> Change:
    return write("templates/brief.html.j2", EXTENDS + block)


def settings(extra: str) -> Change:
    return edit("briefgen.toml", 'timezone = "UTC"', 'timezone = "UTC"\n' + extra)


def both(*changes: Change) -> Change:
    def change(env: Env) -> None:
        for one in changes:
            one(env)

    return change


def symlink(name: str, target: Callable[[Env], Path]) -> Change:
    def change(env: Env) -> None:
        path = env.desk / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.unlink(missing_ok=True)
        path.symlink_to(target(env))

    return change


def fifo(name: str) -> Change:
    def change(env: Env) -> None:
        os.mkfifo(env.desk / name)

    return change


def html_lacks(*needles: str) -> Callable[[Env], None]:
    def check(env: Env) -> None:
        html = (env.desk / "out/2025-05-22/valley.html").read_text(encoding="utf-8")
        body = html[html.index("<body") :]
        for needle in needles:
            assert needle not in body, f"{needle!r} reached the HTML"

    return check


def html_shows(text: str, *absent: str) -> Callable[[Env], None]:
    def check(env: Env) -> None:
        html = (env.desk / "out/2025-05-22/valley.html").read_text(encoding="utf-8")
        assert text in html, f"{text!r} is not shown"
        html_lacks(*absent)(env)

    return check


BILLION_LAUGHS = """source:
  id: laughs
  title: &a lol
  outlet: [*a, *a, *a, *a, *a, *a, *a, *a, *a]
"""
DEEP = "source:\n  id: deep\n  title: t\n  note: " + "[" * 40 + "]" * 40 + "\n"
ENCODED_WORD = "=?utf-8?q?Valley=0D=0ABcc:_evil@example.org?="

CASES = [
    # --- input layer -----------------------------------------------------------------------------------
    Case("record-symlink-to-secret", symlink("sources/evil.yaml", lambda e: e.secret), 1, "links outside the desk"),
    Case(
        "record-folder-symlink-out",
        symlink("sources/elsewhere", lambda e: e.secret.parent),
        1,
        "sources/elsewhere: links outside the desk (to ",
    ),
    Case("record-fifo", fifo("sources/pipe.yaml"), 1, "sources/pipe.yaml: not a regular file"),
    Case(
        "record-too-large",
        write("sources/big.yaml", "source:\n  id: big\n  title: " + "x" * 1_100_000 + "\n"),
        1,
        "the limit is 1048576 bytes ([limits] max_file_size)",
    ),
    Case(
        "record-not-utf8",
        write_bytes("sources/latin.yaml", b"source:\n  id: latin\n  title: caf\xe9\n"),
        1,
        "not valid UTF-8: byte 0xe9",
    ),
    Case("record-nul-byte", write_bytes("sources/nul.yaml", b"source:\n  id: nul\x00\n"), 1, "binary file: NUL byte"),
    Case(
        "yaml-billion-laughs",
        write("sources/laughs.yaml", BILLION_LAUGHS),
        1,
        "YAML aliases (*a) are not accepted in records",
    ),
    Case(
        "yaml-duplicate-key",
        write("sources/dup.yaml", "source:\n  id: dup\n  id: dup2\n  title: t\n"),
        1,
        "duplicate key 'id'",
    ),
    Case("yaml-deep-nesting", write("sources/deep.yaml", DEEP), 1, "nesting deeper than 32 levels"),
    Case("yaml-python-tag", write("sources/tag.yaml", "source: !!python/object:os.system\n  id: x\n"), 1, "tag"),
    Case(
        "yaml-second-document",
        write("sources/two.yaml", "source:\n  id: two\n  title: t\n---\nsource: {}\n"),
        1,
        "a record file holds one YAML document; found a second one",
    ),
    Case(
        "json-duplicate-key",
        write("sources/dup.json", '{"source": {"id": "a", "id": "b", "title": "t"}}'),
        1,
        "duplicate key 'id'",
    ),
    Case(
        "json-nan",
        write("sources/nan.json", '{"source": {"id": "n", "title": "t"}, "x": NaN}'),
        1,
        "NaN is not accepted",
    ),
    Case(
        "json-deep-nesting",
        write("sources/deep.json", '{"source": ' + "[" * 40 + "]" * 40 + "}"),
        1,
        "nesting deeper than 32 levels",
    ),
    Case(
        "control-character-in-title",
        edit("briefs/edition.yaml", "title: Valley update", 'title: "Valley\\x1b[31m update"'),
        1,
        "brief.title: control character U+001B at position 7",
    ),
    Case(
        "bidi-override-in-title",
        edit("briefs/edition.yaml", "title: Valley update", 'title: "Valley \\u202eetadpu"'),
        1,
        "brief.title: bidirectional control character U+202E (RIGHT-TO-LEFT OVERRIDE) at position 8",
    ),
    Case("newline-in-id", edit("sources/alpha.yaml", "id: alpha-report", 'id: "alpha\\nreport"'), 1, "source.id"),
    Case("path-traversal-id", edit("briefs/edition.yaml", "id: valley", "id: ../../etc/valley"), 1, "brief.id"),
    Case(
        "title-too-long",
        edit("briefs/edition.yaml", "title: Valley update", "title: " + "v" * 600),
        1,
        "brief.title: String should have at most",
    ),
    Case(
        "too-many-bluf-bullets",
        edit("briefs/edition.yaml", "  lists: [analysts]", "    - more\n" * 8 + "  lists: [analysts]"),
        1,
        "brief.bluf",
    ),
    # --- Markdown layer: shown as text, warned about, never live ---------------------------------------------
    Case(
        "markdown-script",
        detail("<script>alert(1)</script>"),
        0,
        "raw HTML '<script>' is shown as literal text",
        inert=html_shows("&lt;script&gt;alert(1)&lt;/script&gt;", "<script"),
    ),
    Case(
        "markdown-img-to-observer",
        detail("<img src={observer}/pixel.png>"),
        0,
        "raw HTML '<img src=",
        inert=html_lacks("<img"),
    ),
    Case(
        "markdown-javascript-link",
        detail("[click](javascript:alert(1))"),
        0,
        "a link to 'javascript:alert(1)'",
        inert=html_lacks('href="javascript'),
    ),
    Case("markdown-image", detail("![pixel]({observer}/pixel.png)"), 0, "an image (", inert=html_lacks("<img")),
    Case(
        "markdown-file-link",
        detail("[passwd](file:///etc/passwd)"),
        0,
        "a link to 'file:///etc/passwd'",
        inert=html_lacks('href="file:'),
    ),
    Case(
        "markdown-data-link",
        detail("[x](data:text/html;base64,PHNjcmlwdD4=)"),
        0,
        "a link to 'data:text/html",
        inert=html_lacks('href="data:'),
    ),
    Case(
        "markdown-reference-link",
        detail("[x][evil]\n\n[evil]: javascript:alert(1)"),
        0,
        "a link to 'javascript:alert(1)'",
        inert=html_lacks('href="javascript'),
    ),
    Case(
        "markdown-autolink",
        detail("<javascript:alert(1)>"),
        0,
        "a link to 'javascript:alert(1)'",
        inert=html_lacks('href="javascript'),
    ),
    Case(
        "record-text-is-not-a-template",
        detail("{{ 7*7 }} {% include 'brief.css.j2' %}"),
        0,
        "built",
        inert=html_shows("{{ 7*7 }} {% include", "49"),
    ),
    Case("markdown-strict", detail("<b>bold</b>"), 1, "raw HTML '<b>' is shown as literal text", extra=("--strict",)),
    # --- template layer -------------------------------------------------------------------------------------
    Case(
        "template-include-absolute",
        template("{% block outlook %}{% include '/etc/passwd' %}{% endblock %}"),
        3,
        "template '/etc/passwd' not found",
    ),
    Case(
        "template-include-parent",
        template("{% block outlook %}{% include '../../secret.txt' %}{% endblock %}"),
        3,
        "not found",
    ),
    Case(
        "template-sandbox-escape",
        template("{% block outlook %}{{ ''.__class__.__mro__[1].__subclasses__() }}{% endblock %}"),
        3,
        "not allowed in templates (sandbox)",
    ),
    Case(
        "template-huge-string",
        template("{% block outlook %}{{ 'x' * 1000000000 }}{% endblock %}"),
        3,
        "repeating a sequence would make 1,000,000,000 characters; the limit is 1,000,000",
    ),
    Case(
        "template-huge-power",
        template("{% block outlook %}{% set n = 10 %}{{ n ** 100000000 }}{% endblock %}"),
        3,
        "digits; that is too large",
    ),
    Case(
        "template-huge-range",
        template("{% block outlook %}{% for i in range(100000000) %}x{% endfor %}{% endblock %}"),
        3,
        "Range too big",
    ),
    Case(
        "template-recursion",
        template("{% macro r(n) %}{{ r(n) }}{% endmacro %}{% block outlook %}{{ r(1) }}{% endblock %}"),
        3,
        "recursion",
    ),
    Case(
        "template-no-settings-or-lists",
        template("{% block outlook %}{{ settings.mail }}{% endblock %}"),
        3,
        "'settings' is undefined",
    ),
    Case(
        "template-name-from-record",
        edit("briefs/edition.yaml", "  lists: [analysts]", "  lists: [analysts]\n  template: ../../x"),
        1,
        "brief.template",
    ),
    Case(
        "template-unknown-name",
        edit("briefs/edition.yaml", "  lists: [analysts]", "  lists: [analysts]\n  template: nosuch"),
        3,
        "template 'nosuch.html.j2' not found",
    ),
    # --- render layer -----------------------------------------------------------------------------------------
    Case(
        "css-import-from-network",
        template("{% block stylesheet %}@import url({observer}/x.css);{{ super() }}{% endblock %}"),
        4,
        "the templates wrote a <style> element that loads '{observer}/x.css'",
    ),
    Case(
        "img-from-network",
        template('{% block outlook %}<img src="{observer}/p.png" alt="">{% endblock %}'),
        4,
        "the templates wrote <img src=...> that loads '{observer}/p.png'",
    ),
    Case(
        "img-from-local-file",
        template('{% block outlook %}<img src="file://{secret}" alt="">{% endblock %}'),
        4,
        "<img src=...> that loads 'file://{secret}'",
    ),
    # The HTML edition runs nothing and loads nothing from a host (a reader's browser opens it, the mail body is it).
    Case(
        "script-element",
        template('{% block outlook %}<script>fetch("{observer}/js")</script>{% endblock %}'),
        4,
        "the templates wrote a <script> element. An HTML edition runs no script and loads nothing from any host",
    ),
    Case(
        "event-handler-attribute",
        template('{% block outlook %}<p onmouseover="alert(1)">x</p>{% endblock %}'),
        4,
        "an event handler (onmouseover=) on <p>",
    ),
    Case(
        "style-attribute-from-network",
        template("{% block outlook %}<div style=\"background: url('{observer}/bg.png')\">x</div>{% endblock %}"),
        4,
        "a style attribute on <div> that loads '{observer}/bg.png'",
    ),
    Case(
        "stylesheet-background-from-network",
        write(
            "templates/brief.css.j2",
            '{% extends "builtin/brief.css.j2" %}{% block variables %}{{ super() }}'
            'body { background-image: image-set("//127.0.0.1:9/pixel.png" 1x) }{% endblock %}',
        ),
        4,
        "a <style> element that loads '//127.0.0.1:9/pixel.png'",
    ),
    Case(
        "srcset-and-link-from-network",
        template(
            '{% block outlook %}<picture><source srcset="a.png 1x, {observer}/b.png 2x"></picture>'
            '<link rel="stylesheet" href="{observer}/s.css">{% endblock %}'
        ),
        4,
        "<source srcset=...> that loads '{observer}/b.png'; <link href=...> that loads '{observer}/s.css'",
    ),
    Case(
        "meta-refresh",
        template('{% block outlook %}<meta http-equiv="Refresh" content="0; url={observer}/">{% endblock %}'),
        4,
        '<meta http-equiv="refresh">',
    ),
    Case(
        "relative-path-out-of-templates",
        template('{% block stylesheet %}@import "../../../secret.txt";{{ super() }}{% endblock %}'),
        4,
        "outside the built-in templates and the desk's templates/ folder",
    ),
    Case(
        "symlinked-asset",
        both(
            symlink("templates/extra.css", lambda e: e.secret),
            template('{% block stylesheet %}@import "extra.css";{{ super() }}{% endblock %}'),
        ),
        4,
        "outside the built-in templates",
    ),
    Case(
        "data-svg-with-nested-reference",
        template(
            '{% block outlook %}<img alt="" src="data:image/svg+xml,<svg xmlns=\'http://www.w3.org/2000/svg\'>'
            "<image href='{observer}/n.png'/></svg>\">{% endblock %}"
        ),
        4,
        "refused to read data:",
    ),
    Case(
        "css-data-font",
        template(
            "{% block stylesheet %}@font-face { font-family: x; src: url(data:font/woff2;base64,AAAA) }"
            "{{ super() }}{% endblock %}"
        ),
        4,
        "refused to read data:",
    ),
    Case(
        "javascript-link",  # refused in the HTML, before the PDF's own check of its links
        template('{% block outlook %}<a href=" javascript:alert(1)">x</a>{% endblock %}'),
        4,
        "a script URL in <a href=>",
    ),
    Case(
        "file-attachment-in-pdf",
        both(
            write("templates/notes.txt", "notes"),
            template('{% block outlook %}<a rel="attachment" href="notes.txt">n</a>{% endblock %}'),
        ),
        5,
        "the PDF was not published: page 1: a /FileAttachment annotation",
    ),
    Case(
        "render-time-budget",
        both(
            settings("\n[limits]\nrender_seconds = 3\n"),
            template(
                "{% block outlook %}{% for i in range(60000) %}<p>paragraph {{ i }}</p>{% endfor %}{% endblock %}"
            ),
        ),
        5,
        "exceeded its time budget of 3 s",
    ),
    # --- output layer -----------------------------------------------------------------------------------------
    Case("out-is-a-file", write("out2", "not a folder"), 2, "is a file", extra=("--out", "{desk}/out2")),
    Case(
        "disk-full",
        edit("sources/alpha.yaml", "Alpha report", "Alpha report, revised"),
        6,
        "cannot write",
        subprocess=True,
        limits={resource.RLIMIT_FSIZE: 200},
    ),
    # --- briefgen's own features (the second attack run) ----------------------------------------------------
    Case(
        "template-symlink-to-secret",
        symlink("templates/brief.html.j2", lambda e: e.secret),
        3,
        "templates/brief.html.j2 links outside the template folder",
    ),
    Case(
        "template-includes-a-symlink-out",
        both(
            template("{% block outlook %}{% include 'leak.txt.j2' %}{% endblock %}"),
            symlink("templates/leak.txt.j2", lambda e: Path("/proc/self/environ")),
        ),
        3,
        "templates/brief.html.j2:1: templates/leak.txt.j2 links outside the template folder",
    ),
    Case(
        "template-fifo",
        both(lambda e: (e.desk / "templates").mkdir(exist_ok=True), fifo("templates/brief.html.j2")),
        3,
        "templates/brief.html.j2 is not a regular file",
    ),
    Case(
        "template-include-not-found-names-the-includer",
        template("{% block outlook %}{% include '../secret.txt' %}{% endblock %}"),
        3,
        "templates/brief.html.j2:1: template '../secret.txt' not found",
    ),
    Case(
        "template-nested-loops-budget",
        both(
            settings("\n[limits]\nrender_seconds = 2\n"),
            template(
                "{% block outlook %}{% for i in range(100000) %}{% for j in range(100000) %}"
                "{% endfor %}{% endfor %}{% endblock %}"
            ),
        ),
        3,
        "took longer than its budget of 2 s ([limits] render_seconds)",
    ),
    Case(
        "template-power-tower",
        template("{% block outlook %}{{ ((9**999)**999)**999 }}{% endblock %}"),
        3,
        "digits; that is too large",
    ),
    Case(
        "template-ljust-by-result-size",
        template("{% block outlook %}{{ 'x'.ljust(3000000000) }}{% endblock %}"),
        3,
        "str.ljust would make 3,000,000,000 characters",
    ),
    Case(
        "template-center-filter",
        template("{% block outlook %}{{ 'x'|center(3000000000) }}{% endblock %}"),
        3,
        "the center filter would make",
    ),
    Case(
        "template-format-filter-width",
        template("{% block outlook %}{{ '%3000000000d'|format(1) }}{% endblock %}"),
        3,
        "the format filter would make",
    ),
    Case(
        "template-str-format-width",
        template("{% block outlook %}{{ '{:>3000000000}'.format(1) }}{% endblock %}"),
        3,
        "str.format would make",
    ),
    Case(
        "template-replace-growth",
        template("{% block outlook %}{{ ('x' * 100000)|replace('x', 'y' * 100000) }}{% endblock %}"),
        3,
        "the replace filter would make",
    ),
    Case(
        "renderer-exception-fails-its-edition",
        write(
            "templates/brief.css.j2",
            '{% extends "builtin/brief.css.j2" %}{% block print %}{{ super() }} h1 { font-size: 1e8px }{% endblock %}',
        ),
        5,
        "the PDF could not be rendered",
    ),
    Case(
        "citation-heavy-text",
        edit(
            "sources/alpha.yaml",
            "actors:\n",
            "".join(
                f"  - id: heavy-{n}\n    summary: Heavily cited.\n    detail: {json.dumps(' '.join(['[@alpha-report]'] * 1200))}\n"
                for n in range(5)
            )
            + "actors:\n",
        ),
        1,
        "citation calls; the limit is 5,000 ([limits] max_citations)",
    ),
    Case(
        "settings-fifo",
        both(lambda e: (e.desk / "briefgen.toml").unlink(), fifo("briefgen.toml")),
        1,
        "briefgen.toml: not a regular file",
    ),
    Case(
        "settings-dev-zero",
        symlink("briefgen.toml", lambda e: Path("/dev/zero")),
        1,
        "briefgen.toml links outside the desk",
    ),
    Case(
        "settings-errors-write-nothing",
        settings("\n[limits]\nrender_seconds = 0\n"),
        1,
        "briefgen.toml:6: limits.render_seconds: Input should be greater than or equal to 1; got int 0",
    ),
    Case(
        "out-setting-leaves-the-desk",
        settings('\n[build]\nout = "../elsewhere"\n'),
        1,
        "'../elsewhere' leaves the desk",
    ),
    Case(
        "year-one",
        edit("sources/alpha.yaml", "published: 2025-05-21", "published: 0001-01-01"),
        1,
        "sources/alpha.yaml:7: source.published: the year 1 is outside the years briefgen accepts (1000-2999)",
    ),
    Case(
        "year-9999",
        edit("briefs/edition.yaml", "issued: 2025-05-22T06:00:00+00:00", "issued: 9999-12-31T23:59:59-05:00"),
        1,
        "brief.issued: the year 9999 is outside the years briefgen accepts",
    ),
    Case(
        "number-where-text-is-expected",
        edit("sources/alpha.yaml", "title: Alpha report", "title: 1.10"),
        0,
        "1 built",
        inert=html_shows("1.10"),
    ),
    Case(
        "corrupt-previous-edition",
        lambda e: (e.desk / "out/2025-05-21").mkdir() or (e.desk / "out/2025-05-21/valley.json").write_text('{"id": '),
        0,
        "the previous edition cannot be read",
        inert=html_shows("could not be read: changes since it are not shown"),
    ),
    # --- mail layer -------------------------------------------------------------------------------------------
    Case(
        "encoded-word-in-subject",
        both(
            settings('\n[mail]\nfrom = "Desk <desk@example.org>"\n'),
            edit("briefs/edition.yaml", "title: Valley update", f'title: "{ENCODED_WORD}"'),
        ),
        1,
        "brief.title: contains an RFC 2047 encoded word",
        formats="pdf,eml",
    ),
    Case(
        "crlf-in-list-name",
        edit("lists/analysts.yaml", "name: Analysts", 'name: "Analysts\\r\\nBcc: evil@example.org"'),
        1,
        "lists/analysts.yaml:2: name: line break U+000D",
    ),
    Case(
        "member-outside-allowed-domains",
        edit("lists/analysts.yaml", "clearance: TLP:AMBER", "clearance: TLP:AMBER\nallowed_domains: [example.com]"),
        1,
        "reader@example.org is outside the allowed domains",
    ),
    Case(
        "invalid-member-address",
        edit("lists/analysts.yaml", "reader@example.org", "reader@@example.org"),
        1,
        "members[0].email",
    ),
]


# --- the harness -----------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def observer() -> Iterator[Observer]:
    with observing() as watching:
        yield watching


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The minimal desk with its edition built once: every case starts from a copy."""
    desk = tmp_path_factory.mktemp("built") / "desk"
    shutil.copytree(DESKS / "minimal", desk)
    result = run("build", desk, "--all", "--format", FORMATS, "--jobs", "1")
    assert result.exit_code == 0, result.output
    return desk


def outputs(out: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(out)): p.read_bytes()
        for p in sorted(out.rglob("*"))
        if p.is_file() and not p.is_symlink() and p.name != ".briefgen.lock"
    }


def everything_written(out: Path) -> bytes:
    """All output bytes, with every PDF stream and attachment decompressed."""
    chunks = []
    for path, data in outputs(out).items():
        chunks.append(data)
        if path.endswith(".pdf"):
            with pikepdf.open(out / path) as pdf:
                chunks += [obj.read_bytes() for obj in pdf.objects if isinstance(obj, pikepdf.Stream)]
    return b"\n".join(chunks)


def _run_limited(desk: Path, args: list[str], limits: dict[int, int]) -> tuple[int, str]:
    def limit() -> None:
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # a write past the limit fails with EFBIG instead
        for kind, value in limits.items():
            resource.setrlimit(kind, (value, value))

    process = subprocess.run(
        [sys.executable, "-m", "briefgen", "build", str(desk), *args],
        capture_output=True,
        text=True,
        preexec_fn=limit,
        timeout=120,
    )
    return process.returncode, process.stdout + process.stderr


@pytest.mark.parametrize("case", CASES, ids=[case.name for case in CASES])
def test_hostile_input(case: Case, built: Path, observer: Observer, tmp_path: Path) -> None:
    desk = tmp_path / "desk"
    shutil.copytree(built, desk, symlinks=True)
    secret = tmp_path / "secret.txt"
    secret.write_text(f"body::before {{ content: '{TOKEN}' }}\n{TOKEN}\n")
    env = Env(desk, observer.url, secret)
    before = outputs(desk / "out")
    case.change(env)
    observer.requests.clear()

    extra = [arg.replace("{desk}", str(desk)) for arg in case.extra]
    args = ["--all", "--format", case.formats, "--jobs", "1", "--force", *extra]
    if case.subprocess:
        exit_code, output = _run_limited(desk, args, case.limits)
    else:
        result = run("build", desk, *args)
        exit_code, output = result.exit_code, result.output
    expected = case.message.replace("{observer}", observer.url).replace("{secret}", str(secret))
    assert exit_code == case.exit_code, output
    assert expected in output, output
    assert "Traceback" not in output
    assert observer.requests == [], "a request reached the observer"
    assert TOKEN.encode() not in everything_written(desk / "out"), "the secret reached an output"
    assert TOKEN in secret.read_text(), "a file outside the desk changed"
    assert not (tmp_path / "elsewhere").exists(), "something was written outside the desk"
    if case.exit_code == 0:
        assert case.inert is not None
        case.inert(env)
    else:
        after = outputs(desk / "out")
        assert {k: v for k, v in after.items() if not k.endswith(".tmp")} == before, "an earlier output changed"


def test_there_are_at_least_forty_cases() -> None:
    assert len(CASES) >= 40


def test_a_symlink_at_an_output_path_is_replaced_not_written_through(built: Path, tmp_path: Path) -> None:
    desk = tmp_path / "desk"
    shutil.copytree(built, desk, symlinks=True)
    victim = tmp_path / "victim.txt"
    victim.write_text("do not touch")
    target = desk / "out/2025-05-22/valley.html"
    target.unlink()
    target.symlink_to(victim)
    result = run("build", desk, "--all", "--format", "html", "--force", "--jobs", "1")
    assert result.exit_code == 0, result.output
    assert victim.read_text() == "do not touch"
    assert not target.is_symlink() and "<!DOCTYPE html>" in target.read_text()


@pytest.mark.parametrize(
    ("name", "exit_code", "message"),
    [
        (".briefgen.lock", 6, "out/.briefgen.lock: is a symbolic link"),
        ("2025-05-22", 6, "out/2025-05-22: is a symbolic link"),
        ("index.html", 0, "1 built"),
        ("2025-05-22/.valley.edition.json", 0, "1 built"),
        ("2025-05-22/valley.pdf", 0, "1 built"),
        ("2025-05-21/valley.json", 0, "the previous edition cannot be read (is a symbolic link"),
    ],
)
def test_no_write_or_read_follows_a_symlink_in_out(
    built: Path, tmp_path: Path, name: str, exit_code: int, message: str
) -> None:
    desk = tmp_path / "desk"
    shutil.copytree(built, desk, symlinks=True)
    victim_dir = tmp_path / "victim-dir"
    victim_dir.mkdir()
    victim = tmp_path / "victim.txt"
    victim.write_text(f"{TOKEN}\n")
    link = desk / "out" / name
    link.parent.mkdir(parents=True, exist_ok=True)
    if link.is_dir() and not link.is_symlink():
        shutil.rmtree(link)
    link.unlink(missing_ok=True)
    link.symlink_to(victim_dir if "." not in name else victim)
    before = outputs(desk / "out")
    result = run("build", desk, "--all", "--format", FORMATS, "--force", "--jobs", "1")
    assert result.exit_code == exit_code, result.output
    assert message in result.output
    assert "Traceback" not in result.output
    assert victim.read_text() == f"{TOKEN}\n" and list(victim_dir.iterdir()) == []
    assert TOKEN.encode() not in everything_written(desk / "out")
    if exit_code:
        assert outputs(desk / "out") == before


def test_a_full_disk_between_two_outputs_keeps_the_whole_earlier_edition(built: Path, tmp_path: Path) -> None:
    """The HTML fits under the file-size limit, the PDF does not: nothing of the new edition is kept."""
    desk = tmp_path / "desk"
    shutil.copytree(built, desk, symlinks=True)
    edition = desk / "out/2025-05-22"
    small = max((edition / f"valley.{ext}").stat().st_size for ext in ("html", "json", "txt"))
    pdf = (edition / "valley.pdf").stat().st_size
    assert small + 4096 < pdf
    edit("sources/alpha.yaml", "Alpha report", "Alpha report, revised")(Env(desk, "", tmp_path / "none"))
    before = outputs(desk / "out")
    exit_code, output = _run_limited(
        desk, ["--all", "--format", FORMATS, "--jobs", "1"], {resource.RLIMIT_FSIZE: small + 4096}
    )
    assert exit_code == 6, output
    assert "cannot write" in output and "Traceback" not in output
    after = {k: v for k, v in outputs(desk / "out").items() if not k.endswith(".tmp")}
    assert after == before, "the new HTML must not stand beside the old PDF"
    assert not list(edition.glob(".*.tmp"))


def test_a_build_that_builds_nothing_still_lists_every_desk_error(built: Path, tmp_path: Path) -> None:
    desk = tmp_path / "desk"
    shutil.copytree(built, desk, symlinks=True)
    (desk / "sources/broken.yaml").write_text("source: {id: broken, title: [a list]}\n")
    validated = run("validate", desk)
    result = run("build", desk, "--date", "2030-01-01", "--format", "html")
    # No edition is dated so: a usage error (issue 16), and the desk's errors are listed all the same.
    assert result.exit_code == 2
    assert "--date 2030-01-01: no edition is dated so" in result.stderr
    for line in validated.stdout.splitlines():
        if ": warning:" not in line:
            assert line in result.stderr
    assert "sources/broken.yaml:1: source.title: expected text" in result.stderr


def test_an_archive_page_that_would_run_a_script_is_not_written(
    built: Path, observer: Observer, tmp_path: Path
) -> None:
    desk = tmp_path / "desk"
    shutil.copytree(built, desk, symlinks=True)
    index = (desk / "out/index.html").read_bytes()
    (desk / "templates").mkdir(exist_ok=True)
    (desk / "templates/index.html.j2").write_text(
        f"<!doctype html><title>x</title><body onload=\"fetch('{observer.url}')\">", encoding="utf-8"
    )
    observer.requests.clear()
    result = run("build", desk, "--all", "--format", "html", "--jobs", "1")
    assert result.exit_code == 4, result.output
    assert (
        "the archive page (out/index.html): the templates wrote an event handler (onload=) on <body>" in result.output
    )
    assert (desk / "out/index.html").read_bytes() == index and observer.requests == []


def test_what_counts_as_active_content() -> None:
    from briefgen.render.inert import active_content

    inert = (
        '<a href="https://example.org/report">a report</a> <a href="#n1">1</a> <a href="mailto:desk@example.org">m</a>'
        '<img src="logo.png" alt=""> <img src="data:image/png;base64,AAAA" alt="">'
        "<style>@font-face { src: url(fonts/noto.woff2) } .x { background: url('data:image/gif;base64,R0') }</style>"
        '<p style="color: red">text about https://example.org and javascript: in prose</p>'
    )
    assert active_content(inert) == []
    found = active_content(
        "<SCRIPT>1</SCRIPT>"
        '<a href="jav&#x09;ascript:alert(1)">x</a>'
        "<style>@import '//cdn.example/x.css'; .y { background: URL( \"HTTPS://t.example/p\" ) }</style>"
        '<svg><image xlink:href="http://t.example/i.svg"/></svg>'
        '<form action="https://t.example/f"></form><a href="https://example.org" ping="https://t.example/p">l</a>'
    )
    assert found == [
        "a <script> element",
        "a script URL in <a href=>",
        "a <style> element that loads '//cdn.example/x.css'",
        "a <style> element that loads 'HTTPS://t.example/p'",
        "<image xlink:href=...> that loads 'http://t.example/i.svg'",
        "<form action=...> that loads 'https://t.example/f'",
        "a ping= on <a>",
    ]
