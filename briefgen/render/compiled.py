"""The built-in templates' compiled code, shipped in the package so that a build does not compile them.

Jinja compiles a template's source to Python the first time a process loads it; for the 16 built-in
templates that is about a third of a second, spent before the first PDF can be submitted. The code
Jinja would write is stored in `briefgen/render/compiled/` by `scripts/compile_templates.py` and read
through Jinja's own bytecode cache, which is read-only here (`dump_bytecode` writes nothing):

- only templates whose file is a built-in one are looked up, by the name they were asked for; a desk
  template (even one named like a built-in) is always compiled from its source;
- a stored entry is used only when it was compiled from the same source (Jinja's checksum of it) by the
  same compiler: the checksum is prefixed with `compiler_fingerprint()` (Jinja's version, the sandbox's
  own source, the environment's options, filters and tests); Jinja itself refuses code written by another
  Python version. Anything else is compiled from source, as without this module, so a stale entry
  costs time and never changes an output.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import jinja2
from jinja2.bccache import Bucket

COMPILED_DIR = Path(__file__).resolve().parent / "compiled"
SUFFIX = ".jinja-code"


def compiler_fingerprint(environment: jinja2.Environment) -> str:
    """What the compiled code of a template depends on besides its source."""
    from briefgen.render import sandbox

    autoescape = environment.autoescape
    parts = [
        jinja2.__version__,
        f"{type(environment).__module__}.{type(environment).__qualname__}",
        hashlib.sha256(Path(sandbox.__file__).read_bytes()).hexdigest(),
        f"trim_blocks={environment.trim_blocks} lstrip_blocks={environment.lstrip_blocks}",
        f"optimized={environment.optimized} autoescape={getattr(autoescape, '__qualname__', autoescape)!r}",
        "filters=" + ",".join(sorted(environment.filters)),
        "tests=" + ",".join(sorted(environment.tests)),
        "extensions=" + ",".join(sorted(environment.extensions)),
    ]
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()[:16]


def stored_name(template: str) -> str:
    """The file that holds a template's code: `sections/actors.html.j2` -> `sections__actors.html.j2.jinja-code`."""
    return template.replace("/", "__") + SUFFIX


class BuiltinCode(jinja2.BytecodeCache):
    """Reads the shipped code of built-in templates; never writes (see the module's docstring)."""

    def __init__(self, builtin_dir: Path, folder: Path = COMPILED_DIR) -> None:
        self.builtin_dir = builtin_dir.resolve()
        self.folder = folder

    def get_bucket(self, environment: jinja2.Environment, name: str, filename: str | None, source: str) -> Bucket:
        checksum = f"{_fingerprint(environment)}-{self.get_source_checksum(source)}"
        bucket = Bucket(environment, name if self._is_builtin(filename) else "", checksum)
        if bucket.key:
            self.load_bytecode(bucket)
        return bucket

    def _is_builtin(self, filename: str | None) -> bool:
        return filename is not None and Path(filename).resolve().is_relative_to(self.builtin_dir)

    def load_bytecode(self, bucket: Bucket) -> None:
        path = self.folder / stored_name(bucket.key)
        try:
            data = path.read_bytes()
        except OSError:
            return
        bucket.bytecode_from_string(data)

    def dump_bytecode(self, bucket: Bucket) -> None:
        """Read-only: a template compiled at run time is kept in memory by Jinja, not written."""

    def stored(self, environment: jinja2.Environment, name: str) -> bytes:
        """The bytes `scripts/compile_templates.py` writes for a built-in template: its compiled code,
        headed by Jinja's magic and the checksum this cache expects."""
        source, _, _ = environment.loader.get_source(environment, name)  # type: ignore[union-attr]
        # Named as messages name it: the code must not carry the path of the machine that compiled it.
        code = environment.compile(source, name, f"builtin/{name}")
        bucket = Bucket(environment, name, f"{_fingerprint(environment)}-{self.get_source_checksum(source)}")
        bucket.code = code
        return bucket.bytecode_to_string()

    def is_current(self, environment: jinja2.Environment, name: str) -> bool:
        """Whether the shipped code of `name` is what this environment would use."""
        source, filename, _ = environment.loader.get_source(environment, name)  # type: ignore[union-attr]
        bucket = self.get_bucket(environment, name, filename, source)
        return bucket.code is not None


def _fingerprint(environment: jinja2.Environment) -> str:
    """`compiler_fingerprint`, computed once per environment (it hashes the sandbox's source)."""
    cached: str | None = getattr(environment, "_briefgen_compiler_fingerprint", None)
    if cached is None:
        cached = compiler_fingerprint(environment)
        environment._briefgen_compiler_fingerprint = cached  # type: ignore[attr-defined]
    return cached
