"""Checks of the system's font tooling that need no WeasyPrint import (the CLI runs them after a build)."""

from __future__ import annotations

import ctypes.util


def harfbuzz_subset_missing() -> str | None:
    """A warning when WeasyPrint's fast font subsetter (libharfbuzz-subset) is not installed."""
    if ctypes.util.find_library("harfbuzz-subset"):
        return None
    return (
        "libharfbuzz-subset0 is not installed: WeasyPrint falls back to a font subsetter about 3x slower "
        "(install it with: apt-get install libharfbuzz-subset0)"
    )
