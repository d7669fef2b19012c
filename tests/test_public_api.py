"""The public API in formkit/__init__.py, and the README's Python example that uses only it."""

from __future__ import annotations

import ast
import datetime as dt
import json
import pydoc
import re
import subprocess
import sys
from pathlib import Path

import formkit

ROOT = Path(__file__).resolve().parent.parent
README = ROOT / "README.md"
INIT = Path(formkit.__file__)


def _readme_example() -> str:
    """Return the code of the ```python block in the README's section "Vanuit Python"."""
    text = README.read_text(encoding="utf-8")
    section = text.split("## Vanuit Python\n", 1)[1].split("\n## ", 1)[0]
    blocks = re.findall(r"```python\n(.*?)```", section, re.DOTALL)
    assert len(blocks) == 1, "the section 'Vanuit Python' has one Python example"
    return blocks[0]


def _type_checking_names() -> set[str]:
    """Return the names formkit/__init__.py imports for type checkers (under `if TYPE_CHECKING:`)."""
    tree = ast.parse(INIT.read_text(encoding="utf-8"))
    names = set()
    for node in tree.body:
        if isinstance(node, ast.If) and isinstance(node.test, ast.Name) and node.test.id == "TYPE_CHECKING":
            for statement in node.body:
                assert isinstance(statement, ast.ImportFrom)
                names |= {alias.asname or alias.name for alias in statement.names}
    return names


def test_every_public_name_exists_and_says_what_it_is():
    for name in formkit.__all__:
        value = getattr(formkit, name)
        if name == "__version__":
            assert re.fullmatch(r"\d+\.\d+\.\d+", value)
            continue
        assert (value.__doc__ or "").strip(), f"formkit.{name} has no docstring"
    assert len(set(formkit.__all__)) == len(formkit.__all__)


def test_what_type_checkers_see_is_what_runs():
    public = set(formkit.__all__) - {"__version__"}
    assert set(formkit._EXPORTS) == public
    assert _type_checking_names() == public
    for name, (module, attribute) in formkit._EXPORTS.items():
        assert getattr(formkit, name) is getattr(sys.modules[f"formkit.{module}"], attribute)


def test_an_unknown_name_is_an_attribute_error():
    try:
        formkit.write_form  # noqa: B018 (a typo of write_forms)
    except AttributeError as e:
        assert "write_form" in str(e)
    else:
        raise AssertionError("formkit.write_form should not exist")


def test_help_shows_every_public_name_with_its_docstring():
    shown = pydoc.render_doc(formkit, renderer=pydoc.plaintext)
    for name in set(formkit.__all__) - {"__version__"}:
        assert re.search(rf"\b{name}\b", shown), name
    assert formkit.check_batch.__doc__.splitlines()[0] in shown


def test_importing_formkit_loads_no_heavy_library():
    code = ("import sys, formkit; heavy = ['openpyxl', 'docxtpl', 'docx', 'pypdf', 'formkit.delivery', 'click']; "
            "print([m for m in heavy if m in sys.modules])")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT)
    assert out.stdout.strip() == "[]"


def test_the_readme_example_uses_only_the_public_api():
    tree = ast.parse(_readme_example())
    imported = {alias.name for node in ast.walk(tree) if isinstance(node, ast.Import) for alias in node.names}
    assert "formkit" in imported
    assert not [node for node in ast.walk(tree) if isinstance(node, ast.ImportFrom) and
                (node.module or "").startswith("formkit")]
    assert not [a for a in imported if a.startswith("formkit.")]
    used = {node.attr for node in ast.walk(tree)
            if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id == "formkit"}
    assert used <= set(formkit.__all__), used - set(formkit.__all__)


def test_the_readme_example_runs_the_cycle_on_the_samples(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    # The example must never make or use the secretariat's own key: the samples have their own.
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    monkeypatch.delenv("FORMKIT_SLEUTEL", raising=False)
    exec(compile(_readme_example(), str(README), "exec"), {"__name__": "readme_example"})
    out = capsys.readouterr().out
    uit = tmp_path / "uit"

    register = formkit.load_register(formkit.samples_dir() / "register.xlsx").register
    dossiers = register.dossiers_on(dt.date(2026, 12, 1))
    expected_forms = sum(len(register.professionals_of(d)) for d in dossiers)
    forms = sorted((uit / "formulieren").rglob("scoreformulier_*.xlsx"))
    assert len(forms) == expected_forms > 0
    assert f"{expected_forms} scoreformulieren" in out
    assert {f.parent.name for f in forms} == set(dossiers)

    assert "Casusoverleg 1 december 2026:" in out
    reports = {p.parent.name for p in (uit / "rapporten").rglob("controlerapport_*.xlsx")}
    assert reports == set(dossiers)

    plans = sorted((uit / "plannen").rglob("plan.json"))
    assert {json.loads(p.read_text(encoding="utf-8"))["dossier"] for p in plans} == set(dossiers)
    for path in plans:
        assert path.parent.name == "v1"
        assert list(path.parent.glob("veiligheidsplan_*.docx")) and list(path.parent.glob("veiligheidsplan_*.xlsx"))
        assert f"{path.parent.parent.parent.name} versie 1 " in out
    assert (uit / "formkit-historie.sqlite").is_file()

    assert "Stand van zaken op 2 maart 2027:" in out
    for dossier in dossiers:
        assert dossier in out.split("Stand van zaken op", 1)[1]
    assert not (tmp_path / "config").exists()
