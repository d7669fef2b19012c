"""Builds formkit's default Word templates (TOP-3 form, veiligheidsplan) with python-docx.

The templates use Word's own styles (Title, Heading 1, Table Grid, ...) so an
organisation restyles them in Word. Template variables are Dutch, since the people
who restyle a template read them: ``{{ huishouden }}``, ``{% for lid in gezinsleden %}``.
Table rows repeat with docxtpl's ``{%tr for ... %}`` rows; optional parts sit between
``{%p if ... %}`` paragraphs, and a table without rows gives way to "Geen." (``{%p else %}``).

Print layout lives in the table rows and in styles a restyler can change in Word: every heading
row repeats on a new page (``w:tblHeader``), no row splits (``w:cantSplit``), headings and the
paragraph before a table ("Bij tabel") keep with what follows, table text uses "Tabelkop" and
"Tabeltekst". A list that can grow long repeats its row three times (``xs[:1]``, ``xs[1:-2]``,
``xs[1:][-2:]``) so its first and last two rows stay with their neighbours: edit all three alike.
"""

from __future__ import annotations

from pathlib import Path

from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.table import WD_ROW_HEIGHT_RULE
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt, RGBColor

from ..core.atomic import write_atomic
from ..sheets.schema import Schema, build_schema

ACCENT = RGBColor(0x1F, 0x4E, 0x79)


#: Paragraph styles formkit adds, so an organisation restyles tables and their captions in Word.
TABLE_HEADING = "Tabelkop"  # a table's heading row: bold, a little smaller, kept with the next row
TABLE_TEXT = "Tabeltekst"  # a table's cells
BEFORE_TABLE = "Bij tabel"  # a label or explanation that belongs to the table after it: kept with it
AFTER_TABLE = "Na tabel"  # the empty line after a table kept on one page: it ends the chain of kept rows
NONE_TEXT = "Geen."  # what a section shows instead of a table without rows


def _document():
    doc = Document()
    section = doc.sections[0]
    section.orientation = WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = Cm(21.0), Cm(29.7)
    for side in ("left_margin", "right_margin"):
        setattr(section, side, Cm(2.0))
    section.top_margin, section.bottom_margin = Cm(2.0), Cm(2.0)
    normal = doc.styles["Normal"]
    normal.font.name = "Calibri"
    normal.font.size = Pt(10)
    for name in ("Title", "Heading 1", "Heading 2"):
        doc.styles[name].font.color.rgb = ACCENT
    for name in ("Heading 1", "Heading 2"):  # a heading never ends a page: it stays with what follows
        doc.styles[name].paragraph_format.keep_with_next = True
        doc.styles[name].paragraph_format.keep_together = True
    doc.styles["Heading 1"].paragraph_format.space_before = Pt(16)
    _paragraph_style(doc, TABLE_TEXT, size=9.5)
    heading = _paragraph_style(doc, TABLE_HEADING, base=TABLE_TEXT, size=9, keep_with_next=True)
    heading.font.bold = True
    before = _paragraph_style(doc, BEFORE_TABLE, keep_with_next=True)
    before.paragraph_format.space_before = Pt(6)
    before.paragraph_format.space_after = Pt(3)
    _paragraph_style(doc, AFTER_TABLE, size=2)
    _dutch(doc)
    return doc


def _dutch(doc) -> None:
    """Declare the document's language Dutch (nl-NL): Word's spelling check and a PDF's /Lang follow it."""
    defaults = doc.styles.element.find(qn("w:docDefaults"))
    run_defaults = defaults.find(qn("w:rPrDefault")) if defaults is not None else None
    properties = run_defaults.find(qn("w:rPr")) if run_defaults is not None else None
    if properties is None:
        return
    language = properties.find(qn("w:lang"))
    if language is None:
        language = OxmlElement("w:lang")
        properties.append(language)
    language.set(qn("w:val"), "nl-NL")
    language.set(qn("w:eastAsia"), "nl-NL")


def _paragraph_style(doc, name: str, *, base: str = "Normal", size: float | None = None,
                     keep_with_next: bool = False):
    """Return a new paragraph style of the document, based on `base`."""
    style = doc.styles.add_style(name, WD_STYLE_TYPE.PARAGRAPH)
    style.base_style = doc.styles[base]
    style.quick_style = True
    if size:
        style.font.size = Pt(size)
    style.paragraph_format.space_before = Pt(0)
    style.paragraph_format.space_after = Pt(0)
    style.paragraph_format.keep_with_next = keep_with_next
    return style


