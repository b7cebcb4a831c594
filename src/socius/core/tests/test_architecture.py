"""The dependency rule of docs/architecture.md, enforced by reading the code's imports.

The rule: boundaries (views, API endpoints, forms, templates, commands) call services and
selectors; services and selectors work with models; core imports no context; the domain
never imports the web layer. These tests parse every module of ``src/socius`` with ``ast``
(nothing is imported or executed), so they also catch imports inside functions.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

PACKAGE_DIR = Path(__file__).resolve().parents[2]  # src/socius
SOURCE_DIR = PACKAGE_DIR.parent  # src

# What core may import from the project: itself, and the two modules that hold no context.
CORE_MAY_IMPORT = {"socius.core", "socius.env", "socius.settings"}

DOMAIN_MODULE_NAMES = {"models", "services", "selectors", "tasks"}
WEB_MODULE_NAMES = {"views", "api", "api_auth", "schemas", "forms", "urls"}
WEB_LIBRARIES = {"django.http", "ninja"}

# Forms too: the one-write-path rule covers views, API endpoints and forms alike.
BOUNDARY_MODULE_NAMES = {"views", "api", "forms"}
WRITE_METHODS = {
    "save",
    "create",
    "update",
    "delete",
    "bulk_create",
    "bulk_update",
    "get_or_create",
    "update_or_create",
}


@dataclass(frozen=True)
class ImportedName:
    module: str
    line: int
    for_type_checking_only: bool


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(SOURCE_DIR).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _is_package(path: Path) -> bool:
    return path.name == "__init__.py"


def _absolute(node: ast.ImportFrom, *, importer: str, importer_is_package: bool) -> str:
    if node.level == 0:
        return node.module or ""
    package = importer.split(".") if importer_is_package else importer.split(".")[:-1]
    base = package[: len(package) - (node.level - 1)]
    return ".".join([*base, node.module] if node.module else base)


def _is_type_checking_guard(node: ast.If) -> bool:
    test = node.test
    if isinstance(test, ast.Name):
        return test.id == "TYPE_CHECKING"
    return isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"


def _type_checking_lines(tree: ast.Module) -> set[int]:
    """Lines inside the body (not the ``else``) of every ``if TYPE_CHECKING:`` block."""
    lines: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and _is_type_checking_guard(node):
            for statement in node.body:
                end = statement.end_lineno or statement.lineno
                lines.update(range(statement.lineno, end + 1))
    return lines


def imports_of_source(
    source: str, *, importer: str, importer_is_package: bool = False
) -> list[ImportedName]:
    """Every module the source imports, absolute, with ``from x import y`` giving ``x.y``.

    ``x.y`` is reported as well as ``x`` because ``y`` may be a submodule
    (``from socius import accounts``); ``importlib.import_module("...")`` counts too.
    """
    tree = ast.parse(source)
    type_only = _type_checking_lines(tree)
    found: list[ImportedName] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            modules = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = _absolute(node, importer=importer, importer_is_package=importer_is_package)
            modules = [f"{base}.{alias.name}" if base else alias.name for alias in node.names]
        elif (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute | ast.Name)
            and getattr(node.func, "attr", getattr(node.func, "id", "")) == "import_module"
            and node.args
            and isinstance(node.args[0], ast.Constant)
            and isinstance(node.args[0].value, str)
        ):
            modules = [node.args[0].value]
        else:
            continue
        found.extend(ImportedName(m, node.lineno, node.lineno in type_only) for m in modules)
    return sorted(found, key=lambda name: name.line)


def imports_of(path: Path) -> list[ImportedName]:
    return imports_of_source(
        path.read_text(encoding="utf-8"),
        importer=_module_name(path),
        importer_is_package=_is_package(path),
    )


def _is_within(module: str, prefix: str) -> bool:
    return module == prefix or module.startswith(prefix + ".")


def _project_modules(*, under: Path = PACKAGE_DIR) -> Iterator[Path]:
    for path in sorted(under.rglob("*.py")):
        if "__pycache__" not in path.parts:
            yield path


def _is_test_code(path: Path) -> bool:
    return "tests" in path.relative_to(PACKAGE_DIR).parts or path.name == "conftest.py"


def _has_role(path: Path, names: set[str]) -> bool:
    """A module named e.g. services.py, or any module of a services/ package."""
    relative = path.relative_to(PACKAGE_DIR)
    return path.stem in names or any(part in names for part in relative.parts[:-1])


def _where(path: Path, line: int) -> str:
    return f"{path.relative_to(SOURCE_DIR.parent)}:{line}"


def test_the_scanner_reads_the_real_code() -> None:
    # Guards against the rules below passing because they read nothing.
    services = PACKAGE_DIR / "core" / "services.py"
    modules = {name.module for name in imports_of(services)}
    assert "socius.core.models.Activity" in modules
    assert len(list(_project_modules())) > 50


def test_the_scanner_resolves_relative_imports_and_type_checking_blocks() -> None:
    source = (
        "from typing import TYPE_CHECKING\n"
        "from . import models\n"
        "from ..people.services import person_resolve\n"
        "if TYPE_CHECKING:\n"
        "    from socius.accounts.models import User\n"
        "else:\n"
        "    import socius.portal\n"
    )
    found = imports_of_source(source, importer="socius.core.services")
    assert [(n.module, n.line, n.for_type_checking_only) for n in found] == [
        ("typing.TYPE_CHECKING", 1, False),
        ("socius.core.models", 2, False),
        ("socius.people.services.person_resolve", 3, False),
        ("socius.accounts.models.User", 5, True),
        ("socius.portal", 7, False),
    ]


def test_core_imports_no_context() -> None:
    # Imports inside ``if TYPE_CHECKING:`` are allowed: they never run, and they let a type
    # such as core.http.AuthenticatedHttpRequest name the user model for mypy while core
    # stays importable on its own. Core's own tests are exempt: they build their data
    # through the real services of the contexts, as users would.
    violations = []
    for path in _project_modules(under=PACKAGE_DIR / "core"):
        if _is_test_code(path):
            continue
        for name in imports_of(path):
            if not _is_within(name.module, "socius") or name.for_type_checking_only:
                continue
            if any(_is_within(name.module, allowed) for allowed in CORE_MAY_IMPORT):
                continue
            violations.append(f"{_where(path, name.line)} imports {name.module}")
    if violations:
        pytest.fail("core must import no context:\n" + "\n".join(violations), pytrace=False)


def _is_web_layer(module: str) -> bool:
    if any(_is_within(module, library) for library in WEB_LIBRARIES):
        return True
    parts = module.split(".")
    return parts[0] == "socius" and any(part in WEB_MODULE_NAMES for part in parts[1:])


def test_the_domain_never_imports_the_web_layer() -> None:
    violations = []
    for path in _project_modules():
        if _is_test_code(path) or not _has_role(path, DOMAIN_MODULE_NAMES):
            continue
        for name in imports_of(path):
            if _is_web_layer(name.module):
                violations.append(f"{_where(path, name.line)} imports {name.module}")
    if violations:
        pytest.fail(
            "models, services, selectors and tasks must not import views, API, schemas, forms, "
            "urls, django.http or ninja:\n" + "\n".join(violations),
            pytrace=False,
        )


def _is_route_declaration(function: ast.Attribute) -> bool:
    # ``@router.delete("/...")`` declares an HTTP DELETE endpoint; it deletes nothing.
    return isinstance(function.value, ast.Name) and function.value.id == "router"


def test_views_api_endpoints_and_forms_write_only_through_services() -> None:
    violations = []
    for path in _project_modules():
        if _is_test_code(path) or not _has_role(path, BOUNDARY_MODULE_NAMES):
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and node.func.attr in WRITE_METHODS
                and not _is_route_declaration(node.func)
            ):
                call = ast.unparse(node.func)
                violations.append(f"{_where(path, node.lineno)} calls {call}()")
    if violations:
        pytest.fail(
            "views, API endpoints and forms change state only by calling a service "
            "(<context>.services.<entity>_<verb>):\n" + "\n".join(violations),
            pytrace=False,
        )
