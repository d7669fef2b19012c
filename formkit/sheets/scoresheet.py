"""The Excel score sheet: building the default template and filling one form from it.

The template is a real workbook: an organisation may restyle it in Excel (logo,
colours, wording, even move rows) as long as the defined names stay. The writer finds
every cell through its defined name, so it fills a restyled template as well as the
default one. Validations, protection and metadata come from the schema at fill time.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from ..core import dates, dutch
from ..core.dutch import XLSX_DATE
from ..core.errors import TemplateError
from ..xlsx import (
    Alignment,
    Border,
    Break,
    DataValidation,
    DefinedName,
    Font,
    MergedCell,
    PatternFill,
    Protection,
    Side,
    StringProperty,
    Workbook,
    WorkbookProtection,
    absolute_coordinate,
)
from ..xlsx.workbook import WorkbookUnreadable, open_workbook, save_atomic, set_text, short_title
from .names import FormMeta, merged_inputs, resolve_names
from .schema import (
    COLUMN_WIDTHS,
    LAST_COLUMN,
    LISTS,
    LISTS_SHEET,
    META_SHEET,
    SHEET,
    FieldType,
    InputCell,
    Schema,
    row_label,
)
from .seal import SEAL_KEY, SealKey, default_key, seal

DATE_FORMAT = XLSX_DATE
#: A date-or-year cell shows a date as dd-mm-jjjj (four-digit year) and a year typed as a
#: number as that year: a date is a serial number far above 2100. The date section comes
#: first, so openpyxl (and the reader) takes the cell for a date and a year comes back as
#: a date in 1905, which :mod:`formkit.returns.interpret` turns back into the year. Rendered in
#: LibreOffice: "2015" and "15-11-2026" (tests/test_workbook_layout.py).
DATE_OR_YEAR_FORMAT = "[>2100]dd-mm-yyyy;0"
#: Points of rows one printed portrait A4 page of the score sheet holds at its fit-to-width
#: scale: Excel shrinks its 140 characters of columns (about 754 points) to the 523 points
#: between the margins (0.69), so the 749 points between top and bottom margin hold about
#: 1080 points of rows; LibreOffice's columns are wider, so its pages hold more.
PAGE_POINTS = 1050
#: A row's height in points when the sheet does not set one.
DEFAULT_ROW_POINTS = 15.0
MAX_LIST_ROWS = 200


# --- styles of the default template -----------------------------------------------------

_TITLE_FONT = Font(name="Calibri", bold=True, size=14, color="1F4E79")
_SECTION_FILL = PatternFill("solid", fgColor="1F4E79")
_SECTION_FONT = Font(name="Calibri", bold=True, color="FFFFFF", size=12)
_HELP_FONT = Font(name="Calibri", italic=True, color="404040")
_HEADING_FONT = Font(name="Calibri", bold=True)
_HEADING_FILL = PatternFill("solid", fgColor="D9E1F2")
_HEADER_FILL = PatternFill("solid", fgColor="EDEDED")
_INPUT_FILL = PatternFill("solid", fgColor="FFF9D6")
_THIN = Side(style="thin", color="A6A6A6")
_BOX = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
_WRAP = Alignment(wrap_text=True, vertical="top")
#: An answer next to its label: left aligned, also a number or a date in a wide merged cell.
_ANSWER = Alignment(wrap_text=True, vertical="top", horizontal="left")


def build_template(schema: Schema, path: Path | str) -> None:
    """Write the default score sheet template for `schema` to `path`."""
    wb = Workbook()
    ws = wb.active
    ws.title = SHEET
    for letter, width in COLUMN_WIDTHS.items():
        ws.column_dimensions[letter].width = width

    ws["A1"] = "Scoreformulier veiligheid – TOP-3 methodiek"
    ws["A1"].font = _TITLE_FONT
    ws.merge_cells(f"A1:{LAST_COLUMN}1")
    ws["A3"] = ("Vul de gele cellen in; kies waar een keuzelijst is. Grijze cellen vult formkit in. "
                "Datums als dd-mm-jjjj. Stuur het bestand terug aan het secretariaat, ook als u het "
                "een andere naam geeft.")
    ws["A3"].font, ws["A3"].alignment = _HELP_FONT, _WRAP
    ws.merge_cells(f"A3:{LAST_COLUMN}3")
    ws.row_dimensions[3].height = 30

    for h in schema.header:
        label = ws.cell(h.row, 1, h.label)
        label.font = _HEADING_FONT
        value = ws[h.cell]
        value.fill, value.border, value.alignment = _HEADER_FILL, _BOX, _WRAP
        ws.merge_cells(f"{h.cell}:{LAST_COLUMN}{h.row}")
        _name(wb, h.name, SHEET, h.cell)

    by_section: dict[str, list[InputCell]] = {}
    for c in schema.inputs:
        by_section.setdefault(c.section.key, []).append(c)
    for section in schema.sections:
        _draw_section(wb, ws, schema, section, by_section[section.key])

    ws.freeze_panes = f"A{schema.freeze_row}"
    last_row = max(c.row for c in schema.inputs)
    ws.print_area = f"A1:{LAST_COLUMN}{last_row}"
    ws.print_title_rows = "1:2"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.orientation = "portrait"
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.page_margins.left = ws.page_margins.right = 0.5
    ws.page_margins.top, ws.page_margins.bottom = 0.6, 0.7
    ws.oddFooter.left.text = "Scoreformulier veiligheid"
    ws.oddFooter.right.text = "pagina &P van &N"
    _keep_sections_whole(ws, schema)
    ws.sheet_view.showGridLines = False

    lists = wb.create_sheet(LISTS_SHEET)
    for ftype, (name, column) in LISTS.items():
        lists[f"{column}1"] = name
        lists[f"{column}1"].font = _HEADING_FONT
        choices = schema.choices(ftype) or ()
        for i, value in enumerate(choices, start=2):
            lists[f"{column}{i}"] = value
        _name(wb, name, LISTS_SHEET, f"{column}2:{column}{max(2, len(choices) + 1)}")
    meta = wb.create_sheet(META_SHEET)
    meta["A1"], meta["B1"] = "sleutel", "waarde"
    meta["A1"].font = meta["B1"].font = _HEADING_FONT
    meta.column_dimensions["A"].width = 28
    meta.column_dimensions["B"].width = 40
    for extra in (lists, meta):
        extra.sheet_state = "hidden"
    _protect(ws)
    save_atomic(wb, Path(path))


def _draw_section(wb, ws, schema: Schema, section, cells: list[InputCell]) -> None:
    top = schema.section_rows[section.key]
    title = ws.cell(top, 1, section.title)
    for col in range(1, len(COLUMN_WIDTHS) + 1):
        ws.cell(top, col).fill = _SECTION_FILL
    title.font = _SECTION_FONT
    helptext = ws.cell(top + 1, 1, section.help)
    helptext.font, helptext.alignment = _HELP_FONT, _WRAP
    ws.merge_cells(f"A{top + 1}:{LAST_COLUMN}{top + 1}")
    ws.row_dimensions[top + 1].height = 30
    if section.is_table:
        heading_row = top + 2
        ws.cell(heading_row, 1, "Nr.")
        for f in section.fields:
            ws[f"{f.column}{heading_row}"] = f.label
        for col in range(1, len(COLUMN_WIDTHS) + 1):
            cell = ws.cell(heading_row, col)
            cell.font, cell.fill, cell.border, cell.alignment = _HEADING_FONT, _HEADING_FILL, _BOX, _WRAP
        for c in cells:  # a table's cells have a row index; should one not, it gets its field's label
            label = ws.cell(c.row, 1, c.field.label if c.index is None else row_label(section, c.index))
            label.font, label.alignment = _HEADING_FONT, _WRAP
    else:
        for c in cells:
            label = ws.cell(c.row, 1, c.field.label)
            label.font, label.alignment = _HEADING_FONT, _WRAP
            ws.merge_cells(f"{c.cell}:{LAST_COLUMN}{c.row}")
    for c in cells:
        cell = ws[c.cell]
        cell.fill, cell.border = _INPUT_FILL, _BOX
        cell.alignment = _WRAP if section.is_table else _ANSWER
        cell.protection = Protection(locked=False)
        if c.field.type in (FieldType.DATE, FieldType.TERM):
            cell.number_format = DATE_FORMAT
        elif c.field.type is FieldType.DATE_OR_YEAR:
            cell.number_format = DATE_OR_YEAR_FORMAT
        if c.field.type is FieldType.TEXT:
            ws.row_dimensions[c.row].height = 45 if not section.is_table else 30
        _name(wb, c.name, SHEET, c.cell)


def _keep_sections_whole(ws, schema: Schema) -> None:
    """Put a page break before every section that would not fit on the rest of its page.

    A section (title, help, column headings and rows) then never spreads over two pages,
    so its column headings stand above all of its rows on paper as well.
    """
    def height(row: int) -> float:
        return ws.row_dimensions[row].height or DEFAULT_ROW_POINTS

    starts = [schema.section_rows[s.key] for s in schema.sections]
    ends = starts[1:] + [max(c.row for c in schema.inputs) + 2]
    title_points = height(1) + height(2)
    used = sum(height(r) for r in range(3, starts[0]))
    for start, end in zip(starts, ends):
        size = sum(height(r) for r in range(start, end))
        if used and used + size > PAGE_POINTS - title_points:
            ws.row_breaks.append(Break(id=start - 1))
            used = 0
        used += size


def _name(wb, name: str, sheet: str, ref: str) -> None:
    quoted = f"'{sheet}'" if not sheet.isidentifier() else sheet
    wb.defined_names[name] = DefinedName(name, attr_text=f"{quoted}!{absolute_coordinate(ref)}")


def _protect(ws) -> None:
    """Protect a sheet against accidental layout changes; rows and columns may be resized."""
    ws.protection.sheet = True
    ws.protection.formatRows = False
    ws.protection.formatColumns = False
    ws.protection.selectLockedCells = False
    ws.protection.selectUnlockedCells = False


# --- filling one form -------------------------------------------------------------------


@dataclass(frozen=True)
class FormContent:
    """What formkit writes into one form: the header and the household's lists."""

    meta: FormMeta
    household_name: str
    phase: int | None
    professional_name: str
    organisation: str
    function: str
    members: tuple[str, ...]  # as shown in the dropdown
    members_text: str  # for the header: name (role, year) per line
    professionals: tuple[str, ...]  # as shown in the dropdown


