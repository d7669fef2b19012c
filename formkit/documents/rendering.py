"""Rendering Word templates with docxtpl, and checking an organisation's restyled templates.

Rendering is safe for users' values: Jinja's autoescaping is on (docxtpl's default is
off), the environment is sandboxed and undefined variables are errors instead of blanks.
Rendered values are never rendered again, so ``{{ x }}`` typed by a user stays text.

Tracked changes and comments: a restyled template may still hold tracked changes
(Word's "Wijzigingen bijhouden") or comments. formkit does not refuse such a template:
before rendering it accepts every change (insertions kept, deletions and moved-away text
dropped, formatting changes kept as they are now, deleted table rows removed), removes
the comments with their anchors and the comment parts, and switches change tracking off
(``w:trackRevisions`` out of settings.xml). ``formkit templates check`` and the check
before every command say so in a warning (``template_revisions_accepted``), so the
organisation can accept them in Word itself. The same cleaning runs on every rendered
document before it is saved, so no output ever carries ``w:ins``, ``w:del``,
``w:comment*`` or ``w:trackRevisions``. A deleted paragraph mark is not joined with the
next paragraph: only its mark goes, the paragraph stays.

Syntax errors in a template (a deleted ``{% endfor %}`` or ``{%p endif %}``, an unclosed
``{{``) are reported in Dutch with their place in the document: the nearest heading
above, the table number and the paragraph's text; never Jinja's English.
"""

from __future__ import annotations

import difflib
import io
import re
import zipfile
from dataclasses import dataclass
from pathlib import Path

import jinja2
from docxtpl import DocxTemplate
from jinja2 import meta
from jinja2.sandbox import SandboxedEnvironment
from lxml import etree

from ..core.atomic import write_atomic
from ..core.errors import TemplateError
from ..core.findings import Code, Finding, Place, finding
from ..core.templates import REQUIRED

# --- rendering --------------------------------------------------------------------------


def _environment() -> SandboxedEnvironment:
    return SandboxedEnvironment(autoescape=True, undefined=jinja2.StrictUndefined)


def _dutch_error(error: jinja2.TemplateError) -> str:
    """Return a Dutch description of a Jinja error met while rendering; never Jinja's English."""
    if isinstance(error, jinja2.UndefinedError):
        m = re.search(r"has no attribute '([^']+)'", str(error)) or re.search(r"'([^']+)' is undefined", str(error))
        return f"onbekend veld '{m.group(1)}'" if m else "een veld in het sjabloon bestaat niet"
    if isinstance(error, jinja2.TemplateSyntaxError):
        return dutch_syntax_message(error.message or "")
    if isinstance(error, jinja2.exceptions.SecurityError):
        return "het sjabloon probeert iets wat niet is toegestaan"
    return "het sjabloon kan niet worden ingevuld"


def render_docx(template: Path, context: dict, out: Path) -> None:
    """Render a Word template with `context` and save it atomically to `out`, free of revisions and comments."""
    try:
        source, _ = accept_revisions(Path(template).read_bytes())
        doc = DocxTemplate(io.BytesIO(source))
        doc.render(context, jinja_env=_environment(), autoescape=True)
        buffer = io.BytesIO()
        doc.save(buffer)
        data, _ = accept_revisions(buffer.getvalue())
    except jinja2.TemplateSyntaxError as e:
        raise TemplateError(f"sjabloon {Path(template).name}: een tag klopt niet: {_located_syntax(source, e)}") from e
    except jinja2.TemplateError as e:
        raise TemplateError(f"sjabloon {Path(template).name}: {_dutch_error(e)}") from e
    except Exception as e:  # a damaged .docx
        raise TemplateError(f"sjabloon {Path(template).name} kan niet worden gebruikt ({type(e).__name__})") from e
    write_atomic(Path(out), lambda tmp: Path(tmp).write_bytes(data))


def _located_syntax(source: bytes, error: jinja2.TemplateSyntaxError) -> str:
    """Return the Dutch description of a syntax error met while rendering, with its place when it can be found."""
    try:
        parts = _parts_xml(DocxTemplate(io.BytesIO(source)))
    except Exception:
        parts = []
    env = _environment()
    for part in parts:
        problem = syntax_problem(env, part)
        if problem:
            return f"{problem[0]} ({problem[1]})"
    return _dutch_error(error)


# --- tracked changes and comments -------------------------------------------------------

