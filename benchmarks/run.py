"""briefgen's benchmarks: everything measured side by side in one run, reported as medians and ratios.

    .venv/bin/python benchmarks/run.py            # full run, writes benchmarks/RESULTS.md
    .venv/bin/python benchmarks/run.py --quick    # smaller desks, fewer repeats: checks that it all runs
    .venv/bin/python benchmarks/run.py --only one-brief   # one section: 20 editions of one brief, --jobs 1 and 2

It generates its own deterministic desks (benchmarks/desks.py) and measures, in this order: the sample
desk against the floor (a bare WeasyPrint render of the same HTML in this process, and the whole
`weasyprint` command), briefgen's stages, `briefgen validate`, the preview, peers (Pandoc through WeasyPrint
and Typst, on the same content), scaling at 3, 50 and 200 pages with peak memory and what the PDF bytes are
spent on, full and no-op builds of 10, 100 and 1,000 editions, 20 editions of one brief with --jobs 1 and 2,
and the 100-edition desk on a Dask LocalCluster beside --jobs 2. Targets are checked and reported as met or
not met; nothing here fails on a timing. The scaling plot is written beside the report (scaling.png).
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
SAMPLE = REPO / "samples" / "levant-desk"
SAMPLE_DATE = "2025-05-22"
BIN = Path(sys.executable).parent
sys.path.insert(0, str(HERE))

from desks import write_desk  # noqa: E402
from pdfsize import breakdown, structure_elements, what_if  # noqa: E402
from plot import scaling_plot  # noqa: E402


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


# Runs a command and waits for every process it leaves behind, as their reaper (PR_SET_CHILD_SUBREAPER):
# briefgen's PDF workers are children of its fork server, which no process of the build waits for, so
# without it their CPU time and memory would be in no rusage the benchmark reads.
REAPER = """
import ctypes, os, sys
ctypes.CDLL(None).prctl(36, 1)
pid = os.fork()
if pid == 0:
    os.execvp(sys.argv[1], sys.argv[1:])
status = os.waitpid(pid, 0)[1]
while True:
    try:
        os.wait()
    except ChildProcessError:
        break
sys.exit(min(255, abs(os.waitstatus_to_exitcode(status))))
"""


def command(args: Sequence[str | Path], *, check: bool = True) -> Run:
    """Run a whole command; its wall time, and the peak memory and CPU time of all its processes (those
    its processes leave behind too), come from the kernel (wait4)."""
    started = time.perf_counter()
    process = subprocess.Popen(
        [sys.executable, "-S", "-c", REAPER, *[str(a) for a in args]],
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


def interleaved_runs(commands: Sequence[Sequence[str | Path]], times: int) -> list[list[Run]]:
    """Run whole commands in rotation (A, B, C, A, B, C...), so that drift in the machine's speed hits all alike."""
    runs: list[list[Run]] = [[] for _ in commands]
    for _ in range(times):
        for index, args in enumerate(commands):
            runs[index].append(command(args))
    return runs


def interleaved_commands(commands: Sequence[Sequence[str | Path]], times: int) -> list[Stats]:
    return [Stats(tuple(r.seconds for r in runs)) for runs in interleaved_runs(commands, times)]


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


def machine(load: float) -> list[str]:
    """What the figures were measured on; `load`: the load average (1 minute) when the run started."""
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
        f"- Machine: {platform.platform()}, {cpu}, {cores} cores available, load average {load:.2f} at the start",
        f"- Python {platform.python_version()}, briefgen {__version__}, WeasyPrint {weasyprint.__version__}",
        f"- Fast font subsetting (libharfbuzz-subset): {'missing' if harfbuzz_subset_missing() else 'installed'}",
    ]


TYPST_PREAMBLE = '#set page(paper: "a4")\n#set text(font: "Noto Sans", size: 10pt)\n'


def typst_source(pandoc: str, html: Path, target: Path) -> None:
    """The brief's HTML as Typst markup, converted by Pandoc (not timed). Pandoc keeps links to anchors it
    drops (ids on inline elements): each such label gets an empty element, so that Typst accepts the file;
    its standalone template writes HTML keywords unquoted, so the body is taken with a page set-up of ours."""
    command([pandoc, html, "-t", "typst", "-o", target])
    text = TYPST_PREAMBLE + target.read_text(encoding="utf-8")
    wanted = set(re.findall(r"#link\(<([^>]+)>\)", text))
    present = set(re.findall(r"(?<![(])<([A-Za-z0-9_.:-]+)>", text))
    text += "\n" + "".join(f"#metadata(none) <{label}>\n" for label in sorted(wanted - present))
    target.write_text(text, encoding="utf-8")