def _field(run, code: str) -> None:
    """Append a Word field (PAGE, NUMPAGES) to a run."""
    begin = OxmlElement("w:fldChar")
    begin.set(qn("w:fldCharType"), "begin")
    instr = OxmlElement("w:instrText")
    instr.set(qn("xml:space"), "preserve")
    instr.text = f" {code} "
    separate = OxmlElement("w:fldChar")
    separate.set(qn("w:fldCharType"), "separate")
    shown = OxmlElement("w:t")
    shown.text = "1"
    end = OxmlElement("w:fldChar")
    end.set(qn("w:fldCharType"), "end")
    for element in (begin, instr, separate, shown, end):
        run._r.append(element)


def _footer(doc, text: str) -> None:
    footer = doc.styles["Footer"]
    footer.font.size = Pt(8)
    footer.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.CENTER
    paragraph = doc.sections[0].footer.paragraphs[0]
    paragraph.style = footer
    paragraph.add_run(f"{text} · pagina ")
    _field(paragraph.add_run(), "PAGE")
    paragraph.add_run(" van ")
    _field(paragraph.add_run(), "NUMPAGES")


def _table(doc, headings: list[str], loop: str | None, cells: list[str], widths: list[float], *,
           height: float | None = None, keep: str = "ends"):
    """Return a new table: a heading row that repeats on every page, then rows repeated by `loop` (or one row).

    No row splits across pages. `height` (cm) gives each body row at least that height, room to
    write by hand. `keep` says what stays on one page: "whole", the whole table (a short table
    or form to fill in); "ends": the heading with the first row and the last two rows together,
    so no row is left alone at a page end or start while a long table still flows (the template
    repeats the row three times: ``{%tr for x in xs[:1] %}``, ``xs[1:-2]`` and ``xs[1:][-2:]``);
    or "flow": one plain repeated row, only the heading kept with the first row.
    """
    if loop and keep == "ends":
        name, items = (part.strip() for part in loop.split(" in ", 1))
        loops = [(f"{name} in {items}[:1]", True), (f"{name} in {items}[1:-2]", False),
                 (f"{name} in {items}[1:][-2:]", True)]
    elif loop:
        loops = [(loop, True)]
    else:
        loops = []
    table = doc.add_table(rows=1 + (3 * len(loops) or 1), cols=len(headings))
    table.style = "Table Grid"
    for i, text in enumerate(headings):
        cell = table.rows[0].cells[i]
        cell.text = text
        cell.paragraphs[0].style = doc.styles[TABLE_HEADING]
        _shade(cell, "D9E1F2")
    bodies: list[tuple[int, bool]] = []
    for n, (expression, kept) in enumerate(loops):
        table.rows[1 + 3 * n].cells[0].text = f"{{%tr for {expression} %}}"
        table.rows[3 + 3 * n].cells[0].text = "{%tr endfor %}"
        bodies.append((2 + 3 * n, kept))
    if not loops:
        bodies.append((1, True))
    for body, _ in bodies:
        for i, text in enumerate(cells):
            table.rows[body].cells[i].text = text
    table.autofit = False
    for i, width in enumerate(widths):
        table.columns[i].width = Cm(width)  # the grid, which LibreOffice follows
        for row in table.rows:
            row.cells[i].width = Cm(width)  # the cells, which Word follows
    for index, row in enumerate(table.rows):
        _tr_flag(row, "w:cantSplit")
        for cell in row.cells if index else ():
            for paragraph in cell.paragraphs:
                paragraph.style = doc.styles[TABLE_TEXT]
    for body, kept in bodies:
        if kept and keep != "flow":
            for cell in table.rows[body].cells:
                for paragraph in cell.paragraphs:
                    paragraph.paragraph_format.keep_with_next = True
        if height:
            table.rows[body].height = Cm(height)
            table.rows[body].height_rule = WD_ROW_HEIGHT_RULE.AT_LEAST
    _tr_flag(table.rows[0], "w:tblHeader")
    doc.add_paragraph(style=AFTER_TABLE)  # kept rows keep with what follows: this empty paragraph ends the chain
    return table


