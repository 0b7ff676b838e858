"""The floor plan: the package's subpackages stand in the order of the pipeline and import only downwards,
no module imports itself back through others, the top holds a handful of modules, nothing changes the
process for others, and errors travel as data (they pickle, with stable codes)."""

from __future__ import annotations

import ast
import pickle
import subprocess
import sys
from pathlib import Path

import pytest

from audit_kit import errors

PACKAGE = Path(__file__).resolve().parents[2] / "src" / "audit_kit"
# Lowest first: a module may import from its own layer or one below, never from one above.
LAYERS = [{"errors", "vocabulary", "config", "bundled"}, {"model"}, {"readers"}, {"extract"}, {"checks"},
          {"workspace"}, {"render"}, {"batch"}, {"review"}, {"memo"}, {"cli"}]
TESTING = "testing"  # what only tests and benchmarks use: imports the model, imported by no module


def _modules() -> dict[str, Path]:
    out = {}
    for path in PACKAGE.rglob("*.py"):
        parts = list(path.relative_to(PACKAGE).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts = parts[:-1]
        out[".".join(["audit_kit", *parts])] = path
    return out


def _imports(name: str, path: Path, modules: dict[str, Path]) -> set[str]:
    """Every module of the package ``name`` imports, at any depth of its code (TYPE_CHECKING too)."""
    package = name if path.name == "__init__.py" else name.rsplit(".", 1)[0]
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        targets: list[str] = []
        if isinstance(node, ast.ImportFrom):
            base = package.split(".")[: len(package.split(".")) - node.level + 1] if node.level else []
            mod = ".".join([*base, *([node.module] if node.module else [])]) if node.level else (node.module or "")
            targets = [f"{mod}.{a.name}" if f"{mod}.{a.name}" in modules else mod for a in node.names]
        elif isinstance(node, ast.Import):
            targets = [a.name for a in node.names]
        found.update(t for t in targets if t in modules and t != name)
    return found


def _layer(module: str) -> int | str:
    top = module.split(".")[1] if "." in module else ""
    if top == TESTING:
        return TESTING
    return next((i for i, layer in enumerate(LAYERS) if top in layer), -1)


def _graph() -> dict[str, set[str]]:
    modules = _modules()
    return {name: _imports(name, path, modules) for name, path in modules.items()}


def test_the_top_holds_the_subpackages_and_at_most_six_modules():
    modules = sorted(p.name for p in PACKAGE.glob("*.py"))
    assert len(modules) <= 6, modules
    assert {p.name for p in PACKAGE.iterdir() if (p / "__init__.py").exists()} == {
        "model", "readers", "extract", "checks", "workspace", "batch", "render", "review", "memo", "cli", "testing"}


def test_every_import_goes_down_the_pipeline_or_stays_on_its_floor():
    upward = []
    for name, targets in _graph().items():
        if name == "audit_kit":  # the package's face hands names on, lazily
            continue
        here = _layer(name)
        for target in targets:
            there = _layer(target)
            if there == TESTING and here != TESTING:
                upward.append(f"{name} → {target} (testing/ is for tests only)")
            elif (here == TESTING and there not in (0, 1, TESTING)) or (isinstance(here, int) and isinstance(there, int) and there > here):
                upward.append(f"{name} → {target}")
    assert not upward, upward


def test_no_module_imports_itself_back_through_others():
    graph = _graph()
    graph.pop("audit_kit")
    seen: dict[str, int] = {}  # 1 on the path, 2 done
    circles = []

    def visit(node: str, path: list[str]) -> None:
        seen[node] = 1
        for nxt in sorted(graph.get(node, ())):
            if seen.get(nxt) == 1:
                circles.append(" → ".join([*path[path.index(nxt):], nxt]))
            elif nxt not in seen:
                visit(nxt, [*path, nxt])
        seen[node] = 2

    for node in sorted(graph):
        if node not in seen:
            visit(node, [node])
    assert not circles, circles


def test_nothing_writes_the_environment_or_replaces_a_module_for_others():
    found = []
    for path in PACKAGE.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            target = None
            if isinstance(node, ast.Assign | ast.AugAssign | ast.Delete):
                for t in getattr(node, "targets", None) or [getattr(node, "target", None)]:
                    if isinstance(t, ast.Subscript):
                        target = ast.unparse(t.value)
            elif (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                  and ast.unparse(node.func.value) == "os.environ"
                  and node.func.attr in ("update", "pop", "setdefault", "clear", "popitem")):
                target = "os.environ"
            if target in ("os.environ", "sys.modules"):
                found.append(f"{path.relative_to(PACKAGE)}:{node.lineno} {ast.unparse(node)[:60]}")
    assert not found, found


def test_importing_the_package_gives_its_entry_points():
    code = ("import audit_kit; print(audit_kit.Workspace.__name__, audit_kit.load.__name__, audit_kit.check.__name__, "
            "audit_kit.run_batch.__name__, audit_kit.write_memo.__name__, audit_kit.Config.__name__)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert out.stdout.split() == ["Workspace", "load", "check", "run_batch", "write_memo", "Config"]


@pytest.mark.parametrize("cls", errors.every_error(), ids=lambda c: c.__name__)
def test_every_error_pickles_and_keeps_its_code(cls):
    error = cls("/年报/某县财政局.pdf", "原因：表三无法读取")
    try:
        raise error from ValueError("底层原因")
    except errors.AuditKitError as raised:
        back = pickle.loads(pickle.dumps(raised))
    assert type(back) is cls and (back.path, back.reason) == (error.path, error.reason)
    assert str(back) == "/年报/某县财政局.pdf: 原因：表三无法读取"
    assert back.code == cls.code and back.kind in ("input", "usage", "run")


def test_error_codes_are_stable_and_distinct():
    codes = {cls.code: cls.__name__ for cls in errors.every_error()}
    assert len(codes) == len(errors.every_error())
    assert codes["timeout"] == "FileTimeoutError" and codes["not_a_report"] == "NotAReportError"
    assert errors.FileMissingError.kind == "input" and errors.OutputPathError.kind == "usage"
    assert errors.ConversionError.kind == "run"