_W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
_CONTENT_PARTS = re.compile(r"word/(document|header\d*|footer\d*|footnotes|endnotes)\.xml")
_COMMENT_PARTS = re.compile(r"word/comments[A-Za-z]*\.xml")
_MARKS = re.compile(rb"<w:(ins|del|moveFrom|moveTo|\w+Change|comment\w*|cell(?:Ins|Del|Merge)|trackRevisions)[\s>/]")
#: Revision containers whose content stays (accepted insertions) or goes (accepted deletions).
_KEEP = {f"{{{_W}}}ins", f"{{{_W}}}moveTo"}
_DROP = {f"{{{_W}}}del", f"{{{_W}}}moveFrom"}
_MARKERS_ONLY = {f"{{{_W}}}{name}" for name in (
    "rPrChange", "pPrChange", "sectPrChange", "tblPrChange", "tblPrExChange", "trPrChange", "tcPrChange",
    "tblGridChange", "numberingChange", "cellIns", "cellDel", "cellMerge", "moveFromRangeStart",
    "moveFromRangeEnd", "moveToRangeStart", "moveToRangeEnd", "customXmlInsRangeStart", "customXmlInsRangeEnd",
    "customXmlDelRangeStart", "customXmlDelRangeEnd")}
_COMMENT_MARKS = {f"{{{_W}}}commentRangeStart", f"{{{_W}}}commentRangeEnd"}
#: A template is untrusted input: no entities expanded, nothing fetched.
_PARSER = etree.XMLParser(resolve_entities=False, no_network=True)


@dataclass(frozen=True)
class Revisions:
    """What accepting a document's tracked changes and removing its comments took out."""

    changes: int = 0
    comments: int = 0
    tracking: bool = False

    def __bool__(self) -> bool:
        return bool(self.changes or self.comments or self.tracking)


def accept_revisions(data: bytes) -> tuple[bytes, Revisions]:
    """Return the .docx `data` with tracked changes accepted, comments removed and tracking off, and what went."""
    with zipfile.ZipFile(io.BytesIO(data)) as zin:
        entries = [(info, zin.read(info.filename)) for info in zin.infolist()]
    if not any(_MARKS.search(content) for info, content in entries if info.filename.endswith(".xml")):
        return data, Revisions()
    changes = comments = 0
    tracking = False
    comment_parts = {i.filename for i, _ in entries if _COMMENT_PARTS.fullmatch(i.filename)}
    cleaned = []
    for info, content in entries:
        name = info.filename
        if name in comment_parts:
            continue
        if _CONTENT_PARTS.fullmatch(name) and _MARKS.search(content):
            root = etree.fromstring(content, _PARSER)
            c, m = _accept_in(root)
            changes, comments = changes + c, comments + m
            content = _serialise(root)
        elif name == "word/settings.xml" and b"trackRevisions" in content:
            root = etree.fromstring(content, _PARSER)
            for el in root.findall(f"{{{_W}}}trackRevisions"):
                root.remove(el)
                tracking = True
            content = _serialise(root)
        elif comment_parts and (name.endswith(".rels") or name == "[Content_Types].xml"):
            content = _without_comment_references(content)
        cleaned.append((info, content))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as zout:
        for info, content in cleaned:
            zout.writestr(info, content, compress_type=zipfile.ZIP_DEFLATED)
    return buffer.getvalue(), Revisions(changes, comments, tracking)


def _accept_in(root) -> tuple[int, int]:
    """Accept the tracked changes and remove the comments in one XML part; return how many of each."""
    changes = comments = 0
    for el in list(root.iter(*_DROP)):
        if el.getparent() is None:
            continue
        parent = el.getparent()
        changes += 1
        if parent.tag == f"{{{_W}}}trPr":  # a deleted table row: accepting removes the row
            row = parent.getparent()
            if row is not None and row.getparent() is not None:
                row.getparent().remove(row)
        elif parent.tag == f"{{{_W}}}rPr":  # a deleted paragraph mark or run mark: only the mark goes
            parent.remove(el)
        else:
            parent.remove(el)
    for el in list(root.iter(*_KEEP)):
        parent = el.getparent()
        if parent is None:
            continue
        changes += 1
        if parent.tag in (f"{{{_W}}}rPr", f"{{{_W}}}trPr"):
            parent.remove(el)
        else:
            _unwrap(el)
    for el in list(root.iter(*_MARKERS_ONLY)):
        if el.getparent() is not None:
            changes += el.tag.endswith("Change")
            el.getparent().remove(el)
    for el in list(root.iter(*_COMMENT_MARKS)):
        el.getparent().remove(el)
    for ref in list(root.iter(f"{{{_W}}}commentReference")):
        comments += 1
        run = ref.getparent()
        run.remove(ref)
        if run.tag == f"{{{_W}}}r" and all(child.tag == f"{{{_W}}}rPr" for child in run):
            run.getparent().remove(run)
    return changes, comments