def _tr_flag(row, tag: str) -> None:
    """Switch on a row property such as w:cantSplit or w:tblHeader."""
    row._tr.get_or_add_trPr().append(OxmlElement(tag))


def _optional_table(doc, headings: list[str], loop: str, cells: list[str], widths: list[float], **options):
    """Add a table that only appears when its list has rows; "Geen." takes its place otherwise."""
    items = loop.split(" in ", 1)[1].strip()
    doc.add_paragraph(f"{{%p if {items} %}}")
    table = _table(doc, headings, loop, cells, widths, **options)
    doc.add_paragraph("{%p else %}")
    doc.add_paragraph(NONE_TEXT)
    doc.add_paragraph("{%p endif %}")
    return table


def _before_table(doc, text: str):
    """Return a paragraph that introduces the table after it and stays on its page."""
    return doc.add_paragraph(text, style=BEFORE_TABLE)


def _write_boxes(doc, labels: list[str], height: float) -> None:
    """Add boxes side by side to write in by hand, each under its label, kept together on one page."""
    width = 17 / len(labels)
    _table(doc, labels, None, [""] * len(labels), [width] * len(labels), height=height)


def _shade(cell, colour: str) -> None:
    shading = OxmlElement("w:shd")
    shading.set(qn("w:val"), "clear")
    shading.set(qn("w:color"), "auto")
    shading.set(qn("w:fill"), colour)
    cell._tc.get_or_add_tcPr().append(shading)


def _labelled(doc, label: str, value: str, style: str | None = None):
    paragraph = doc.add_paragraph(style=style)
    paragraph.add_run(f"{label}: ").bold = True
    paragraph.add_run(value)
    return paragraph


#: Height (cm) of a row that is filled in by hand at the meeting, and of a box to write in.
WRITE_ROW = 1.3
WRITE_BOX = 4.0


def build_top3(path: Path | str) -> None:
    """Write the default TOP-3 meeting form template: each part with room to write, kept on one page."""
    doc = _document()
    doc.add_paragraph("TOP-3 formulier casusoverleg", style="Title")
    doc.add_paragraph("Gefaseerd samenwerken aan veiligheid", style="Subtitle")
    _labelled(doc, "Huishouden", "{{ huishouden }}")
    _labelled(doc, "Dossier", "{{ dossier }}")
    _labelled(doc, "Casusoverleg", "{{ overleg }}")
    _labelled(doc, "Fase", "{{ fase }}")
    _labelled(doc, "Regisseur", "{{ regisseur }}")

    doc.add_heading("Gezinsleden", level=1)
    _optional_table(doc, ["Naam", "Rol", "Geboortejaar"], "lid in gezinsleden",
                    ["{{ lid.naam }}", "{{ lid.rol }}", "{{ lid.geboortejaar }}"], [7, 6.5, 3.5], keep="whole")
    doc.add_heading("Betrokken professionals", level=1)
    _optional_table(doc, ["Naam", "Organisatie", "Functie", "Eigen dossiernummer"], "p in professionals",
                    ["{{ p.naam }}", "{{ p.organisatie }}", "{{ p.functie }}", "{{ p.dossiernummer }}"],
                    [4.5, 5, 4, 3.5], keep="whole")

    doc.add_heading("1. Onveilige situaties (TOP-3)", level=1)
    _before_table(doc, "Zo concreet mogelijk, met datum of jaar. Elke omschrijving begint met de naam van het "
                       "(vermoedelijke) slachtoffer. Vermoeden van een strafbaar feit? Dan worden de afspraken "
                       "gemaakt in afstemming met politie en OM.")
    _table(doc, ["Nr.", "Slachtoffer", "Omschrijving", "Datum of jaar", "Strafbaar feit?"], "rij in rijen_situaties",
           ["{{ rij }}", "", "", "", ""], [1.7, 3, 7.3, 2.5, 2.5], height=WRITE_ROW, keep="whole")

    doc.add_heading("2. Veiligheidsbeoordeling", level=1)
    _before_table(doc, "Ieder geeft een cijfer van {{ schaal_min }} tot en met {{ schaal_max }} met een feitelijke "
                       "toelichting: waarom dit cijfer, waarom geen punt hoger of lager. {{ directe_veiligheid }} = de "
                       "cliënt is beschermd, het geweld is gestopt; {{ stabiele_veiligheid }} = minstens 6 maanden "
                       "geen incidenten.")
    _table(doc, ["Deelnemer", "Organisatie of rol", "Cijfer", "Toelichting"], "d in deelnemers",
           ["{{ d.naam }}", "{{ d.rol }}", "", ""], [4, 4, 1.6, 7.4], height=WRITE_ROW, keep="whole")

    doc.add_heading("3. Veiligheidsvoorwaarden", level=1)
    _before_table(doc, "Hoogstens {{ max_voorwaarden }} voorwaarden, elk gerealiseerd uiterlijk {{ uiterste_termijn }} "
                       "({{ max_termijn_maanden }} maanden na het casusoverleg).")
    _table(doc, ["Nr.", "Voorwaarde", "Termijn", "Eigenaar"], "rij in rijen_voorwaarden",
           ["{{ rij }}", "", "", ""], [1.2, 9.3, 2.5, 4], height=WRITE_ROW, keep="whole")

    doc.add_heading("4. Veiligheidsafspraken", level=1)
    _table(doc, ["Wie", "Wat", "Uiterlijk"], "rij in rijen_afspraken", ["", "", ""], [4, 10.5, 2.5],
           height=WRITE_ROW, keep="whole")

    doc.add_heading("5. Regie en toetsing", level=1)
    _labelled(doc, "Regisseur", "{{ regisseur }}", style=BEFORE_TABLE)
    _before_table(doc, "Toetsmomenten (wanneer en met wie wordt de veiligheid opnieuw beoordeeld):")
    _table(doc, ["Datum", "Met wie"], "rij in rijen_toetsmomenten", ["", ""], [4, 13],
           height=WRITE_ROW, keep="whole")
    _write_boxes(doc, ["Wanneer wordt Veilig Thuis geïnformeerd?",
                       "Consequenties als voorwaarden niet worden nageleefd"], WRITE_BOX)
    _footer(doc, "TOP-3 formulier · dossier {{ dossier }} · casusoverleg {{ overleg }}")
    write_atomic(Path(path), doc.save)


