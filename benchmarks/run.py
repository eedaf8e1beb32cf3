"""briefgen's benchmarks: everything measured side by side in one run, reported as medians and ratios.

    .venv/bin/python benchmarks/run.py            # full run, writes benchmarks/RESULTS.md
    .venv/bin/python benchmarks/run.py --quick    # smaller desks, fewer repeats: checks that it all runs

It generates its own deterministic desks (benchmarks/desks.py) and measures, in this order: the sample
desk against the floor (a bare WeasyPrint render of the same HTML in this process, and the whole
`weasyprint` command), briefgen's stages, `briefgen validate`, scaling from 3 to 50 pages with peak memory,
the 100-edition desk with --jobs 1 and 2 and a no-op rebuild, and PDF sizes. Targets are checked and
reported as met or not met; nothing here fails on a timing.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
SAMPLE = REPO / "samples" / "levant-desk"
SAMPLE_DATE = "2025-05-22"
BIN = Path(sys.executable).parent
sys.path.insert(0, str(HERE))

from desks import write_desk  # noqa: E402


@dataclass(frozen=True)
class Stats:
    times: tuple[float, ...]

    @property
    def median(self) -> float:
        return statistics.median(self.times)

    def row(self, name: str, note: str = "") -> str:
        spread = f"{min(self.times) * 1000:.0f}–{max(self.times) * 1000:.0f}"
        return f"| {name} | {self.median * 1000:.0f} ms | {spread} ms | {len(self.times)} | {note} |"


@dataclass(frozen=True)
class Run:
    seconds: float
    max_rss_kib: int
    cpu_seconds: float
    output: str


def command(args: Sequence[str | Path], *, check: bool = True) -> Run:
    """Run a whole command; its wall time, peak memory and CPU time come from the kernel (wait4)."""
    started = time.perf_counter()
    process = subprocess.Popen(
        [str(a) for a in args],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        env={**os.environ, "CI": "1"},
    )
    assert process.stdout is not None
    output = process.stdout.read().decode("utf-8", "replace")
    _, status, usage = os.wait4(process.pid, 0)
    seconds = time.perf_counter() - started
    process.returncode = os.waitstatus_to_exitcode(status)
    if check and process.returncode != 0:
        raise SystemExit(f"benchmark command failed ({process.returncode}): {' '.join(map(str, args))}\n{output}")
    return Run(seconds, usage.ru_maxrss, usage.ru_utime + usage.ru_stime, output)


def repeat(fn: Callable[[], object], times: int) -> Stats:
    results = []
    for _ in range(times):
        started = time.perf_counter()
        fn()
        results.append(time.perf_counter() - started)
    return Stats(tuple(results))


def repeat_commands(args: Sequence[str | Path], times: int) -> tuple[Stats, list[Run]]:
    runs = [command(args) for _ in range(times)]
    return Stats(tuple(r.seconds for r in runs)), runs


def interleaved_commands(commands: Sequence[Sequence[str | Path]], times: int) -> list[Stats]:
    """Run whole commands in rotation (A, B, C, A, B, C...), so that drift in the machine's speed hits all alike."""
    seconds: list[list[float]] = [[] for _ in commands]
    for _ in range(times):
        for index, args in enumerate(commands):
            seconds[index].append(command(args).seconds)
    return [Stats(tuple(s)) for s in seconds]


def interleaved(a: Callable[[], object], b: Callable[[], object], times: int) -> tuple[Stats, Stats]:
    """Time two functions in alternation, so that drift in the machine's speed hits both alike."""
    ta, tb = [], []
    for _ in range(times):
        for fn, into in ((a, ta), (b, tb)):
            started = time.perf_counter()
            fn()
            into.append(time.perf_counter() - started)
    return Stats(tuple(ta)), Stats(tuple(tb))


def pdf_pages(path: Path) -> int:
    import pypdf

    return len(pypdf.PdfReader(path).pages)