def _unwrap(el) -> None:
    """Replace `el` by its children, in place."""
    parent = el.getparent()
    index = parent.index(el)
    for offset, child in enumerate(list(el)):
        parent.insert(index + offset, child)
    parent.remove(el)


def _serialise(root) -> bytes:
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)


def _without_comment_references(content: bytes) -> bytes:
    """Return a .rels or [Content_Types].xml without the entries for the comment parts."""
    root = etree.fromstring(content, _PARSER)
    for el in list(root):
        target = el.get("Target") or el.get("PartName") or ""
        if re.search(r"(^|/)comments[A-Za-z]*\.xml$", target):
            root.remove(el)
    return _serialise(root)


# --- checking a customised template -----------------------------------------------------

_TAG_OPEN = re.compile(r"\{[{%]")
_LOOKS_LIKE_OPEN = re.compile(r"\{\s*[{%]")
_INVISIBLE = re.compile("[\u00ad\u200b\u200c\u200d\u2060\ufeff]")
_PARAGRAPH = re.compile(r"<w:p[ >].*?</w:p>", re.DOTALL)
_RUN_TEXT = re.compile(r"<w:t(?: [^>]*)?>(.*?)</w:t>", re.DOTALL)


@dataclass(frozen=True)
class _Part:
    """One XML part of a template as docxtpl prepares it, with where it sits in the document."""

    xml: str
    where: str  # "" for the body, else "in de koptekst" / "in de voettekst"


def _parts_xml(tpl: DocxTemplate) -> list[_Part]:
    """Return the body, headers and footers of a template as docxtpl prepares them."""
    tpl.init_docx()
    parts = [_Part(tpl.patch_xml(tpl.get_xml()), "")]
    for uri, where in ((tpl.HEADER_URI, "in de koptekst"), (tpl.FOOTER_URI, "in de voettekst")):
        for _, part in tpl.get_headers_footers(uri):
            parts.append(_Part(tpl.patch_xml(tpl.get_part_xml(part)), where))
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


def check_docx_template(path: Path, relative: Path, sample_context: dict | None) -> list[Finding]:
    """Return what a customised Word template lacks or gets wrong.

    With `sample_context` None (formkit's own templates before a run) only the structure
    is checked: tracked changes, split tags, syntax and required tags, without test-rendering.
    """
    where = Place(file=relative.as_posix())
    try:
        source, revisions = accept_revisions(Path(path).read_bytes())
        parts = _parts_xml(DocxTemplate(io.BytesIO(source)))
    except Exception as e:
        return [finding(Code.template_unreadable, reason=type(e).__name__, **where)]
    found = []
    if revisions:
        found.append(finding(Code.template_revisions_accepted, changes=revisions.changes, comments=revisions.comments,
                             **where))
    found += [finding(Code.template_split_tag, context=_snippet(t), **where) for p in parts for t in _split_tags(p.xml)]
    env = _environment()
    used: set[str] = set()
    for part in parts:
        problem = syntax_problem(env, part)
        if problem:
            found.append(finding(Code.template_syntax, reason=problem[0], location=problem[1], **where))
        else:
            used |= meta.find_undeclared_variables(env.parse(part.xml))
    if any(f.code == Code.template_syntax for f in found):
        return found
    if sample_context is not None:
        known = set(sample_context)
        for name in sorted(used - known):
            close = difflib.get_close_matches(name, known, n=1)
            found.append(finding(Code.template_unknown_variable, name=name,
                                 suggestion=f" (bedoelt u '{close[0]}'?)" if close else "", **where))
    for name, label in REQUIRED[relative].items():
        if name not in used:
            found.append(finding(Code.template_required_missing, name=name, label=label, **where))
    if sample_context is not None and not any(f.is_error for f in found):
        try:
            DocxTemplate(io.BytesIO(source)).render(sample_context, jinja_env=_environment(), autoescape=True)
        except jinja2.TemplateError as e:
            found.append(finding(Code.template_render_error, reason=_dutch_error(e), **where))
    return found


def _snippet(value: str, limit: int = 60) -> str:
    value = re.sub(r"<[^>]+>", "", value)
    return value if len(value) <= limit else value[: limit - 1] + "…"


# --- syntax errors in Dutch, with their place -----------------------------------------------

