"""Rendering Word templates with docxtpl, and checking an organisation's restyled templates.

Rendering is safe for users' values: Jinja's autoescaping is on (docxtpl's default is
off), the environment is sandboxed and undefined variables are errors instead of blanks.
Rendered values are never rendered again, so ``{{ x }}`` typed by a user stays text.
"""

from __future__ import annotations

import difflib
import re
from pathlib import Path

import jinja2
from docxtpl import DocxTemplate
from jinja2 import meta
from jinja2.sandbox import SandboxedEnvironment

from .atomic import write_atomic
from .errors import TemplateError
from .findings import Finding, finding
from .templates import REQUIRED


# --- rendering --------------------------------------------------------------------------


def _environment() -> SandboxedEnvironment:
    return SandboxedEnvironment(autoescape=True, undefined=jinja2.StrictUndefined)


def _dutch_error(error: jinja2.TemplateError) -> str:
    if isinstance(error, jinja2.UndefinedError):
        m = re.search(r"has no attribute '([^']+)'", str(error)) or re.search(r"'([^']+)' is undefined", str(error))
        return f"onbekend veld '{m.group(1) if m else error}'"
    if isinstance(error, jinja2.TemplateSyntaxError):
        return f"ongeldige tag ({error.message})"
    return str(error)


def render_docx(template: Path, context: dict, out: Path) -> None:
    """Render a Word template with `context` and save it atomically to `out`."""
    try:
        doc = DocxTemplate(template)
        doc.render(context, jinja_env=_environment(), autoescape=True)
    except jinja2.TemplateError as e:
        raise TemplateError(f"sjabloon {template.name}: {_dutch_error(e)}") from e
    except Exception as e:  # a damaged .docx
        raise TemplateError(f"sjabloon {template.name} kan niet worden gebruikt ({type(e).__name__})") from e
    write_atomic(Path(out), doc.save)


# --- checking a customised template -----------------------------------------------------

_TAG_OPEN = re.compile(r"\{[{%]")
_LOOKS_LIKE_OPEN = re.compile(r"\{\s*[{%]")
_INVISIBLE = re.compile("[\u00ad\u200b\u200c\u200d\u2060\ufeff]")
_PARAGRAPH = re.compile(r"<w:p[ >].*?</w:p>", re.DOTALL)
_RUN_TEXT = re.compile(r"<w:t(?: [^>]*)?>(.*?)</w:t>", re.DOTALL)


def _parts_xml(tpl: DocxTemplate) -> list[str]:
    """Return the body, headers and footers of a template as docxtpl prepares them."""
    tpl.init_docx()
    parts = [tpl.patch_xml(tpl.get_xml())]
    for uri in (tpl.HEADER_URI, tpl.FOOTER_URI):
        for _, part in tpl.get_headers_footers(uri):
            parts.append(tpl.patch_xml(tpl.get_part_xml(part)))
    return parts


def _split_tags(xml: str) -> list[str]:
    """Return the text of paragraphs with something that looks like a tag but is not one.

    docxtpl mends tags that Word split with formatting or proofing marks alone. What it
    cannot mend is a tag whose braces ended up apart, with invisible characters or a
    space between them: the reader sees ``{{ naam }}``, Jinja sees plain text.
    """
    found = []
    for paragraph in _PARAGRAPH.findall(xml):
        runs = _RUN_TEXT.findall(paragraph)
        visible = _INVISIBLE.sub("", "".join(runs))
        if len(_LOOKS_LIKE_OPEN.findall(visible)) > sum(len(_TAG_OPEN.findall(r)) for r in runs):
            found.append(visible)
    return found


def check_docx_template(path: Path, relative: Path, sample_context: dict) -> list[Finding]:
    """Return what a customised Word template lacks or gets wrong."""
    where = dict(file=relative.as_posix())
    try:
        tpl = DocxTemplate(path)
        parts = _parts_xml(tpl)
    except Exception as e:
        return [finding("template_unreadable", reason=type(e).__name__, **where)]
    found = [finding("template_split_tag", context=_snippet(t), **where) for xml in parts for t in _split_tags(xml)]
    env = _environment()
    used: set[str] = set()
    for xml in parts:
        try:
            used |= meta.find_undeclared_variables(env.parse(xml))
        except jinja2.TemplateSyntaxError as e:
            found.append(finding("template_syntax", reason=e.message, context=_snippet(_line_text(xml, e.lineno)),
                                 **where))
    if any(f.code == "template_syntax" for f in found):
        return found
    known = set(sample_context)
    for name in sorted(used - known):
        close = difflib.get_close_matches(name, known, n=1)
        found.append(finding("template_unknown_variable", name=name,
                             suggestion=f" (bedoelt u '{close[0]}'?)" if close else "", **where))
    for name, label in REQUIRED[relative].items():
        if name not in used:
            found.append(finding("template_required_missing", name=name, label=label, **where))
    if not found:
        try:
            DocxTemplate(path).render(sample_context, jinja_env=_environment(), autoescape=True)
        except jinja2.TemplateError as e:
            found.append(finding("template_render_error", reason=_dutch_error(e), **where))
    return found


def _line_text(xml: str, lineno: int | None) -> str:
    lines = xml.splitlines()
    if not lineno or lineno > len(lines):
        return ""
    return "".join(_RUN_TEXT.findall(lines[lineno - 1]))


def _snippet(value: str, limit: int = 60) -> str:
    value = re.sub(r"<[^>]+>", "", value)
    return value if len(value) <= limit else value[: limit - 1] + "…"