#: Width (cm) of the column with the marks of who named an item ("A, C").
MARKS = 1.8
#: Width (cm) of the text area of a page, and of a field's column when the schema gives none.
PAGE_WIDTH = 17.0
FIELD_WIDTH = 3.0


def _plan_table(doc, schema: Schema, section_key: str, loop: str, *, first: tuple[tuple[str, str, float], ...] = (),
                cells: dict[str, str] | None = None, optional: bool = True) -> None:
    """Add the plan's table of a table section: a column per field of the schema, then "Door" (the marks).

    Columns, headings (FieldDef.plan_heading) and widths (plan_width, scaled to the page) come
    from the schema, so a new field of the section is a new column without a change here; a
    cell shows ``{{ item.<field key> }}`` unless `cells` says otherwise. `first` holds columns
    (heading, cell, width) before the fields, e.g. a number.
    """
    var = loop.split(" in ", 1)[0].strip()
    fields = schema.section(section_key).plan_fields
    widths = [f.plan_width or FIELD_WIDTH for f in fields]
    room = PAGE_WIDTH - MARKS - sum(w for _, _, w in first)
    if abs(sum(widths) - room) > 1e-6:  # a field without its own width: every field's column gives a little
        widths = [w * room / sum(widths) for w in widths]
    widths = [w for _, _, w in first] + widths
    headings = [h for h, _, _ in first] + [f.plan_heading for f in fields] + ["Door"]
    texts = ([c for _, c, _ in first] + [(cells or {}).get(f.key, f"{{{{ {var}.{f.key} }}}}") for f in fields]
             + [f"{{{{ {var}.tekens }}}}"])
    add = _optional_table if optional else _table
    add(doc, headings, loop, texts, [*widths, MARKS])


