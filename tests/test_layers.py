"""No two of the project's packages import each other: dependencies run one way, so a drawing
of the imports has no arrow running back up. Imports inside functions count too (as they do
for `lint-imports`, which checks the layers themselves: see [tool.importlinter])."""

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
NOT_APPLICATION = {"tests", "bench", "docs", "static", "templates", "fixtures"}


def project_packages() -> set[str]:
    return {
        path.parent.name
        for path in ROOT.glob("*/__init__.py")
        if path.parent.name not in NOT_APPLICATION and not path.parent.name.startswith(".")
    }


def imported_modules(source: str) -> set[str]:
    """Every absolute module `source` imports, at module level or inside a function."""
    modules = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            modules |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            modules.add(node.module)
            modules |= {f"{node.module}.{alias.name}" for alias in node.names}
    return modules


def package_imports(sources: dict[str, str], packages: set[str]) -> set[tuple[str, str]]:
    """(importer, imported) pairs of packages, from {path: source} with paths under ROOT."""
    pairs = set()
    for path, source in sources.items():
        importer = Path(path).parts[0]
        for module in imported_modules(source):
            imported = module.split(".")[0]
            if imported in packages and imported != importer:
                pairs.add((importer, imported))
    return pairs


def two_way(pairs: set[tuple[str, str]]) -> list[str]:
    return sorted(f"{a} <-> {b}" for a, b in pairs if (b, a) in pairs and a < b)


def project_sources(packages: set[str]) -> dict[str, str]:
    return {
        str(path.relative_to(ROOT)): path.read_text()
        for package in packages
        for path in (ROOT / package).rglob("*.py")
    }


def test_the_check_spots_apps_importing_each_other_even_inside_a_function():
    sources = {
        "milestones/models.py": "from outcomes.models import Outcome",
        "outcomes/models.py": "def cells(self):\n    from milestones.glance import year_cells",
        "routemap/models.py": "import core.clock",
    }
    pairs = package_imports(sources, {"milestones", "outcomes", "routemap", "core"})
    assert two_way(pairs) == ["milestones <-> outcomes"]


def test_no_two_apps_import_each_other():
    packages = project_packages()
    assert {"config", "core", "public", "routemap", "milestones", "partners"} <= packages
    pairs = package_imports(project_sources(packages), packages)
    assert two_way(pairs) == []