_OPENERS = ("for", "if", "macro", "call", "filter", "with", "block", "autoescape", "raw")
_BLOCK_TAG = re.compile(r"\{%-?\s*(\w+)([^%]*?)-?%\}")
_BREAK_BEFORE = re.compile(r"(?=<w:p[ >]|<w:tbl[ >]|<w:tr[ >]|\{%|\{\{)")
_HEADING_STYLE = re.compile(r'<w:pStyle w:val="(?:Heading|Kop|heading|kop)\s?\d"')
_TABLE_EDGE = re.compile(r"<w:tbl[ >]|</w:tbl>")

#: Jinja's syntax messages (lower case, start) and what they mean, in Dutch.
_JINJA_DUTCH: tuple[tuple[re.Pattern, str], ...] = (
    (re.compile(r"unexpected end of template"), "een tag of blok is niet afgesloten"),
    (re.compile(r"expected token 'end of print statement'"),
     "een {{ … }}-tag is niet goed afgesloten: }} ontbreekt of er staat iets in dat geen veldnaam is"),
    (re.compile(r"expected token 'end of statement block'"),
     "een {% … %}-tag is niet goed afgesloten: %} ontbreekt of er staat iets in dat er niet hoort"),
    (re.compile(r"expected token 'name'"), "na | of . ontbreekt een naam"),
    (re.compile(r"expected token 'in'"), "in een for-tag ontbreekt 'in' (zoals {% for lid in gezinsleden %})"),
    (re.compile(r"tag name expected"), "na {% ontbreekt de naam van de tag (zoals if of for)"),
    (re.compile(r"encountered unknown tag '(\w+)'"), "onbekende tag {{% {0} %}}"),
    (re.compile(r"unexpected char '(.)'"), "het teken '{0}' hoort niet in een tag"),
    (re.compile(r"unexpected '([^']{1,3})'"), "het teken '{0}' staat op een verkeerde plek in een tag"),
    (re.compile(r"expected an expression|expected name"), "in een tag ontbreekt een veldnaam of waarde"),
)
_GENERIC = "de tag is niet goed opgebouwd; vergelijk hem met dezelfde tag in de standaardsjablonen"


def dutch_syntax_message(message: str) -> str:
    """Return Jinja's syntax message `message` in Dutch; an unknown message gets a Dutch generic text."""
    lowered = message.lower()
    for pattern, dutch in _JINJA_DUTCH:
        m = pattern.search(lowered)
        if m:
            return dutch.format(*m.groups()) if m.groups() else dutch
    return _GENERIC


def syntax_problem(env: jinja2.Environment, part: _Part) -> tuple[str, str] | None:
    """Return the Dutch description and the place of the first syntax error in `part`, or None when it parses."""
    xml = part.xml
    try:
        env.parse(xml)
        return None
    except jinja2.TemplateSyntaxError as e:
        jinja_error = e
    own = _unclosed_inline(xml) or _block_problem(xml)
    if own:
        reason, offset = own
    else:
        reason, offset = dutch_syntax_message(jinja_error.message or ""), _offset_of_line(env, xml)
    return reason, _location(xml, offset, part.where)


def _unclosed_inline(xml: str) -> tuple[str, int] | None:
    """Return the first `{{` or `{%` in a paragraph's text that is not closed in that paragraph."""
    for m in _PARAGRAPH.finditer(xml):
        text = _paragraph_text(m.group(0))
        for opened in re.finditer(r"\{\{|\{%", text):
            closer = "}}" if opened.group(0) == "{{" else "%}"
            rest = text[opened.end():]
            next_open = re.search(r"\{\{|\{%", rest)
            end = rest.find(closer)
            if end < 0 or (next_open and next_open.start() < end):
                shown = "{{ … }}" if closer == "}}" else "{% … %}"
                return f"een {shown}-tag is niet afgesloten: {closer} ontbreekt", m.start()
    return None


def _block_problem(xml: str) -> tuple[str, int] | None:
    """Return the first block that is not closed, or closed by the wrong end tag, with its offset."""
    stack: list[tuple[str, int]] = []
    for m in _BLOCK_TAG.finditer(xml):
        name = m.group(1)
        if name in _OPENERS and not (name == "set" and "=" in m.group(2)):
            stack.append((name, m.start()))
        elif name.startswith("end"):
            wanted = name[3:]
            if stack and stack[-1][0] == wanted:
                stack.pop()
            elif any(opened == wanted for opened, _ in stack):  # the innermost open block lost its end tag
                opened, offset = stack[-1]
                return (f"een blok is niet afgesloten: bij deze {{% {opened} %}}-tag ontbreekt "
                        f"{_end_tag(xml, offset, opened)} (vóór {{% {name} %}})"), offset
            else:
                return (f"de tag {{% {name} %}} sluit een blok af dat niet is geopend: {{% {wanted} … %}} "
                        "ontbreekt of is verwijderd"), m.start()
    if stack:
        name, offset = stack[-1]
        return f"een blok is niet afgesloten: bij deze {{% {name} %}}-tag ontbreekt {_end_tag(xml, offset, name)}", offset
    return None


