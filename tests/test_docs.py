"""The documentation agrees with the code: the exit codes, the links, the layers."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

from conftest import REPO

from briefgen.errors import ExitCode, exit_code_table


def test_the_readme_exit_code_table_is_the_enum() -> None:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    assert exit_code_table() in readme
    documented = {int(code) for code in re.findall(r"^\| (\d+) \|", readme, flags=re.M)}
    assert documented == {int(code) for code in ExitCode}


def test_every_relative_link_in_the_docs_exists() -> None:
    for document in [REPO / "README.md", *(REPO / "docs").glob("*.md")]:
        text = document.read_text(encoding="utf-8")
        for target in re.findall(r"\]\(([^)#\s]+)(?:#[^)]*)?\)", text):
            if re.match(r"^[a-z]+:", target):
                continue
            assert (document.parent / target).exists(), f"{document.name} links to {target}, which does not exist"


def test_no_literal_exit_numbers_in_the_code() -> None:
    pattern = re.compile(r"(?:sys\.exit|ctx\.exit|_exit|exit_code\s*=)\s*\(?\s*\d")
    for module in (REPO / "briefgen").rglob("*.py"):
        for number, line in enumerate(module.read_text(encoding="utf-8").splitlines(), start=1):
            assert not pattern.search(line), f"{module.relative_to(REPO)}:{number}: a literal exit code: {line.strip()}"


def test_the_layers_contract_holds() -> None:
    lint_imports = Path(sys.executable).parent / "lint-imports"
    result = subprocess.run([str(lint_imports), "--no-cache"], cwd=REPO, capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "1 kept, 0 broken" in result.stdout
