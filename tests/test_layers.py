"""Imports point down: tasks ← results ← replay ← strategies ← benchmarks, and inside benchmarks
config ← cluster ← orchestration ← cost ← perf | studies ← commands ← cli. Every import statement of every
module is read with `ast` (imports inside functions included), so a lazy upward import fails too."""
import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("tasks", "results", "replay", "strategies", "benchmarks")
# Inside benchmarks, by sub-package (or top-level module); a module may import its own rank or lower.
BENCHMARKS_RANKS = {"config": 0, "config_schema": 0, "config_yaml": 0, "cluster": 1, "orchestration": 2, "cost": 3,
                    "perf": 4, "studies": 4, "commands": 5, "cli": 6}
# The shared `--epochs/--device/--set` arguments are argparse plumbing the studies' own command lines reuse.
ALLOWED = {("studies", "benchmarks.commands.training_options")}


def imported_modules(source: str) -> list[str]:
    names = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            names += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.append(node.module)
            if "." not in node.module:  # `from benchmarks import studies`: the name is the module
                names += [f"{node.module}.{alias.name}" for alias in node.names]
    return names


def benchmarks_part(module: str) -> str | None:
    parts = module.split(".")
    return parts[1] if parts[0] == "benchmarks" and len(parts) > 1 else None


def location(path: Path) -> tuple[str, str | None]:
    """(package, benchmarks part or None) of a source file."""
    relative = path.relative_to(ROOT).parts
    return relative[0], relative[1].removesuffix(".py") if relative[0] == "benchmarks" else None


def upward_imports(source: str, package: str, part: str | None) -> list[str]:
    wrong = []
    for module in imported_modules(source):
        top = module.split(".")[0]
        if top in PACKAGES and PACKAGES.index(top) > PACKAGES.index(package):
            wrong.append(module)
        target = benchmarks_part(module)
        if part in BENCHMARKS_RANKS and target in BENCHMARKS_RANKS and (part, module) not in ALLOWED \
                and BENCHMARKS_RANKS[target] > BENCHMARKS_RANKS[part]:
            wrong.append(module)
    return wrong


def sources(package: str) -> list[Path]:
    return sorted((ROOT / package).rglob("*.py"))


@pytest.mark.parametrize("package", PACKAGES)
def test_no_module_imports_upward(package):
    wrong = {str(path.relative_to(ROOT)): found for path in sources(package)
             if (found := upward_imports(path.read_text(), *location(path)))}
    assert wrong == {}


def test_every_benchmarks_module_has_a_rank():
    """A new sub-package must say where it sits, or the check above would silently skip it."""
    parts = {location(path)[1] for path in sources("benchmarks")}
    assert parts - {"__init__"} <= set(BENCHMARKS_RANKS)


def test_the_check_sees_upward_imports():
    """Lazy imports count; a sub-package may import down and sideways-allowed, never up."""
    source = "def f():\n    from strategies.registry import STRATEGIES\n    import benchmarks.commands.run\n"
    assert upward_imports(source, "tasks", None) == ["strategies.registry", "benchmarks.commands.run"]
    assert upward_imports(source, "benchmarks", "orchestration") == ["benchmarks.commands.run"]
    assert upward_imports(source, "benchmarks", "cli") == []
    assert upward_imports("from benchmarks import cli", "benchmarks", "cost") == ["benchmarks.cli"]
    assert upward_imports("from benchmarks.commands.training_options import add_training_arguments",
                          "benchmarks", "studies") == []