class ScoreSheetWriter:
    """Fills score sheets from one template, which it parses once and reuses for every form.

    Every part that differs between forms (header, dropdown lists, validations, metadata,
    row heights) is written anew for each form, so nothing of one form reaches the next.
    """

    def __init__(self, schema: Schema, template: Path, key: SealKey | None = None):
        """`key` seals every form; without it, the secretariat's usual key (made when missing)."""
        self.schema = schema
        self.template = Path(template)
        self.key = key if key is not None else default_key(create=True)
        self._wb: Workbook | None = None  # the parsed template, once the first form needs it
        self._places: dict[str, tuple[str, str]] = {}
        self._heights: dict[tuple[str, int], float | None] = {}

    def _load(self) -> Workbook:
        if self._wb is not None:
            return self._wb
        try:
            wb = open_workbook(self.template)
        except WorkbookUnreadable as e:
            raise TemplateError(f"het sjabloon {self.template.name} kan niet worden geopend: {e}") from e
        header_names = [h.name for h in self.schema.header]
        places, missing = resolve_names(wb, header_names + [c.name for c in self.schema.inputs])
        missing_sheets = [s for s in (SHEET, LISTS_SHEET, META_SHEET) if s not in wb.sheetnames]
        merged = merged_inputs(wb, places)
        if merged:
            raise TemplateError(f"in het sjabloon {self.template.name} wijst naam '{merged[0]}' naar een cel binnen "
                                "samengevoegde cellen; laat de naam naar de eerste (linkerbovenste) cel wijzen")
        if missing or missing_sheets:
            raise TemplateError(
                f"het sjabloon {self.template.name} mist "
                + ", ".join([f"blad '{s}'" for s in missing_sheets] + [f"naam '{n}'" for n in missing[:10]])
                + (" en meer" if len(missing) > 10 else "")
            )
        for name in header_names:
            sheet, cell = places[name]
            row = wb[sheet][cell].row
            self._heights[(sheet, row)] = wb[sheet].row_dimensions[row].height
        self._wb, self._places = wb, places
        return wb

    def write(self, content: FormContent, out: Path, answers: dict[str, object] | None = None) -> None:
        """Fill the template for one professional and household and save it to `out`.

        `answers` prefills input cells by defined name (values are data, never formulas);
        every other input cell is left empty.
        """
        wb = self._load()
        schema, places = self.schema, self._places
        for c in schema.inputs:
            sheet, cell = places[c.name]
            wb[sheet][cell].value = None
        for name, value in (answers or {}).items():
            sheet, cell = places[name]
            set_text(wb[sheet][cell], value)
        for (sheet, row), height in self._heights.items():
            wb[sheet].row_dimensions[row].height = height
        _fill_header(wb, schema, places, content)
        _fill_lists(wb, content)
        _add_validations(wb, schema, places, content.meta.meeting)
        _write_meta(wb, content.meta, self.key)
        for h in schema.header:
            sheet, cell = places[h.name]
            wb[sheet][cell].protection = Protection(locked=True)
        for sheet in {places[c.name][0] for c in schema.inputs}:
            _protect(wb[sheet])
        for extra in (LISTS_SHEET, META_SHEET):
            wb[extra].sheet_state = "hidden"
            wb[extra].protection.sheet = True
        wb.security = WorkbookProtection(lockStructure=True)
        wb.properties.title = f"Scoreformulier dossier {content.meta.dossier}"
        wb.properties.creator = "formkit"
        save_atomic(wb, out)


