"""The scaling plot of RESULTS.md (matplotlib, Agg backend: no display needed)."""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt


def scaling_plot(
    path: Path,
    pages: list[tuple[int, float, float]],  # (pages, seconds per page, peak MiB)
    editions: list[tuple[int, float, float]],  # (editions, full build s, no-op build s)
) -> None:
    figure, (left, right) = plt.subplots(1, 2, figsize=(10, 4), dpi=100)
    counts = [p for p, _, _ in pages]
    left.plot(counts, [s * 1000 for _, s, _ in pages], "o-", color="#1f4e79", label="time per page (ms)")
    left.set_xlabel("pages of one brief")
    left.set_ylabel("ms per page (whole build)", color="#1f4e79")
    memory = left.twinx()
    memory.plot(counts, [m for _, _, m in pages], "s--", color="#b03a2e", label="peak memory (MiB)")
    memory.set_ylabel("peak memory (MiB)", color="#b03a2e")
    left.set_title("One long brief")
    sizes = [n for n, _, _ in editions]
    right.loglog(sizes, [f for _, f, _ in editions], "o-", color="#1f4e79", label="full build (--jobs 2)")
    right.loglog(sizes, [n for _, _, n in editions], "s--", color="#7d8c2f", label="no-op build")
    right.set_xlabel("editions (3 pages each)")
    right.set_ylabel("seconds (whole command)")
    right.set_title("Many editions")
    right.legend(loc="upper left")
    for axes in (left, right):
        axes.grid(True, alpha=0.3)
    figure.tight_layout()
    figure.savefig(path, metadata={"Software": None})
    plt.close(figure)
