"""The package layout as the data flow: stages import only from the stages before them."""

from __future__ import annotations

import ast
from pathlib import Path

import formkit

PACKAGE = Path(formkit.__file__).parent
#: The stages in the order the data flows; a module may import from its own stage and those before it.
#: `app` (the local web app, issue 16) is a front end like `cli`, over the same library; `cli` starts it.
STAGES = ["core", "xlsx", "register", "sheets", "returns", "plan", "documents", "delivery", "app", "cli"]
#: Outside libraries, each behind one adapter: library -> the only places that may import it.
ADAPTERS = {
    "openpyxl": ("xlsx/",),
    "docxtpl": ("documents/rendering.py",),
    "pypdf": ("delivery/pdf.py",),
    "smtplib": ("delivery/mail.py",),
    "sqlite3": ("plan/history.py",),
    "extract_msg": ("returns/mailbox.py",),
    "starlette": ("app/",),
    "uvicorn": ("app/server.py",),
    "python_multipart": ("app/uploads.py",),
    "multipart": ("app/uploads.py",),
    "jinja2": ("documents/rendering.py", "app/view.py"),
}


def _modules():
    for path in sorted(PACKAGE.rglob("*.py")):
        yield path.relative_to(PACKAGE), ast.parse(path.read_text(encoding="utf-8"))


def _imports(relative: Path, tree: ast.AST):
    """Yield (absolute module, line) for every import in a module of formkit."""
    package = list(relative.parts[:-1])
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            if node.level:
                base = package[:len(package) - node.level + 1]
                target = ".".join(["formkit", *base, *([node.module] if node.module else [])])
                if not node.module:
                    for alias in node.names:
                        yield f"{target}.{alias.name}", node.lineno
                    continue
            else:
                target = node.module or ""
            yield target, node.lineno
        elif isinstance(node, ast.Import):
            for alias in node.names:
                yield alias.name, node.lineno


def _stage(module: str) -> int | None:
    parts = module.split(".")
    if parts[0] != "formkit" or len(parts) < 2 or parts[1] not in STAGES:
        return None
    return STAGES.index(parts[1])


def test_every_module_belongs_to_a_stage():
    loose = [str(r) for r, _ in _modules() if len(r.parts) == 1 and r.name not in ("__init__.py", "__main__.py")]
    assert loose == []
    assert sorted(p.name for p in PACKAGE.iterdir() if p.is_dir() and (p / "__init__.py").exists()) == sorted(STAGES)


def test_stages_import_only_from_earlier_stages():
    against_the_flow = []
    for relative, tree in _modules():
        if len(relative.parts) < 2:
            continue
        own = STAGES.index(relative.parts[0])
        for module, line in _imports(relative, tree):
            stage = _stage(module)
            if stage is not None and stage > own:
                against_the_flow.append(f"{relative}:{line} imports {module}")
    assert against_the_flow == []


def test_outside_libraries_stay_behind_their_adapter():
    outside = []
    for relative, tree in _modules():
        where = relative.as_posix()
        for module, line in _imports(relative, tree):
            library = module.split(".")[0]
            if library in ADAPTERS and not where.startswith(ADAPTERS[library]):
                outside.append(f"{where}:{line} imports {module}")
    assert outside == []


def test_the_package_says_it_is_typed():
    assert (PACKAGE / "py.typed").is_file()