def _fill_header(wb, schema: Schema, places, content: FormContent) -> None:
    meeting = dutch.long_date(content.meta.meeting)
    phase = str(content.phase) if content.phase is not None else "onbekend"
    values = {
        "samenvatting": f"Dossier {content.meta.dossier} · {content.household_name} · "
                        f"casusoverleg {meeting} · fase {phase} · {content.professional_name}",
        "dossier": content.meta.dossier,
        "huishouden": content.household_name,
        "fase": phase,
        "overleg": meeting,
        "professional": content.professional_name,
        "organisatie": content.organisation,
        "functie": content.function,
        "gezinsleden": content.members_text,
    }
    for h in schema.header:
        sheet, cell = places[h.name]
        set_text(wb[sheet][cell], values[h.key])
        lines = values[h.key].count("\n") + 1
        if lines > 1:
            _fit_header_row(wb[sheet], wb[sheet][cell], lines)


#: Points a line of the header takes, and the room above the first and below the last line.
_HEADER_LINE_POINTS = 15.0
_HEADER_ROW_PADDING = 6.0


def _fit_header_row(ws, value, lines: int) -> None:
    """Make a header row of several lines (the household's members) high enough, its label and value on top."""
    row = value.row
    needed = _HEADER_LINE_POINTS * lines + _HEADER_ROW_PADDING
    ws.row_dimensions[row].height = max(ws.row_dimensions[row].height or 15, needed)
    value.alignment = Alignment(horizontal=value.alignment.horizontal, vertical="top", wrap_text=True)
    label = ws.cell(row, 1)
    if label.coordinate != value.coordinate and not isinstance(label, MergedCell):
        label.alignment = Alignment(horizontal=label.alignment.horizontal, vertical="top",
                                    wrap_text=label.alignment.wrap_text)