def machine() -> list[str]:
    import weasyprint

    from briefgen import __version__
    from briefgen.pdf.fonts import harfbuzz_subset_missing

    cpu = "unknown CPU"
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.exists():
        for line in cpuinfo.read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    return [
        f"- Date: {dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC",
        f"- Machine: {platform.platform()}, {cpu}, {cores} cores available, load average "
        f"{os.getloadavg()[0]:.2f} at the start",
        f"- Python {platform.python_version()}, briefgen {__version__}, WeasyPrint {weasyprint.__version__}",
        f"- Fast font subsetting (libharfbuzz-subset): {'missing' if harfbuzz_subset_missing() else 'installed'}",
    ]


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small desks, one or two repeats: checks it all runs")
    parser.add_argument(
        "--output",
        type=Path,
        help="where to write the report (default: benchmarks/RESULTS.md; --quick writes none unless given)",
    )
    options = parser.parse_args(argv)
    quick = options.quick
    reps = 2 if quick else 7
    output = options.output or (None if quick else HERE / "RESULTS.md")
    briefgen = BIN / "briefgen"
    weasyprint_cmd = BIN / "weasyprint"

    work = Path(tempfile.mkdtemp(prefix="briefgen-bench-"))
    rows: list[str] = []
    targets: list[tuple[str, str, bool]] = []
    notes: list[str] = []
    print(f"benchmarks in {work} ({'quick' if quick else 'full'} run)", file=sys.stderr)

    # --- the sample desk against the floor -------------------------------------------------------------
    sample = work / "sample"
    shutil.copytree(SAMPLE, sample, ignore=shutil.ignore_patterns("out"))
    build_sample = [
        briefgen,
        "build",
        sample,
        "--date",
        SAMPLE_DATE,
        "--format",
        "html,pdf,json",
        "--force",
    ]
    command(build_sample)  # warm the disk cache and write final.html
    final_html = sample / "out" / SAMPLE_DATE / "syria-deconfliction.html"
    floor_pdf = work / "floor.pdf"
    build_stats, serial_stats, floor_stats, floor_ua_stats, validate_stats = interleaved_commands(
        [
            build_sample,
            [*build_sample, "--jobs", "1"],
            [weasyprint_cmd, final_html, floor_pdf],
            [weasyprint_cmd, "--pdf-variant", "pdf/ua-1", final_html, work / "ua.pdf"],
            [briefgen, "validate", sample],
        ],
        reps,
    )
    ratio_build = build_stats.median / floor_stats.median
    rows += [
        "| **Sample desk** (4-page brief) | | | | |",
        floor_stats.row("`weasyprint final.html out.pdf` (whole command, the floor)", "1.00"),
        floor_ua_stats.row(
            "`weasyprint --pdf-variant pdf/ua-1 final.html out.pdf`",
            f"{floor_ua_stats.median / floor_stats.median:.2f}",
        ),
        build_stats.row(
            "`briefgen build --format html,pdf,json` (whole command, PDF/UA-1; the PDF worker starts at once)",
            f"{ratio_build:.2f} x floor",
        ),
        serial_stats.row(
            "the same with `--jobs 1` (one PDF worker)",
            f"{serial_stats.median / floor_stats.median:.2f} x floor",
        ),
        validate_stats.row(
            "`briefgen validate` (whole command)", f"{validate_stats.median / floor_stats.median:.2f} x floor"
        ),
    ]
    targets.append(
        (
            "whole `briefgen build` of the sample ≤ 1.10 x whole `weasyprint` command",
            f"{ratio_build:.2f} x",
            ratio_build <= 1.10,
        )
    )
    targets.append(
        (
            "`briefgen validate` of the sample < 0.4 s (whole command)",
            f"{validate_stats.median:.2f} s",
            validate_stats.median < 0.4,
        )
    )

    # --- stages, in this process ---------------------------------------------------------------------------
    probe = command([sys.executable, "-c", "import sys, briefgen.cli; print('weasyprint' in sys.modules)"])
    notes.append(f"`briefgen validate`/CLI import WeasyPrint: {probe.output.strip()}")
    import weasyprint

    from briefgen.build.pipeline import EditionInputs, pdf_job, render_edition
    from briefgen.compose.compose import compose
    from briefgen.compose.validate import validate_desk
    from briefgen.desk.loader import load_desk
    from briefgen.pdf.render import render_pdf

    desk = load_desk(sample)
    edition = next(e for e in desk.briefs if e.record.brief.id == "syria-deconfliction")
    composed = compose(desk, edition).brief
    assert composed is not None
    inputs = EditionInputs(composed, None, desk.layout.templates, desk.settings, text=False)
    rendered = render_edition(inputs)
    load_stats = repeat(lambda: validate_desk(load_desk(sample)), reps * 3)
    compose_stats = repeat(lambda: compose(desk, edition), reps * 3)
    html_stats = repeat(lambda: render_edition(inputs), reps * 3)
    html = rendered.html
    job = pdf_job(rendered, desk.settings, desk.layout.templates)

    def ours() -> None:
        render_pdf(job)

    def bare() -> None:
        weasyprint.HTML(string=html).write_pdf()

    ours()
    bare()  # first renders pay for imports and font set-up; what is compared is each brief after the first
    bare_stats, ours_stats = interleaved(bare, ours, reps + 2)
    warm_ratio = ours_stats.median / bare_stats.median
    records_to_html = load_stats.median + html_stats.median
    html_share = records_to_html / ours_stats.median
    rows += [
        "| **Stages in one process** (sample) | | | | |",
        load_stats.row("load + validate (every edition composed)"),
        compose_stats.row("compose (the edition)"),
        html_stats.row("edition pipeline: HTML and JSON (Jinja + Markdown)"),
        bare_stats.row("bare `weasyprint.HTML(string=html).write_pdf()`, warm", "1.00"),
        ours_stats.row("briefgen PDF render, warm (PDF/UA-1, shared fonts)", f"{warm_ratio:.2f} x bare"),
        f"| records to HTML (load + validate + render) | {records_to_html * 1000:.0f} ms | | | "
        f"{html_share * 100:.1f} % of the warm PDF render |",
    ]
    targets.append(
        ("warm PDF render ≤ 0.95 x bare `write_pdf()` of the same HTML", f"{warm_ratio:.2f} x", warm_ratio <= 0.95)
    )
    targets.append(("records to HTML ≤ 5 % of the warm PDF render", f"{html_share * 100:.1f} %", html_share <= 0.05))

    # --- preview: re-render after a template change ---------------------------------------------------------
    import datetime as _dt

    from briefgen.preview import Preview

    edited = work / "preview"
    shutil.copytree(SAMPLE, edited, ignore=shutil.ignore_patterns("out"))
    (edited / "templates").mkdir()
    template = edited / "templates" / "brief.html.j2"
    preview = Preview(edited)
    day = _dt.date.fromisoformat(SAMPLE_DATE)
    counter = iter(range(10_000))

    def edit_and_render() -> None:
        template.write_text(
            '{% extends "builtin/brief.html.j2" %}{% block outlook %}{{ super() }}'
            f"<!-- edit {next(counter)} -->{{% endblock %}}",
            encoding="utf-8",
        )
        preview.edition_html("syria-deconfliction", day)

    edit_and_render()
    preview_stats = repeat(edit_and_render, reps * 3)
    rows.append(
        preview_stats.row(
            "preview: save a desk template, then render the sample's HTML again (in the preview process)",
            "load + validate + compose + recompile + render",
        )
    )
    targets.append(
        (
            "preview re-render after a template change < 200 ms",
            f"{preview_stats.median * 1000:.0f} ms",
            preview_stats.median < 0.2,
        )
    )

    # --- peer -------------------------------------------------------------------------------------------
    notes.append(
        "PDF size per page: WeasyPrint's PDF/UA-1 tagging makes one structure element per text box (a line "
        "of a paragraph, each inline element), about 3 KiB a page here; the content streams position every "
        "glyph (about 4 KiB a page compressed). briefgen keeps inline elements few (facts line, <bdi> only "
        "where needed, no back-links in print) but cannot change how WeasyPrint tags or positions text."
    )
    if shutil.which("pandoc"):
        # The same content as Markdown: the text edition (paragraphs, "- " lists, [n] calls) reads as Markdown.
        command([briefgen, "build", sample, "--date", SAMPLE_DATE, "--format", "txt", "--out", work / "text"])
        markdown = work / "sample.md"
        shutil.copy(work / "text" / SAMPLE_DATE / "syria-deconfliction.txt", markdown)
        pandoc_stats, _ = repeat_commands(
            ["pandoc", markdown, "-o", work / "pandoc.pdf", "--pdf-engine=weasyprint"], reps
        )
        rows.append(
            pandoc_stats.row(
                "peer: `pandoc --pdf-engine=weasyprint`", f"{pandoc_stats.median / floor_stats.median:.2f} x floor"
            )
        )
    else:
        notes.append("pandoc is not installed: the peer comparison (pandoc --pdf-engine=weasyprint) was skipped")

    # --- scaling from 3 to 50 pages ------------------------------------------------------------------------
    sizes = {"3-page": 10, "50-page": 60 if quick else 300}
    per_page: dict[str, float] = {}
    rows.append("| **Scaling** (whole `briefgen build`, one edition) | | | | |")
    pdf_rows = []
    for label, developments in sizes.items():
        root = write_desk(work / label, developments=developments)
        args = [briefgen, "build", root, "--all", "--force", "--jobs", "1"]
        stats, runs = repeat_commands(args, max(1, reps // 2))
        pdf = root / "out" / "2025-05-01" / "bench-brief.pdf"
        pages = pdf_pages(pdf)
        size = pdf.stat().st_size
        per_page[label] = stats.median / pages
        rss = max(r.max_rss_kib for r in runs) / 1024
        untagged = len(weasyprint.HTML(filename=str(pdf.with_suffix(".html"))).write_pdf()) / 1024
        tagged_budget, untagged_budget = 41 + 3 * pages, 27 + 3 * pages
        rows.append(
            stats.row(
                f"{label} brief: {developments} developments, {pages} pages",
                f"{per_page[label] * 1000:.0f} ms/page; peak RSS {rss:.0f} MiB",
            )
        )
        pdf_rows.append(
            f"| {label} brief | {pages} | {size / 1024:.1f} KiB ({size / 1024 / pages:.1f} KiB/page) | "
            f"{tagged_budget} KiB | {untagged:.1f} KiB | {untagged_budget} KiB |"
        )
        targets.append((f"{label} build peak memory < 200 MiB", f"{rss:.0f} MiB", rss < 200))
        targets.append(
            (
                f"{label} PDF/UA-1 ≤ about 50 KiB at 3 pages + 3 KiB/page ({tagged_budget} KiB)",
                f"{size / 1024:.1f} KiB",
                size / 1024 <= tagged_budget,
            )
        )
        targets.append(
            (
                f"{label} same brief untagged ≤ 27 KiB + 3 KiB/page ({untagged_budget} KiB)",
                f"{untagged:.1f} KiB",
                untagged <= untagged_budget,
            )
        )
    linear = per_page["50-page"] / per_page["3-page"]
    targets.append(("50-page time per page within 10 % of the 3-page brief's", f"{linear:.2f} x", linear <= 1.10))
    sample_pdf = sample / "out" / SAMPLE_DATE / "syria-deconfliction.pdf"
    sample_pages = pdf_pages(sample_pdf)
    sample_size = sample_pdf.stat().st_size / 1024
    pdf_rows.insert(
        0,
        f"| sample brief | {sample_pages} | {sample_size:.1f} KiB ({sample_size / sample_pages:.1f} KiB/page) | "
        f"{41 + 3 * sample_pages} KiB | {len(weasyprint.HTML(string=html).write_pdf()) / 1024:.1f} KiB | "
        f"{27 + 3 * sample_pages} KiB |",
    )
    targets.append(
        ("sample PDF < 60 KiB", f"{sample_pdf.stat().st_size / 1024:.1f} KiB", sample_pdf.stat().st_size < 60 * 1024)
    )

    # --- a desk of many editions -------------------------------------------------------------------------
    editions = 20 if quick else 100
    many = write_desk(work / "many", developments=10, editions=editions)
    serial = command([briefgen, "build", many, "--all", "--force", "--jobs", "1", "--quiet"])
    parallel = command([briefgen, "build", many, "--all", "--force", "--jobs", "2", "--quiet"])
    noop_stats, _ = repeat_commands([briefgen, "build", many, "--all", "--jobs", "2", "--quiet"], reps)
    speedup = serial.seconds / parallel.seconds
    cpu_share = parallel.cpu_seconds / (parallel.seconds * 2)
    rows += [
        f"| **{editions} editions** (3 pages each) | | | | |",
        f"| `--jobs 1` | {serial.seconds:.2f} s | | 1 | 1.00 |",
        f"| `--jobs 2` | {parallel.seconds:.2f} s | | 1 | {speedup:.2f} x faster; the machine gave {cpu_share * 100:.0f} % of 2 cores |",
        noop_stats.row(
            "no-op rebuild (nothing changed)",
            f"{noop_stats.median / serial.seconds * 100:.1f} % of a full `--jobs 1` build",
        ),
    ]
    targets.append(
        (f"no-op rebuild of {editions} editions < 1 s", f"{noop_stats.median:.2f} s", noop_stats.median < 1.0)
    )
    targets.append(
        (
            "`--jobs 2` ≥ 1.6 x `--jobs 1` (where 2 cores are free)",
            f"{speedup:.2f} x (CPU share {cpu_share * 100:.0f} %)",
            speedup >= 1.6,
        )
    )

    report = [
        "# briefgen benchmarks",
        "",
        f"Written by `python benchmarks/run.py{' --quick' if quick else ''}`. All figures come from this one run; "
        "medians, with min–max over n runs. Whole commands are timed from outside (start-up included); "
        "stages are timed inside one process.",
        "",
        *machine(),
        "",
        "## Targets",
        "",
        "| target | measured | met |",
        "| --- | --- | --- |",
        *[f"| {name} | {value} | {'met' if ok else '**not met**'} |" for name, value, ok in targets],
        "",
        "## Times",
        "",
        "| measurement | median | min–max | n | ratio / note |",
        "| --- | --- | --- | --- | --- |",
        *rows,
        "",
        "## PDF sizes (fonts subset)",
        "",
        "Budgets from the issues: text-only briefs about 27 KiB + 3 KiB a page; with PDF/UA-1 tagging about",
        "50 KiB for 3 pages (taken here as 41 KiB + 3 KiB a page). The untagged column is the same HTML",
        "rendered by a bare `weasyprint` call, to show what the tagging costs.",
        "",
        "| brief | pages | briefgen (PDF/UA-1) | budget | untagged | budget |",
        "| --- | --- | --- | --- | --- | --- |",
        *pdf_rows,
        "",
        "## Notes",
        "",
        *[f"- {note}" for note in notes],
        "",
    ]
    text = "\n".join(report)
    print(text)
    if output:
        output.write_text(text, encoding="utf-8")
        print(f"written to {output}", file=sys.stderr)
    shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
