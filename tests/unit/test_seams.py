"""The joints between layers, checked on the source: a call's record is the session's
own, and nothing below the flow calls back up into it."""

from __future__ import annotations

import ast
from pathlib import Path

IVR = Path(__file__).resolve().parents[2] / "ivr"


def _modules(*packages: str) -> list[Path]:
    return sorted(p for package in packages for p in (IVR / package).rglob("*.py"))


def _writes_to_a_session(tree: ast.AST) -> list[str]:
    """``session.x = ...`` / ``call.session.x += ...``: a write to a session's field."""
    found = []
    for node in ast.walk(tree):
        targets: list[ast.expr] = []
        if isinstance(node, ast.Assign):
            targets = list(node.targets)
        elif isinstance(node, ast.AugAssign | ast.AnnAssign):
            targets = [node.target]
        for target in targets:
            if not isinstance(target, ast.Attribute):
                continue
            owner = target.value
            named = (isinstance(owner, ast.Name) and owner.id == "session") or (
                isinstance(owner, ast.Attribute) and owner.attr == "session"
            )
            if named:
                found.append(f"line {target.lineno}: {ast.unparse(target)}")
    return found


def test_no_code_outside_the_session_writes_its_fields() -> None:
    offenders = {
        str(path.relative_to(IVR)): writes
        for path in IVR.rglob("*.py")
        if path != IVR / "session" / "session.py"
        if (writes := _writes_to_a_session(ast.parse(path.read_text())))
    }
    assert offenders == {}


def test_the_check_finds_a_write_to_a_session_field() -> None:
    tree = ast.parse("session.outcome = 'x'\ncall.session.digits += 1\nother.outcome = 1\n")
    assert _writes_to_a_session(tree) == [
        "line 1: session.outcome",
        "line 2: call.session.digits",
    ]


def _imports(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
        elif isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
    return names


def test_sessions_and_verbs_never_import_the_flow_or_the_app() -> None:
    """Verbs end with a step (ivr.session.steps); only the flow plans what follows."""
    upward = ("ivr.flows", "ivr.app", "ivr.workers", "ivr.runtime", "ivr.embedded")
    offenders = {
        str(path.relative_to(IVR)): sorted(m for m in _imports(path) if m.startswith(upward))
        for path in _modules("session", "verbs")
    }
    assert {k: v for k, v in offenders.items() if v} == {}