def _fill_lists(wb, content: FormContent) -> None:
    ws = wb[LISTS_SHEET]
    for ftype, values in ((FieldType.MEMBER, content.members), (FieldType.PROFESSIONAL, content.professionals)):
        name, column = LISTS[ftype]
        for row in range(2, MAX_LIST_ROWS + 2):
            ws[f"{column}{row}"].value = None
        for row, value in enumerate(values, start=2):
            set_text(ws[f"{column}{row}"], value)
        last = max(2, len(values) + 1)
        _name(wb, name, LISTS_SHEET, f"{column}2:{column}{last}")


def _add_validations(wb, schema: Schema, places, meeting: dt.date) -> None:
    """Replace the input sheets' validations by those the schema defines."""
    sheets = {places[c.name][0] for c in schema.inputs}
    for sheet in sheets:
        wb[sheet].data_validations.dataValidation = []
    shared: dict[tuple, DataValidation] = {}
    for c in schema.inputs:
        sheet, cell = places[c.name]
        wb[sheet][cell].protection = Protection(locked=False)
        if c.field.type in (FieldType.DATE, FieldType.TERM):
            wb[sheet][cell].number_format = DATE_FORMAT
        elif c.field.type is FieldType.DATE_OR_YEAR:
            wb[sheet][cell].number_format = DATE_OR_YEAR_FORMAT
        if c.field.type is FieldType.DATE_OR_YEAR:
            dv = _validation(schema, c, meeting, cell)  # its formula names the cell itself
            wb[sheet].add_data_validation(dv)
            dv.add(cell)
            continue
        key = (sheet, c.field.type, c.field.help, c.field.label)
        if key not in shared:
            shared[key] = _validation(schema, c, meeting, cell)
            wb[sheet].add_data_validation(shared[key])
        shared[key].add(cell)


