"""The package's layers: every import runs down the stages, never up or sideways.

Each top-level module or package of `ddm_lang` has a floor (the README's architecture
section draws them). A module may import from a lower floor only — at module level, inside
a function or under TYPE_CHECKING alike, since each of those is a dependency — so no two
packages can import each other and a new package has to be given its floor here.
"""

from __future__ import annotations

import ast
from pathlib import Path

import ddm_lang

PACKAGE = Path(ddm_lang.__file__).parent

# Lowest first. Units on one floor are independent of one another.
FLOORS: list[set[str]] = [
    {"scene", "values", "files", "errors", "lazy", "lru", "processes", "progress", "version",
     "namespaces", "stdlib_templates"},         # shared values and helpers
    {"syntax", "renderer"},                     # the front end; the rasteriser and fonts
    {"perception", "emit"},                     # perception service; Scene → SVG
    {"copy"},                                   # the copy writer (uses perception's models)
    {"semantics"},                              # checker, IR, functions, op signatures
    {"environment"},                            # what a compile reads besides its inputs
    {"layout", "ops"},                          # bind-time layout and operation resolvers
    {"bind"},                                   # template × product × format → Scene
    {"api"},                                    # load_template, Template, Creative
    {"quality", "gallery"},                     # measuring creatives; contact sheets
    {"demo", "generate"},                       # the demo; template-free generation
    {"batch", "serve", "lsp"},                  # production; the URL service; the language server
    {"cli"},
    {"__init__"},                               # the package's lazy public names
]
FLOOR = {unit: i for i, units in enumerate(FLOORS) for unit in units}


def _unit(module: str) -> str:
    """`ddm_lang.bind.binder` → `bind`; `ddm_lang` → `__init__`."""
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else "__init__"


def _module_of(path: Path, package: Path = PACKAGE) -> tuple[str, str]:
    """(module name, the package relative imports start from) of a source file."""
    rel = path.relative_to(package.parent).with_suffix("")
    parts = list(rel.parts)
    if parts[-1] == "__init__":
        parts.pop()
        return ".".join(parts), ".".join(parts)
    return ".".join(parts), ".".join(parts[:-1])


def _imports(path: Path, root: Path) -> list[tuple[str, int]]:
    """Every ddm_lang module a file imports, with the line, wherever the import stands."""
    _, package = _module_of(path, root)
    found: list[tuple[str, int]] = []
    for node in ast.walk(ast.parse(path.read_text("utf-8"))):
        if isinstance(node, ast.Import):
            found += [(a.name, node.lineno) for a in node.names
                      if a.name.split(".")[0] == "ddm_lang"]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[:len(package.split(".")) - node.level + 1]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            if target.split(".")[0] != "ddm_lang":
                continue
            if target == "ddm_lang":  # `from ddm_lang import ops`: the names are modules
                found += [(f"ddm_lang.{a.name}", node.lineno) for a in node.names]
            else:
                found.append((target, node.lineno))
    return found


def _edges(root: Path = PACKAGE) -> list[tuple[str, str, str]]:
    """(importing unit, imported unit, where) for every import between units."""
    edges = []
    for path in sorted(root.rglob("*.py")):
        module, _ = _module_of(path, root)
        for target, line in _imports(path, root):
            a, b = _unit(module), _unit(target)
            if a != b:
                edges.append((a, b, f"{path.relative_to(root.parent)}:{line}"))
    return edges


def test_every_unit_has_a_floor() -> None:
    units = {_unit(_module_of(p)[0]) for p in PACKAGE.rglob("*.py")}
    missing = sorted(units - set(FLOOR))
    assert not missing, f"give these a floor in FLOORS: {missing}"


def test_imports_run_down_the_floors() -> None:
    wrong = [f"{where}: {a} (floor {FLOOR[a]}) imports {b} (floor {FLOOR[b]})"
             for a, b, where in _edges()
             if a in FLOOR and b in FLOOR and FLOOR[b] >= FLOOR[a]]
    assert not wrong, "imports that run up or sideways:\n" + "\n".join(wrong)


def test_no_cycle_between_packages() -> None:
    graph: dict[str, set[str]] = {}
    for a, b, _ in _edges():
        graph.setdefault(a, set()).add(b)

    def reaches(start: str, goal: str, seen: set[str]) -> bool:
        for nxt in graph.get(start, ()):
            if nxt == goal or (nxt not in seen and reaches(nxt, goal, seen | {nxt})):
                return True
        return False

    cycles = sorted(unit for unit in graph if reaches(unit, unit, {unit}))
    assert not cycles, f"packages in an import cycle: {cycles}"


def test_the_checker_finds_an_import_that_runs_up(tmp_path: Path) -> None:
    """The scan itself: upward imports inside a function or relative ones are seen."""
    root = tmp_path / "ddm_lang"
    (root / "syntax").mkdir(parents=True)
    (root / "syntax" / "probe.py").write_text(
        "def f():\n    from ddm_lang.bind import bind\n    from ..api import Template\n")
    found = {(a, b) for a, b, _ in _edges(root)}
    assert found == {("syntax", "bind"), ("syntax", "api")}
