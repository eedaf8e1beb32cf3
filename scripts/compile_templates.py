"""Keep the built-in templates' compiled code current (see `briefgen/render/compiled.py`).

    .venv/bin/python scripts/compile_templates.py           # compile every built-in template, drop stale files
    .venv/bin/python scripts/compile_templates.py --check   # exit 1 if a file is missing, stale or left over

Run it after editing a built-in template or `briefgen/render/sandbox.py`, or after upgrading Jinja; CI runs
`--check` (through tests/test_templates.py). A stale file is never used: the template is compiled from
its source, which is only slower.
"""

from __future__ import annotations

import sys

from briefgen.render.builtin import builtin_templates_dir
from briefgen.render.compiled import COMPILED_DIR, SUFFIX, BuiltinCode, stored_name
from briefgen.render.templates import environment


def main(argv: list[str]) -> int:
    check = "--check" in argv
    env = environment(None)
    cache = BuiltinCode(builtin_templates_dir())
    names = sorted(p.relative_to(builtin_templates_dir()).as_posix() for p in builtin_templates_dir().rglob("*.j2"))
    wanted = {stored_name(name) for name in names}
    present = {p.name for p in COMPILED_DIR.glob(f"*{SUFFIX}")} if COMPILED_DIR.is_dir() else set()
    problems = [f"{name}: no compiled code" for name in names if stored_name(name) not in present]
    problems += [
        f"{name}: compiled from another source or compiler"
        for name in names
        if stored_name(name) in present and not cache.is_current(env, name)
    ]
    problems += [f"{file}: no built-in template of that name" for file in sorted(present - wanted)]
    if check:
        for problem in problems:
            print(f"compiled templates: {problem} (run scripts/compile_templates.py)", file=sys.stderr)
        return 1 if problems else 0
    COMPILED_DIR.mkdir(exist_ok=True)
    for file in present - wanted:
        (COMPILED_DIR / file).unlink()
    for name in names:
        if stored_name(name) not in present or not cache.is_current(env, name):
            (COMPILED_DIR / stored_name(name)).write_bytes(cache.stored(env, name))
            print(f"compiled {name}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
