"""Shared libraries found from one reading of the dynamic linker's cache while WeasyPrint is imported.

cffi, asked to open a library by a short name ("pango-1.0"), calls `ctypes.util.find_library`, which on
Linux runs `/sbin/ldconfig -p` in a subprocess for each name (and gcc, then ld, when that finds nothing).
WeasyPrint 70 tries some twenty names for its six libraries (the Windows and macOS names first): about a
quarter of a second of its import, measured. `found_from_one_cache` answers every name from one run of
`ldconfig -p`, with the standard library's own pattern; a name the cache lacks finds nothing, and
WeasyPrint then opens that library by its soname, which the dynamic loader resolves as it always does.
"""

from __future__ import annotations

import contextlib
import ctypes.util
import os
import re
import struct
import subprocess
from collections.abc import Iterator

# The ABI tag of this machine's libraries in `ldconfig -p`, as `ctypes.util` reads it.
_ABI = {
    "x86_64-64": "libc6,x86-64",
    "ppc64-64": "libc6,64bit",
    "sparc64-64": "libc6,64bit",
    "s390x-64": "libc6,64bit",
    "ia64-64": "libc6,IA-64",
}


def _ldconfig_cache() -> bytes:
    try:
        return subprocess.run(
            ["/sbin/ldconfig", "-p"],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            env={"LC_ALL": "C", "LANG": "C"},
            timeout=10,
            check=False,
        ).stdout
    except (OSError, subprocess.SubprocessError):
        return b""


@contextlib.contextmanager
def found_from_one_cache() -> Iterator[None]:
    """Within the block, `ctypes.util.find_library` answers from one reading of the linker's cache (where
    there is none, it is left as it is)."""
    cache = _ldconfig_cache()
    if not cache:
        yield
        return
    machine = os.uname().machine + ("-32" if struct.calcsize("l") == 4 else "-64")
    abi = _ABI.get(machine, "libc6")

    def find_library(name: str) -> str | None:
        found = re.search(os.fsencode(rf"\s+(lib{re.escape(name)}\.[^\s]+)\s+\({abi}"), cache)
        return os.fsdecode(found.group(1)) if found else None

    original = ctypes.util.find_library
    ctypes.util.find_library = find_library
    try:
        yield
    finally:
        ctypes.util.find_library = original