def _validation(schema: Schema, c: InputCell, meeting: dt.date, cell: str) -> DataValidation:
    s = schema.settings
    t = c.field.type
    if t in LISTS:
        what = {FieldType.MEMBER: "een gezinslid", FieldType.PROFESSIONAL: "een betrokken professional",
                FieldType.SCORE: f"een cijfer van {s.score_min} tot en met {s.score_max}",
                FieldType.YES_NO: "ja of nee", FieldType.DOMAIN: "een domein"}[t]
        dv = DataValidation(type="list", formula1=LISTS[t][0], allow_blank=True,
                            errorTitle="Kies uit de lijst", error=f"Kies {what} uit de keuzelijst.")
    elif t is FieldType.TERM:
        last = dates.add_months(meeting, s.max_term_months)
        dv = DataValidation(
            type="date", operator="between", allow_blank=True,
            formula1=str(dates.excel_serial(meeting)), formula2=str(dates.excel_serial(last)),
            errorTitle="Ongeldige termijn",
            error=f"Vul een datum in als dd-mm-jjjj, van {dutch.short_date(meeting)} tot en met "
                  f"{dutch.short_date(last)} (hoogstens {s.max_term_months} maanden na het casusoverleg).",
        )
    elif t is FieldType.DATE:
        dv = DataValidation(type="date", operator="between", allow_blank=True,
                            formula1=str(dates.excel_serial(dt.date(1990, 1, 1))),
                            formula2=str(dates.excel_serial(dt.date(2100, 12, 31))),
                            errorTitle="Ongeldige datum", error="Vul een datum in als dd-mm-jjjj.")
    elif t is FieldType.DATE_OR_YEAR:
        low = dates.excel_serial(dt.date(1990, 1, 1))
        high = dates.excel_serial(meeting)
        formula = (f"OR(AND(ISNUMBER({cell}),{cell}=INT({cell}),{cell}>=1900,{cell}<={meeting.year}),"
                   f"AND(ISNUMBER({cell}),{cell}>={low},{cell}<={high}))")
        dv = DataValidation(type="custom", formula1=formula, allow_blank=True,
                            errorTitle="Ongeldige datum",
                            error=f"Vul een datum in als dd-mm-jjjj of een jaartal, niet na "
                                  f"{dutch.short_date(meeting)}.")
    else:
        dv = DataValidation(type="textLength", operator="lessThanOrEqual", formula1=str(c.field.max_length),
                            allow_blank=True, errorTitle="Te lange tekst",
                            error=f"Gebruik hoogstens {c.field.max_length} tekens.")
    dv.promptTitle = short_title(c.field.label)
    dv.prompt = c.field.help[:255]
    dv.showInputMessage = True
    dv.showErrorMessage = True
    dv.errorStyle = "stop"
    return dv


def _write_meta(wb, meta: FormMeta, seal_key: SealKey) -> None:
    """Write the metadata and its seal into both copies: custom properties and the hidden sheet."""
    ws = wb[META_SHEET]
    ws.delete_rows(2, ws.max_row)
    existing = [p for p in wb.custom_doc_props.props if not p.name.startswith("formkit_")]
    wb.custom_doc_props.props = existing
    for row, (key, value) in enumerate(meta.items() + [(SEAL_KEY, seal(seal_key, meta.identity()))], start=2):
        set_text(ws.cell(row, 1), key)
        set_text(ws.cell(row, 2), value)
        wb.custom_doc_props.append(StringProperty(name=key, value=value))