def build_plan(path: Path | str, schema: Schema | None = None) -> None:
    """Write the default template of the joint veiligheidsplan: participants once with a mark, items with marks.

    The tables of the score sheet's table sections (situations, conditions, agreements, risk
    factors, recovery needs) take their columns from `schema` (default: formkit's own).
    """
    schema = schema or build_schema()
    doc = _document()
    doc.add_paragraph("Veiligheidsplan", style="Title")
    doc.add_paragraph("{{ huishouden }} · dossier {{ dossier }}", style="Subtitle")
    _labelled(doc, "Versie", "{{ versie }} · casusoverleg {{ overleg }}")
    _labelled(doc, "Kenmerk", "{{ kenmerk }} (vorige versie: {{ vorige }})")
    _labelled(doc, "Fase", "{{ fase }}")
    _labelled(doc, "Regisseur", "{{ regisseur }}")
    doc.add_paragraph("Eén plan voor allen: dit plan hoort in het dossier van elke betrokken organisatie. "
                      "Controleer aan het kenmerk dat u dezelfde versie heeft als de anderen.")

    doc.add_heading("Wijzigingen sinds de vorige versie", level=1)
    _optional_table(doc, ["Wijziging"], "w in wijzigingen", ["{{ w }}"], [17])

    doc.add_heading("Deelnemers", level=1)
    _before_table(doc, "De letter van een deelnemer staat in de kolom ‘Door’ bij alles wat hij of zij inbracht.")
    _optional_table(doc, ["Letter", "Naam", "Organisatie", "Functie", "Eigen dossiernummer"], "p in deelnemers",
                    ["{{ p.teken }}", "{{ p.naam }}", "{{ p.organisatie }}", "{{ p.functie }}",
                     "{{ p.dossiernummer }}"], [1.5, 3.5, 4.1, 4.2, 3.7])

    doc.add_heading("1. Onveilige situaties", level=1)
    doc.add_heading("Voorstel gezamenlijke TOP-3", level=2)
    _before_table(doc, "{{ regel_top }}")
    _optional_table(doc, ["Nr.", "Slachtoffer", "Situatie", "Punten", "Door"], "t in top3",
                    ["{{ t.nr }}", "{{ t.slachtoffer }}", "{{ t.omschrijving }}", "{{ t.punten }}", "{{ t.tekens }}"],
                    [1.1, 3, 9.3, 1.8, MARKS])
    doc.add_heading("Alle situaties per slachtoffer", level=2)
    _before_table(doc, "{{ regel_woorden }}")
    _plan_table(doc, schema, "situatie", "s in situaties", cells={"strafbaar_feit": "{{ s.strafbaar }}"})

    doc.add_heading("2. Veiligheidsbeoordeling", level=1)
    _labelled(doc, "Cijfers", "{{ samenvatting.tekst }}", style=BEFORE_TABLE)
    _labelled(doc, "Consensus", "{{ samenvatting.oordeel }}", style=BEFORE_TABLE)
    _before_table(doc, "{{ regel_consensus }}")
    _optional_table(doc, ["Deelnemer", "Cijfer", "Toelichting", "Hoger als", "Niet lager omdat"], "c in cijfers",
                    ["{{ c.deelnemer }}", "{{ c.cijfer }}", "{{ c.toelichting }}", "{{ c.hoger }}",
                     "{{ c.lager }}"], [3.2, 1.5, 4.9, 3.7, 3.7], keep="flow")
    doc.add_paragraph("{%p if gezinscijfers %}")
    doc.add_heading("Cijfers van gezinsleden", level=2)
    _plan_table(doc, schema, "gezinsscore", "g in gezinscijfers", optional=False)
    doc.add_paragraph("{%p endif %}")

    doc.add_heading("3. Veiligheidsvoorwaarden", level=1)
    _plan_table(doc, schema, "voorwaarde", "v in voorwaarden", first=(("Nr.", "{{ v.nr }}", 1.1),),
                cells={"termijn": "{{ v.termijn }}\n{{ v.termijnen }}"})  # every deadline when they differ

    doc.add_heading("4. Veiligheidsafspraken", level=1)
    _plan_table(doc, schema, "afspraak", "a in afspraken")

    doc.add_heading("Regie, toetsing en Veilig Thuis", level=1)
    _labelled(doc, "Regisseur", "{{ regisseur }}", style=BEFORE_TABLE)
    doc.add_heading("Voorgestelde regisseur", level=2)
    _optional_table(doc, ["Voorgesteld", "Door"], "t in voorgestelde_regisseurs",
                    ["{{ t.tekst }}", "{{ t.tekens }}"], [17 - MARKS, MARKS])
    doc.add_heading("Toetsmomenten", level=2)
    _optional_table(doc, ["Datum", "Door"], "t in toetsmomenten", ["{{ t.tekst }}", "{{ t.tekens }}"],
                    [17 - MARKS, MARKS])
    doc.add_heading("Wanneer wordt Veilig Thuis geïnformeerd", level=2)
    _optional_table(doc, ["Afspraak", "Door"], "t in veilig_thuis", ["{{ t.tekst }}", "{{ t.tekens }}"],
                    [17 - MARKS, MARKS])
    doc.add_heading("Consequenties als voorwaarden niet worden nageleefd", level=2)
    _optional_table(doc, ["Consequentie", "Door"], "t in consequenties", ["{{ t.tekst }}", "{{ t.tekens }}"],
                    [17 - MARKS, MARKS])

    doc.add_paragraph("{%p if risicofactoren %}")
    doc.add_heading("Risicofactoren (fase 2)", level=1)
    _plan_table(doc, schema, "risicofactor", "r in risicofactoren", optional=False)
    doc.add_paragraph("{%p endif %}")
    doc.add_paragraph("{%p if herstelbehoeften %}")
    doc.add_heading("Herstelbehoeften (fase 3)", level=1)
    _plan_table(doc, schema, "herstel", "h in herstelbehoeften", optional=False)
    doc.add_paragraph("{%p endif %}")

    doc.add_heading("Wat gaat goed en wat werkte eerder", level=1)
    _optional_table(doc, ["Omschrijving", "Door"], "t in sterke_punten", ["{{ t.tekst }}", "{{ t.tekens }}"],
                    [17 - MARKS, MARKS])

    doc.add_heading("Open punten voor het overleg", level=1)
    _optional_table(doc, ["Open punt"], "o in open_punten", ["{{ o }}"], [17])

    doc.add_heading("Verzendlijst", level=1)
    _before_table(doc, "Dit plan gaat naar elke betrokken organisatie, voor haar eigen dossier:")
    _optional_table(doc, ["Organisatie", "Eigen dossiernummer", "Contactpersoon"], "o in verzendlijst",
                    ["{{ o.organisatie }}", "{{ o.dossiernummer }}", "{{ o.naam }}"], [7, 4.5, 5.5])

    doc.add_heading("Bijlage: niet meegenomen formulieren", level=1)
    _before_table(doc, "Alle {{ aantal_inbreng }} ingevulde velden van de meegenomen formulieren staan, met wie ze "
                       "invulde, in welk bestand en in welke cel, in veiligheidsplan.xlsx (blad Inbreng) en plan.json.")
    _optional_table(doc, ["Bestand", "Professional", "Reden"], "b in bijlage",
                    ["{{ b.bestand }}", "{{ b.professional }}", "{{ b.reden }}"], [6, 3.5, 7.5])
    _footer(doc, "Veiligheidsplan dossier {{ dossier }} · versie {{ versie }} · {{ datum }} · kenmerk {{ kenmerk }}")
    write_atomic(Path(path), doc.save)