def peers(
    work: Path, final_html: Path, build_sample: list[str | Path], floor: list[str | Path], reps: int, notes: list[str]
) -> list[str]:
    """Pandoc (pypandoc-binary) through WeasyPrint, with briefgen's stylesheet and with Pandoc's default one,
    and Typst (the typst wheel) on Pandoc's conversion of the same HTML: whole commands, timed in rotation
    with briefgen's build and the bare `weasyprint` command."""
    import pypandoc

    pandoc = pypandoc.get_pandoc_path()
    html = final_html.read_text(encoding="utf-8")
    stylesheet = work / "brief.css"
    stylesheet.write_text(html[html.index("<style>") + len("<style>") : html.index("</style>")], encoding="utf-8")
    typst_file = work / "brief.typ"
    typst_source(pandoc, final_html, typst_file)
    engine = BIN / "weasyprint"
    outputs = {name: work / f"{name}.pdf" for name in ("pandoc-css", "pandoc-default", "typst")}
    commands = [
        build_sample,
        floor,
        [pandoc, final_html, "-s", "--pdf-engine", engine, "-c", stylesheet, "-o", outputs["pandoc-css"]],
        [pandoc, final_html, "-s", "--pdf-engine", engine, "-o", outputs["pandoc-default"]],
        [
            sys.executable,
            "-c",
            "import sys, typst; typst.compile(sys.argv[1], output=sys.argv[2])",
            typst_file,
            outputs["typst"],
        ],
    ]
    ours, bare, with_css, default, typst_stats = interleaved_commands(commands, reps)
    rows = ["| **Peers** (the sample's content; whole commands in rotation with briefgen's build) | | | | |"]
    for stats, name, key in (
        (with_css, f"Pandoc {pypandoc.get_pandoc_version()} → WeasyPrint, briefgen's stylesheet", "pandoc-css"),
        (default, "Pandoc → WeasyPrint, Pandoc's default stylesheet", "pandoc-default"),
        (typst_stats, "Typst (the `typst` wheel, whole `python -c` command) on Pandoc's Typst conversion", "typst"),
    ):
        size = outputs[key].stat().st_size / 1024
        rows.append(
            stats.row(
                f"{name} ({pdf_pages(outputs[key])} pages, {size:.0f} KiB)",
                f"{stats.median / ours.median:.2f} x briefgen; {stats.median / bare.median:.2f} x `weasyprint`",
            )
        )
    rows.append(ours.row("`briefgen build` in this rotation", f"{ours.median / bare.median:.2f} x `weasyprint`"))
    notes.append(
        "Peers are context, not targets. Pandoc reads briefgen's final HTML (dropping what it has no element "
        "for: the marking banners, ids on inline elements, hence WeasyPrint's 'No anchor' errors) and writes "
        "an untagged PDF; Typst typesets Pandoc's conversion of the same HTML with Noto Sans, untagged."
    )
    return rows


def dask_build(work: Path, desk: Path, briefgen: Path) -> float:
    """Seconds of a whole `briefgen build --executor dask://...` of `desk` on a LocalCluster of two worker
    processes (one thread each) on 127.0.0.1, warmed first by a small build (each worker's render process)."""
    import dask
    from distributed import LocalCluster

    with (
        dask.config.set({"distributed.worker.daemon": False}),
        LocalCluster(
            n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1", dashboard_address=":0", silence_logs=50
        ) as cluster,
    ):
        url = cluster.scheduler_address.replace("tcp://", "dask://")
        warm = write_desk(work / "dask-warm-up", developments=10, editions=4)
        command([briefgen, "build", warm, "--all", "--executor", url, "--quiet"])
        return command([briefgen, "build", desk, "--all", "--force", "--executor", url, "--quiet"]).seconds


Target = tuple[str, str, bool]


