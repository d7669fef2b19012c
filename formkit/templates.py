"""Where the templates are: the defaults shipped with formkit, or an organisation's own."""

from __future__ import annotations

from pathlib import Path

from .errors import TemplateError

SCORE_SHEET = Path("xlsx") / "scoreformulier.xlsx"

_PACKAGE = Path(__file__).resolve().parent


def default_templates_dir() -> Path:
    """Return the folder with formkit's default templates (in a wheel or a checkout)."""
    for candidate in (_PACKAGE / "_data" / "templates", _PACKAGE.parent / "templates"):
        if (candidate / SCORE_SHEET).is_file():
            return candidate
    raise TemplateError("de standaardsjablonen van formkit zijn niet gevonden; installeer formkit opnieuw")


def template_path(relative: Path, templates_dir: Path | None = None) -> Path:
    """Return the path of one template, from `templates_dir` or else from the defaults."""
    base = Path(templates_dir) if templates_dir is not None else default_templates_dir()
    path = base / relative
    if not path.is_file():
        raise TemplateError(f"sjabloon {relative.as_posix()} ontbreekt in de map {base}")
    return path


def samples_dir() -> Path:
    """Return the folder with the bundled fictional samples."""
    for candidate in (_PACKAGE / "_data" / "samples", _PACKAGE.parent / "samples"):
        if (candidate / "register.xlsx").is_file():
            return candidate
    raise TemplateError("de voorbeeldbestanden van formkit zijn niet gevonden; installeer formkit opnieuw")