def build_report(path: Path | str) -> None:
    """Write the default template of the validation report for a regisseur."""
    doc = _document()
    doc.add_paragraph("Controle scoreformulieren", style="Title")
    doc.add_paragraph("{{ huishouden }} · dossier {{ dossier }}", style="Subtitle")
    _labelled(doc, "Casusoverleg", "{{ overleg }}")
    _labelled(doc, "Regisseur", "{{ regisseur }}")
    _labelled(doc, "Gecontroleerd op", "{{ datum }}")
    _labelled(doc, "Resultaat", "{{ fouten }} en {{ waarschuwingen }} in "
                                "{{ ontvangen }} van de {{ verwacht }} verwachte formulieren")
    doc.add_paragraph("Een fout moet hersteld worden vóór het casusoverleg; een waarschuwing is een punt om na te "
                      "lopen. Vraag de professional om een verbeterd formulier, of bespreek het in het overleg.")
    doc.add_heading("Ontvangen formulieren", level=1)
    _optional_table(doc, ["Professional", "Organisatie", "Bestand", "Status"], "f in formulieren",
                    ["{{ f.professional }}", "{{ f.organisatie }}", "{{ f.bestand }}", "{{ f.status }}"],
                    [3.8, 4.2, 6.6, 2.4])
    doc.add_paragraph("{%p if ontbrekend %}")
    doc.add_heading("Niet ontvangen", level=1)
    _table(doc, ["Professional", "Organisatie"], "o in ontbrekend", ["{{ o.naam }}", "{{ o.organisatie }}"], [8, 9])
    doc.add_paragraph("{%p endif %}")
    doc.add_heading("Bevindingen", level=1)
    _optional_table(doc, ["Ernst", "Professional", "Veld en cel", "Melding"], "b in bevindingen",
                    ["{{ b.ernst }}", "{{ b.professional }}", "{{ b.veld }}", "{{ b.melding }}"],
                    [2.9, 3.2, 3.6, 7.3])
    _footer(doc, "Controle dossier {{ dossier }} · casusoverleg {{ overleg }} · kenmerk {{ kenmerk }}")
    write_atomic(Path(path), doc.save)