def _end_tag(xml: str, offset: int, name: str) -> str:
    """Return the end tag as the author would type it where the block opens: {%p ...%}, {%tr ...%} or {% ...%}."""
    if _in_paragraph(xml, offset):
        return f"{{% end{name} %}}"
    return f"{{%tr end{name} %}}" if _table_at(xml, offset) else f"{{%p end{name} %}}"


def _in_paragraph(xml: str, offset: int) -> bool:
    """True when `offset` lies inside a paragraph (not between paragraphs or table rows)."""
    start = max((m.start() for m in re.finditer(r"<w:p[ >]", xml[:offset + 1])), default=-1)
    return start >= 0 and "</w:p>" not in xml[start:offset]


def _offset_of_line(env: jinja2.Environment, xml: str) -> int:
    """Return where in `xml` Jinja's syntax error lies, by parsing it again broken into one line per element."""
    starts = [0] + [m.start() for m in _BREAK_BEFORE.finditer(xml) if m.start() > 0]
    segments = [xml[a:b] for a, b in zip(starts, starts[1:] + [len(xml)])]
    broken = "\n".join(segments)
    try:
        env.parse(broken)
        return 0
    except jinja2.TemplateSyntaxError as e:
        line = max((e.lineno or 1) - 1, 0)
    position = 0  # where that line starts in `broken`
    for _ in range(line):
        found = broken.find("\n", position)
        if found < 0:
            break
        position = found + 1
    broken_start = 0
    for original_start, segment in zip(starts, segments):
        if broken_start + len(segment) >= position:
            return original_start + (position - broken_start)
        broken_start += len(segment) + 1
    return 0


def _location(xml: str, offset: int, where: str) -> str:
    """Return the place of `offset` in words: nearest heading above, table number and paragraph text."""
    parts = [where] if where else []
    heading = _heading_before(xml, offset)
    if heading:
        parts.append(f"onder de kop '{_snippet(heading, 50)}'")
    table = _table_at(xml, offset)
    if table:
        parts.append(f"in tabel {table}")
    parts.append(f"bij de tekst '{_snippet(_text_at(xml, offset), 60)}'")
    return ", ".join(parts)


def _heading_before(xml: str, offset: int) -> str:
    """Return the text of the last heading paragraph before `offset` (a Title is no heading)."""
    heading = ""
    for m in _PARAGRAPH.finditer(xml, 0, offset):
        if _HEADING_STYLE.search(m.group(0)):
            heading = _paragraph_text(m.group(0)).strip() or heading
    return heading


def _table_at(xml: str, offset: int) -> int | None:
    """Return the number (1, 2, ...) of the table that holds `offset`, or None outside tables."""
    count = 0
    stack: list[int] = []  # the numbers of the tables open at this point
    for m in _TABLE_EDGE.finditer(xml, 0, offset):
        if m.group(0).startswith("</"):
            if stack:
                stack.pop()
        else:
            count += 1
            stack.append(count)
    return stack[-1] if stack else None


def _text_at(xml: str, offset: int) -> str:
    """Return the visible text of the paragraph holding `offset`, or the tag at `offset` between paragraphs."""
    if _in_paragraph(xml, offset):
        start = max(m.start() for m in re.finditer(r"<w:p[ >]", xml[:offset + 1]))
        end = xml.find("</w:p>", offset)
        text = _paragraph_text(xml[start:end if end >= 0 else len(xml)])
        if text.strip():
            return text
    tag = re.match(r"\{[{%].*?[}%]\}", xml[offset:offset + 200], re.DOTALL)
    if tag:
        return tag.group(0)
    following = _PARAGRAPH.search(xml, offset)
    return _paragraph_text(following.group(0)) if following else ""


def _paragraph_text(paragraph_xml: str) -> str:
    """Return the visible text of a paragraph's XML; line breaks and tabs read as spaces."""
    return "".join(_RUN_TEXT.findall(re.sub(r"<w:(?:br|tab|cr)\b[^>]*/>", "<w:t> </w:t>", paragraph_xml))).strip()
