"""Who may see what lives in blueprints/access.py; blueprints share it instead of importing each other."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

BLUEPRINTS = Path(__file__).resolve().parent.parent / "blueprints"
MODULES = {path.stem for path in BLUEPRINTS.glob("*.py")} - {"__init__"}

# Blueprint modules any blueprint may import: the access guards, plus those that hold shared page helpers
# and import no blueprint but the package and access themselves.
SHARED = {
    "access",  # the route guards and the staff second-step gate
    "session_limits",  # answers kept over a session timeout
    "documents",  # the upload check page Appendix A's upload shares
    "case_page",  # the staff case page, re-shown by each form on it (the case's own, and advice)
    "sectioned_form",  # the pages of a form saved section by section: Appendix A, a draft plan's response
}

GUARDS = {
    "second_step_passed",
    "second_step_required",
    "second_step_required_when_on",
    "family_required",
    "staff_required",
    "admin_required",
    "staff_pass_the_second_step_first",
}


def _blueprint_imports(name: str) -> set[str]:
    """The other blueprint modules that blueprints/<name>.py imports, at the top or inside a function."""
    tree = ast.parse((BLUEPRINTS / f"{name}.py").read_text())
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module == "blueprints":
            found |= {alias.name for alias in node.names if alias.name in MODULES}
        elif isinstance(node, ast.ImportFrom) and (node.module or "").startswith("blueprints."):
            found.add((node.module or "").split(".")[1])
        elif isinstance(node, ast.Import):
            found |= {a.name.split(".")[1] for a in node.names if a.name.startswith("blueprints.")}
    return found - {name}


def _defined(name: str) -> set[str]:
    tree = ast.parse((BLUEPRINTS / f"{name}.py").read_text())
    return {node.name for node in tree.body if isinstance(node, ast.FunctionDef)}


def test_blueprints_import_only_access_and_the_shared_helpers() -> None:
    wrong = {name: _blueprint_imports(name) - SHARED for name in MODULES}
    assert {name: found for name, found in wrong.items() if found} == {}


def test_access_and_the_shared_helpers_import_no_route_blueprint() -> None:
    assert _blueprint_imports("access") == set()
    for name in SHARED - {"access"}:
        assert _blueprint_imports(name) <= {"access", "session_limits"}, name


def test_every_guard_is_defined_in_access_and_nowhere_else() -> None:
    assert _defined("access") >= GUARDS
    for name in MODULES - {"access"}:
        assert _defined(name) & GUARDS == set(), name


def test_access_imports_first_in_a_fresh_interpreter() -> None:
    result = subprocess.run(
        [sys.executable, "-c", "import blueprints.access"],
        cwd=BLUEPRINTS.parent,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