def build_agenda(path: Path | str) -> None:
    """Write the default template of a meeting pack's cover and agenda."""
    doc = _document()
    doc.add_paragraph("Casusoverleg {{ overleg }}", style="Title")
    doc.add_paragraph("Vergaderpakket {{ voor }}", style="Subtitle")
    doc.add_paragraph("Vertrouwelijk: dit pakket bevat bijzondere persoonsgegevens. Bewaar het alleen op een "
                      "beveiligde plek en deel het niet verder dan nodig.")
    doc.add_heading("Agenda", level=1)
    _optional_table(doc, ["Tijd", "Huishouden", "Fase", "Regisseur", "Deelnemers", "In dit pakket"], "a in agenda",
                    ["{{ a.tijd }}", "{{ a.huishouden }}\n{{ a.dossier }}", "{{ a.fase }}", "{{ a.regisseur }}",
                     "{{ a.deelnemers }}", "{{ a.onderdelen }}"], [1.4, 2.7, 1.3, 3.9, 4.9, 2.8])
    _footer(doc, "Casusoverleg {{ overleg }}")
    write_atomic(Path(path), doc.save)


def build_overview(path: Path | str) -> None:
    """Write the default template of a household's overview of scores and open findings."""
    doc = _document()
    doc.add_paragraph("Overzicht voor het overleg", style="Title")
    doc.add_paragraph("{{ huishouden }} · dossier {{ dossier }}", style="Subtitle")
    _labelled(doc, "Casusoverleg", "{{ overleg }}")
    _labelled(doc, "Gezamenlijk plan", "{{ plan }}")
    _labelled(doc, "Formulieren", "{{ formulieren }}")
    doc.add_heading("Veiligheidscijfers", level=1)
    _labelled(doc, "Laagste, mediaan, hoogste", "{{ samenvatting }}", style=BEFORE_TABLE)
    _optional_table(doc, ["Deelnemer", "Cijfer", "Toelichting"], "c in cijfers",
                    ["{{ c.door }}", "{{ c.cijfer }}", "{{ c.toelichting }}"], [4.4, 1.6, 11])
    doc.add_heading("Cijferverloop", level=1)
    _optional_table(doc, ["Casusoverleg", "Cijfers"], "v in verloop", ["{{ v.overleg }}", "{{ v.cijfers }}"],
                    [3.6, 13.4])
    doc.add_heading("Signalen", level=1)
    _optional_table(doc, ["Niveau", "Signaal"], "s in signalen", ["{{ s.niveau }}", "{{ s.melding }}"], [2.5, 14.5])
    doc.add_heading("Open punten", level=1)
    _optional_table(doc, ["Open punt"], "o in open_punten", ["{{ o }}"], [17])
    doc.add_heading("Open bevindingen uit de controle", level=1)
    _optional_table(doc, ["Ernst", "Professional", "Veld", "Melding"], "b in bevindingen",
                    ["{{ b.ernst }}", "{{ b.professional }}", "{{ b.veld }}", "{{ b.melding }}"],
                    [2.9, 3.2, 3.6, 7.3])
    _footer(doc, "Overzicht dossier {{ dossier }} · casusoverleg {{ overleg }}")
    write_atomic(Path(path), doc.save)