def one_brief(work: Path, briefgen: Path, *, quick: bool, reps: int) -> tuple[list[str], list[Target]]:
    """20 editions of one brief (4 with --quick), whole builds with --jobs 1 and --jobs 2 in rotation, with
    the CPU share the machine gave --jobs 2 and the load average around them (the machine may be shared)."""
    editions = 4 if quick else 20
    chain = write_desk(work / "one-brief", developments=10, editions=editions, one_brief=True)
    commands = [[briefgen, "build", chain, "--all", "--force", "--jobs", str(jobs), "--quiet"] for jobs in (1, 2)]
    load_before = os.getloadavg()[0]
    runs: list[list[Run]] = [[], []]
    for _ in range(max(1, min(3, reps // 2))):
        for index, args in enumerate(commands):
            runs[index].append(command(args))
    load_after = os.getloadavg()[0]
    serial_chain, parallel_chain = (Stats(tuple(r.seconds for r in each)) for each in runs)
    chain_speedup = serial_chain.median / parallel_chain.median
    cpu_share = statistics.median(r.cpu_seconds / (r.seconds * 2) for r in runs[1])
    rows = [
        f"| **{editions} editions of one brief** (each compares with the one before) | | | | |",
        serial_chain.row("`--jobs 1`", "1.00"),
        parallel_chain.row(
            "`--jobs 2` (PDFs of one brief overlap)",
            f"{chain_speedup:.2f} x faster; the machine gave {cpu_share * 100:.0f} % of 2 cores; "
            f"load average {load_before:.2f} before, {load_after:.2f} after",
        ),
    ]
    target = (
        "one brief's editions: `--jobs 2` ≥ 1.6 x `--jobs 1` (where 2 cores are free)",
        f"{chain_speedup:.2f} x (CPU share {cpu_share * 100:.0f} %)",
        chain_speedup >= 1.6,
    )
    return rows, [target]


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small desks, one or two repeats: checks it all runs")
    parser.add_argument(
        "--output",
        type=Path,
        help="where to write the report (default: benchmarks/RESULTS.md; --quick writes none unless given)",
    )
    parser.add_argument("--reps", type=int, help="repeats of each timed command (default: 7; --quick: 1)")
    parser.add_argument(
        "--only",
        choices=["one-brief"],
        help="run one section only: one-brief (the editions of one brief, --jobs 1 against --jobs 2); "
        "writes no report file unless --output is given",
    )
    parser.add_argument(
        "--editions",
        help="comma-separated desk sizes for the full and no-op builds (default: 10,100,1000; --quick: 4)",
    )
    options = parser.parse_args(argv)
    argv_text = " ".join(sys.argv[1:] if argv is None else argv)
    quick = options.quick
    reps = options.reps or (1 if quick else 7)
    output = options.output or (None if quick or options.only else HERE / "RESULTS.md")
    briefgen = BIN / "briefgen"
    weasyprint_cmd = BIN / "weasyprint"

    work = Path(tempfile.mkdtemp(prefix="briefgen-bench-"))
    rows: list[str] = []
    targets: list[Target] = []
    notes: list[str] = [
        "Every whole command (the floor and peers too) runs under a small reaper process (`python -S`, about "
        "15 ms) that waits for every process the command leaves behind, so that peak memory and CPU time include "
        "briefgen's PDF workers, which are children of its fork server rather than of the build."
    ]
    began = time.perf_counter()
    print(f"benchmarks in {work} ({'quick' if quick else 'full'} run)", file=sys.stderr)
    load = os.getloadavg()[0]
    if options.only == "one-brief":
        rows, targets = one_brief(work, briefgen, quick=quick, reps=reps)
        return _report(
            [
                "# briefgen benchmarks: the editions of one brief",
                "",
                f"Written by `python benchmarks/run.py {argv_text}`; medians, with min–max over n runs.",
                "",
                *machine(load),
                "",
                *_table(targets, rows),
            ],
            output,
            work,
        )

    # --- the sample desk against the floor -------------------------------------------------------------
    print(f"- the sample desk against the floor ({time.perf_counter() - began:.0f} s)", file=sys.stderr)
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
            "whole `briefgen build` of the sample ≤ 1.05 x whole `weasyprint` command",
            f"{ratio_build:.2f} x",
            ratio_build <= 1.05,
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
    print(f"- stages, in this process ({time.perf_counter() - began:.0f} s)", file=sys.stderr)
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
    print(f"- preview: re-render after a template change ({time.perf_counter() - began:.0f} s)", file=sys.stderr)
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

    def edit_and_render_pdf() -> None:
        template.write_text(
            '{% extends "builtin/brief.html.j2" %}{% block outlook %}{{ super() }}'
            f"<p>edit {next(counter)}</p>{{% endblock %}}",
            encoding="utf-8",
        )
        preview.edition_pdf("syria-deconfliction", day)

    edit_and_render_pdf()  # starts the preview's PDF worker: what is timed is a warm worker
    preview_pdf_stats = repeat(edit_and_render_pdf, reps)
    preview.close()
    rows.append(
        preview_pdf_stats.row(
            "preview: save a desk template, then render the sample's PDF again (warm worker, checked)",
            f"{preview_pdf_stats.median / floor_stats.median:.2f} x floor",
        )
    )
    targets.append(
        (
            "preview's PDF of the sample refreshed < 600 ms after a save (warm worker)",
            f"{preview_pdf_stats.median * 1000:.0f} ms",
            preview_pdf_stats.median < 0.6,
        )
    )

    # --- peers ------------------------------------------------------------------------------------------
    print(f"- peers ({time.perf_counter() - began:.0f} s)", file=sys.stderr)
    notes.append(
        "PDF size: WeasyPrint's PDF/UA-1 tagging makes one structure element per text box (a line of a "
        "paragraph, each inline element) and positions every glyph in the content streams; briefgen folds the "
        "structure elements that say nothing into their parent, marks page-margin text as artifacts and writes "
        "the content compactly (glyph strings merged, coordinates to a thousandth of a point, object streams). "
        "What is left is in the table of what the 50-page brief's bytes are spent on."
    )
    rows += peers(work, final_html, build_sample, [weasyprint_cmd, final_html, floor_pdf], reps, notes)

    # --- scaling at 3, 50 and 200 pages ---------------------------------------------------------------------
    print(f"- scaling at 3, 50 and 200 pages ({time.perf_counter() - began:.0f} s)", file=sys.stderr)
    sizes = {"3-page": 10, "50-page": 40 if quick else 300, "200-page": 80 if quick else 1200}
    per_page: dict[str, float] = {}
    seconds: dict[str, float] = {}
    page_counts: dict[str, int] = {}
    memory: dict[str, float] = {}
    bare_seconds: dict[str, float] = {}  # WeasyPrint alone on the same HTML, laid out whole in this process
    rows.append(
        "| **Scaling** (whole `briefgen build`, one edition, `--jobs 1`; the three sizes in rotation) | | | | |"
    )
    pdf_rows = []
    roots = {label: write_desk(work / label, developments=developments) for label, developments in sizes.items()}
    rotated = interleaved_runs(
        [[briefgen, "build", root, "--all", "--force", "--jobs", "1"] for root in roots.values()],
        1 if quick else max(5, reps),  # the marginal page is a difference of medians: five runs at least
    )
    for (label, developments), runs in zip(sizes.items(), rotated, strict=True):
        root = roots[label]
        stats = Stats(tuple(r.seconds for r in runs))
        pdf = root / "out" / "2025-05-01" / "bench-brief.pdf"
        pages = page_counts[label] = pdf_pages(pdf)
        size = pdf.stat().st_size
        seconds[label] = stats.median
        per_page[label] = stats.median / pages
        rss = memory[label] = max(r.max_rss_kib for r in runs) / 1024
        bare_started = time.perf_counter()
        untagged = len(weasyprint.HTML(filename=str(pdf.with_suffix(".html"))).write_pdf()) / 1024
        bare_seconds[label] = time.perf_counter() - bare_started
        rows.append(
            stats.row(
                f"{label} brief: {developments} developments, {pages} pages",
                f"{per_page[label] * 1000:.0f} ms/page; peak RSS {rss:.0f} MiB",
            )
        )
        pdf_rows.append(
            f"| {label} brief | {pages} | {size / 1024:.1f} KiB ({size / 1024 / pages:.1f} KiB/page) | "
            f"{untagged:.1f} KiB |"
        )
        if label == "50-page":
            spent = breakdown(pdf, pdf.with_suffix(".html").read_text(encoding="utf-8"))
            links_ok = spent.note_links >= spent.note_calls and not spent.broken_links
            targets.append(
                (
                    f"{label} PDF/UA-1 brief ≤ 260 KiB with every endnote call a working link",
                    f"{size / 1024:.1f} KiB; {spent.note_links} of {spent.note_calls} calls linked, "
                    f"{spent.broken_links} broken",
                    size <= 260 * 1024 and links_ok,
                )
            )
            bytes_rows = [
                f"| {kind} | {spent.count_by_kind[kind]:,} | {amount / 1024:.1f} KiB | {amount / size * 100:.0f} % |"
                for kind, amount in spent.bytes_by_kind.most_common()
            ]
            built_html = pdf.with_suffix(".html").read_text(encoding="utf-8")
            variant_rows = [
                f"| as built | {pages} | {size / 1024:.1f} KiB | {structure_elements(pdf.read_bytes()):,} | "
                f"{spent.note_links} of {spent.note_calls} |"
            ]
            for name, variant in [] if quick else what_if(built_html):
                trial = work / "what-if.pdf"
                # Rendered as briefgen renders (tagging completed, compact), so that the rows compare.
                trial_job = replace(job, label="what-if 2025-05-01", html=variant, variant="pdf/ua-1", attachments=())
                trial.write_bytes(render_pdf(trial_job).data)
                tried = breakdown(trial, variant)
                variant_rows.append(
                    f"| {name} | {pdf_pages(trial)} | {tried.total / 1024:.1f} KiB | "
                    f"{structure_elements(trial.read_bytes()):,} | {tried.note_links} of {tried.note_calls} |"
                )
    marginal_50 = (seconds["50-page"] - seconds["3-page"]) / (page_counts["50-page"] - page_counts["3-page"])
    marginal_200 = (seconds["200-page"] - seconds["50-page"]) / (page_counts["200-page"] - page_counts["50-page"])
    rows.append(
        f"| marginal time per page | {marginal_200 * 1000:.0f} ms (50 → 200 pages) | | | "
        f"{marginal_50 * 1000:.0f} ms from 3 → 50 pages: {marginal_200 / marginal_50:.2f} x |"
    )
    bare_50 = (bare_seconds["50-page"] - bare_seconds["3-page"]) / (page_counts["50-page"] - page_counts["3-page"])
    bare_200 = (bare_seconds["200-page"] - bare_seconds["50-page"]) / (page_counts["200-page"] - page_counts["50-page"])
    rows.append(
        "| the same: WeasyPrint alone, the built HTML laid out whole by a bare `write_pdf()` in this process "
        f"(untagged) | {bare_200 * 1000:.0f} ms (50 → 200 pages) | | 1 | "
        f"{bare_50 * 1000:.0f} ms from 3 → 50 pages: {bare_200 / bare_50:.2f} x |"
    )
    targets.append(
        (
            "marginal time per page of the 200-page brief within 10 % of the 50-page brief's",
            f"{marginal_200 / marginal_50:.2f} x ({marginal_200 * 1000:.0f} vs {marginal_50 * 1000:.0f} ms/page)",
            marginal_200 <= 1.10 * marginal_50,
        )
    )
    targets.append(("200-page build peak memory < 300 MiB", f"{memory['200-page']:.0f} MiB", memory["200-page"] < 300))
    sample_pdf = sample / "out" / SAMPLE_DATE / "syria-deconfliction.pdf"
    sample_pages = pdf_pages(sample_pdf)
    sample_size = sample_pdf.stat().st_size / 1024
    pdf_rows.insert(
        0,
        f"| sample brief | {sample_pages} | {sample_size:.1f} KiB ({sample_size / sample_pages:.1f} KiB/page) | "
        f"{len(weasyprint.HTML(string=html).write_pdf()) / 1024:.1f} KiB |",
    )

    # --- many editions: full and no-op builds ---------------------------------------------------------------
    print(f"- many editions: full and no-op builds ({time.perf_counter() - began:.0f} s)", file=sys.stderr)
    counts = [int(n) for n in (options.editions or ("4" if quick else "10,100,1000")).split(",")]
    rows.append("| **Many editions** (3 pages each, one brief each, whole `briefgen build --jobs 2`) | | | | |")
    edition_points: list[tuple[int, float, float]] = []
    desks_by_count: dict[int, Path] = {}
    for count in counts:
        root = desks_by_count[count] = write_desk(work / f"editions-{count}", developments=10, editions=count)
        full = command([briefgen, "build", root, "--all", "--force", "--jobs", "2", "--quiet"])
        noop, _ = repeat_commands(
            [briefgen, "build", root, "--all", "--jobs", "2", "--quiet"], max(1 if quick else 2, reps // 2)
        )
        edition_points.append((count, full.seconds, noop.median))
        rows.append(
            f"| {count:,} editions: full build | {full.seconds:.2f} s | | 1 | {full.seconds / count * 1000:.0f} ms "
            f"an edition; the machine gave {full.cpu_seconds / (full.seconds * 2) * 100:.0f} % of 2 cores |"
        )
        rows.append(noop.row(f"{count:,} editions: no-op build", f"{noop.median / count * 1000:.1f} ms an edition"))
        if count == 100:
            targets.append(("no-op rebuild of 100 editions < 1 s", f"{noop.median:.2f} s", noop.median < 1.0))
    plot_path = (output.parent if output else work) / "scaling.png"
    scaling_plot(plot_path, [(page_counts[k], per_page[k], memory[k]) for k in sizes], edition_points)

    # --- 20 editions of one brief: --jobs 1 and --jobs 2 -----------------------------------------------------
    print(f"- 20 editions of one brief: --jobs 1 and --jobs 2 ({time.perf_counter() - began:.0f} s)", file=sys.stderr)
    chain_rows, chain_targets = one_brief(work, briefgen, quick=quick, reps=reps)
    rows += chain_rows
    targets += chain_targets

    # --- the 100-edition desk: --jobs 1, --jobs 2 and a Dask LocalCluster -----------------------------------
    print(
        f"- the 100-edition desk: --jobs 1, --jobs 2 and a Dask LocalCluster ({time.perf_counter() - began:.0f} s)",
        file=sys.stderr,
    )
    editions = 4 if quick else 100
    many = desks_by_count.get(editions) or write_desk(work / "many", developments=10, editions=editions)
    serial = command([briefgen, "build", many, "--all", "--force", "--jobs", "1", "--quiet"])
    parallel = command([briefgen, "build", many, "--all", "--force", "--jobs", "2", "--quiet"])
    speedup = serial.seconds / parallel.seconds
    cpu_share = parallel.cpu_seconds / (parallel.seconds * 2)
    on_dask = dask_build(work, many, briefgen)
    rows += [
        f"| **{editions} editions** (3 pages each) | | | | |",
        f"| `--jobs 1` | {serial.seconds:.2f} s | | 1 | 1.00 |",
        f"| `--jobs 2` | {parallel.seconds:.2f} s | | 1 | {speedup:.2f} x faster; the machine gave {cpu_share * 100:.0f} % of 2 cores |",
        f"| `--executor dask://…` (LocalCluster on 127.0.0.1: 2 worker processes x 1 thread, warm) | "
        f"{on_dask:.2f} s | | 1 | {serial.seconds / on_dask:.2f} x faster than `--jobs 1`; "
        f"{on_dask / parallel.seconds:.2f} x the time of `--jobs 2` |",
    ]
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
        f"Written by `python benchmarks/run.py{' ' if argv_text else ''}{argv_text}`. All figures come from this one run; "
        "medians, with min–max over n runs. Whole commands are timed from outside (start-up included); "
        "stages are timed inside one process.",
        "",
        *machine(load),
        "",
        *_table(targets, rows),
        "",
        "## Scaling",
        "",
        f"![Time per page and peak memory of one long brief; full and no-op builds of many editions]({plot_path.name})",
        "",
        "## PDF sizes (fonts subset)",
        "",
        "The untagged column is the same HTML rendered by a bare `weasyprint` call: what the PDF/UA-1 tagging costs.",
        "",
        "| brief | pages | briefgen (PDF/UA-1) | untagged |",
        "| --- | --- | --- | --- |",
        *pdf_rows,
        "",
        "What the 50-page brief's bytes are spent on (benchmarks/pdfsize.py: streams as stored; dictionaries",
        "share out the compressed object streams they are stored in):",
        "",
        "| part | objects | bytes | share |",
        "| --- | --- | --- | --- |",
        *bytes_rows,
        "",
        "What template changes would save, measured on the 50-page brief's HTML changed accordingly (cumulative;",
        "rendered by briefgen's PDF render as PDF/UA-1 in this run; full runs only):",
        "",
        "| change | pages | PDF/UA-1 | structure elements | endnote calls linked |",
        "| --- | --- | --- | --- | --- |",
        *variant_rows,
        "",
        "## Notes",
        "",
        *[f"- {note}" for note in notes],
        "",
    ]
    return _report(report, output, work)


def _table(targets: list[Target], rows: list[str]) -> list[str]:
    return [
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
    ]


def _report(report: list[str], output: Path | None, work: Path) -> int:
    """Print the report, write it to `output` (if any) and remove the run's desks."""
    text = "\n".join(report)
    print(text)
    if output:
        output.write_text(text, encoding="utf-8")
        print(f"written to {output}", file=sys.stderr)
    shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
