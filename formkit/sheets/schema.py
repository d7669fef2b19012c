"""The score sheet's one definition: sections, fields, labels, types, rules and layout.

Everything that writes, reads or checks a score sheet derives from :func:`build_schema`.
A new field is one line here. The default layout (which cell holds which field) is
computed from the definition; every input cell also gets a workbook-level defined
name, so a reader finds a value through its name even when an organisation moved
rows around in its own restyled template.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from enum import Enum
from functools import cached_property, lru_cache

from ..core.settings import DEFAULT_SETTINGS, MethodSettings

SCHEMA_VERSION = "1"

SHEET = "Scoreformulier"
LISTS_SHEET = "Lijsten"
META_SHEET = "formkit"

#: Column widths of the default layout (A holds labels and row numbers).
COLUMN_WIDTHS = {"A": 22, "B": 24, "C": 52, "D": 14, "E": 28}
LAST_COLUMN = "E"

RECOVERY_DOMAINS = (
    "gezondheid",
    "persoonlijke ontwikkeling",
    "deelname aan de samenleving",
    "gevoel van veiligheid",
)
YES_NO = ("ja", "nee")


#: The longest text any field takes (the sheet's validation refuses longer text in Excel;
#: a longer text in a returned form is an error at its cell and goes no further).
MAX_TEXT = 2000


class FieldType(str, Enum):
    """What a field holds; the value is the Dutch name shown in `formkit schema`."""

    TEXT = "tekst"
    DATE = "datum"
    DATE_OR_YEAR = "datum_of_jaar"
    TERM = "termijn"  # a deadline: on or after the meeting, within the method's term
    SCORE = "cijfer"
    YES_NO = "ja_nee"
    MEMBER = "gezinslid"
    PROFESSIONAL = "professional"
    DOMAIN = "domein"


#: Types whose choices come from a list on the hidden Lijsten sheet, with that list's
#: defined name and column there. Member and professional lists differ per household.
LISTS = {
    FieldType.MEMBER: ("lijst_gezinsleden", "A"),
    FieldType.PROFESSIONAL: ("lijst_professionals", "B"),
    FieldType.SCORE: ("lijst_cijfers", "C"),
    FieldType.YES_NO: ("lijst_ja_nee", "D"),
    FieldType.DOMAIN: ("lijst_domeinen", "E"),
}
HOUSEHOLD_LISTS = (FieldType.MEMBER, FieldType.PROFESSIONAL)


class Role(str, Enum):
    """What a field of a table section does in the merge of a household's forms into one plan."""

    #: The words that identify an item: rows with the same words (see merge.normal) are one item;
    #: every wording is kept with its author.
    WORDS = "woorden"
    #: A choice that groups items (a victim, a member, a domain): kept once, as chosen.
    GROUP = "groep"
    #: A deadline: the earliest readable one is the item's; different deadlines are an open point.
    DEADLINE = "termijn"
    #: Who owns the item: every owner is kept; the plan names them without their authors.
    OWNER = "eigenaar"
    #: A plain value, kept with its author.
    VALUE = "waarde"


@dataclass(frozen=True)
class FieldDef:
    """One field of a section: its key, Dutch label and help, type and column."""

    key: str
    label: str
    type: FieldType
    column: str
    required: bool = True
    help: str = ""
    #: The longest text the field takes; the score sheet's own validation says the same.
    max_length: int = MAX_TEXT
    #: Its role in the merge (table sections only).
    role: Role = Role.VALUE
    #: The attribute that holds it: of the plan item (a table section's field; empty: the item
    #: keeps it under `extra` by its key, so a new field needs no merge code), or of the Plan
    #: (a single field that is a list of statements, e.g. "checks").
    plan_field: str = ""
    #: Its column heading in the plan; empty: its label.
    plan_label: str = ""
    #: Its column width in the plan document (cm); 0: a default width.
    plan_width: float = 0.0

    @property
    def plan_heading(self) -> str:
        """Return the field's column heading in the plan (docx and workbook)."""
        return self.plan_label or self.label


@dataclass(frozen=True)
class Section:
    """A part of the score sheet: one set of fields, or a table of repeated rows."""

    key: str
    title: str
    help: str
    fields: tuple[FieldDef, ...]
    #: Number of rows for a table; None for a section of single fields.
    repeat: int | None = None
    #: Table rows that must be filled (the first ones); 0 when the table is optional.
    min_rows: int = 0
    #: Phases in which the section applies.
    phases: tuple[int, ...] = (1, 2, 3, 4, 5)
    #: Labels for the table's rows in column A; default 1, 2, 3, ...
    row_labels: tuple[str, ...] = ()
    #: The list of the Plan a table section feeds (e.g. "conditions"); empty: merged by hand.
    plan_part: str = ""
    #: The fields' keys in the order the plan's tables show them; empty: the order of `fields`.
    plan_order: tuple[str, ...] = ()

    @property
    def plan_fields(self) -> tuple[FieldDef, ...]:
        """Return the fields in the order the plan's tables show them (fields not in plan_order last)."""
        order = {key: i for i, key in enumerate(self.plan_order)}
        return tuple(sorted(self.fields, key=lambda f: order.get(f.key, len(order))))

    def field(self, key: str) -> FieldDef:
        """Return the field with this key."""
        return next(f for f in self.fields if f.key == key)

    @property
    def is_table(self) -> bool:
        """True when the section is a table of repeated rows."""
        return self.repeat is not None


@dataclass(frozen=True)
class HeaderCell:
    """A prefilled, locked cell of the form's header."""

    key: str
    label: str
    row: int

    @property
    def name(self) -> str:
        """Return the workbook-level defined name of this header cell."""
        return f"kop_{self.key}"

    @property
    def cell(self) -> str:
        """Return the cell of the value in the default layout."""
        return f"B{self.row}"


@dataclass(frozen=True)
class InputCell:
    """One input cell of the score sheet: a field, in a section, in a row of a table."""

    section: Section
    field: FieldDef
    index: int | None  # 1-based table row, None for single fields
    row: int

    @property
    def name(self) -> str:
        """Return the workbook-level defined name, e.g. ``situatie_2_slachtoffer``."""
        if self.index is None:
            return f"{self.section.key}_{self.field.key}"
        return f"{self.section.key}_{self.index}_{self.field.key}"

    @property
    def cell(self) -> str:
        """Return the cell in the default layout, e.g. ``B21``."""
        return f"{self.field.column}{self.row}"

    @property
    def required(self) -> bool:
        """True when this cell must always be filled."""
        if not self.field.required:
            return False
        return self.index is None or self.index <= self.section.min_rows

    @property
    def required_if_row_used(self) -> bool:
        """True when this cell must be filled once anything else in its row is."""
        return self.field.required and self.index is not None

    @property
    def label(self) -> str:
        """Return the label a user sees, with the table row, e.g. ``Slachtoffer (TOP 2)``."""
        if self.index is None:
            return self.field.label
        return f"{self.field.label} ({row_label(self.section, self.index)})"


@dataclass(frozen=True)
class Schema:
    """The whole score sheet: header, sections and the cells of the default layout."""

    settings: MethodSettings
    header: tuple[HeaderCell, ...]
    sections: tuple[Section, ...]
    inputs: tuple[InputCell, ...]
    #: First row of each section (its title row) in the default layout.
    section_rows: dict[str, int] = field(default_factory=dict)
    freeze_row: int = 3
    version: str = SCHEMA_VERSION

    def input(self, name: str) -> InputCell:
        """Return the input cell with this defined name."""
        return self.inputs_by_name[name]

    @cached_property
    def inputs_by_name(self) -> dict[str, InputCell]:
        """Return every input cell by its defined name."""
        return {c.name: c for c in self.inputs}

    def section(self, key: str) -> Section:
        """Return the section with this key."""
        return self._sections_by_key[key]

    @cached_property
    def _sections_by_key(self) -> dict[str, Section]:
        return {s.key: s for s in self.sections}

    def rows(self, section: Section | str) -> tuple[dict[str, InputCell], ...]:
        """Return the rows of a section, first to last, each as {field key: input cell}.

        The one place that says which cells form a row: the rules and the merge both use it.
        A section of single fields is one row.
        """
        key = section if isinstance(section, str) else section.key
        return self._rows_by_section[key]

    @cached_property
    def _rows_by_section(self) -> dict[str, tuple[dict[str, InputCell], ...]]:
        rows: dict[str, dict[int, dict[str, InputCell]]] = {}
        for c in self.inputs:
            rows.setdefault(c.section.key, {}).setdefault(c.index or 0, {})[c.field.key] = c
        return {key: tuple(by_index[i] for i in sorted(by_index)) for key, by_index in rows.items()}

    def choices(self, ftype: FieldType) -> tuple | None:
        """Return the fixed choices of a type, None when they differ per household."""
        if ftype is FieldType.SCORE:
            return tuple(range(self.settings.score_min, self.settings.score_max + 1))
        if ftype is FieldType.YES_NO:
            return YES_NO
        if ftype is FieldType.DOMAIN:
            return RECOVERY_DOMAINS
        return None

    def to_dict(self) -> dict:
        """Return the schema as a JSON-ready dict, as `formkit schema` prints it."""
        return {
            "schemaversie": self.version,
            "blad": SHEET,
            "instellingen": {
                "max_termijn_maanden": self.settings.max_term_months,
                "max_voorwaarden": self.settings.max_conditions,
                "schaal": [self.settings.score_min, self.settings.score_max],
                "directe_veiligheid": self.settings.direct_safety_score,
                "stabiele_veiligheid": self.settings.stable_safety_score,
                "top": self.settings.top_n,
            },
            "kop": [
                {"naam": h.name, "blad": SHEET, "cel": h.cell, "label": h.label}
                for h in self.header
            ],
            "secties": [
                {
                    "sleutel": s.key,
                    "titel": s.title,
                    "fasen": list(s.phases),
                    "rijen": s.repeat,
                    "minimaal_ingevuld": s.min_rows,
                    "velden": [f.key for f in s.fields],
                }
                for s in self.sections
            ],
            "invoervelden": [self._input_dict(c) for c in self.inputs],
        }

    def _input_dict(self, c: InputCell) -> dict:
        choices: tuple | str | None = self.choices(c.field.type)
        if choices is None and c.field.type in HOUSEHOLD_LISTS:
            choices = f"per huishouden, lijst {LISTS[c.field.type][0]}"
        return {
            "naam": c.name,
            "blad": SHEET,
            "cel": c.cell,
            "sectie": c.section.key,
            "label": c.label,
            "type": c.field.type.value,
            "verplicht": c.required,
            "verplicht_als_rij_gebruikt": c.required_if_row_used,
            "keuzes": list(choices) if isinstance(choices, tuple) else choices,
        }

    def to_json(self) -> str:
        """Return the schema as indented JSON."""
        return json.dumps(self.to_dict(), ensure_ascii=False, indent=2)


def row_label(section: Section, index: int) -> str:
    """Return the label of a table row, e.g. ``TOP 1`` or ``4``."""
    if index <= len(section.row_labels):
        return section.row_labels[index - 1]
    return str(index)


def _sections(s: MethodSettings) -> tuple[Section, ...]:
    T, R = FieldType, Role
    return (
        Section(
            "situatie",
            "1. Onveilige situaties (TOP-3)",
            "Uw TOP-3 van de meest onveilige situaties, zo concreet mogelijk, met datum of jaar. "
            "Elke omschrijving begint met de naam van het (vermoedelijke) slachtoffer.",
            (
                FieldDef("slachtoffer", "Slachtoffer", T.MEMBER, "B",
                         help="Kies het gezinslid dat (vermoedelijk) slachtoffer is.",
                         role=R.GROUP, plan_field="victim", plan_width=3),
                FieldDef("omschrijving", "Omschrijving", T.TEXT, "C",
                         help="Begin met de naam van het slachtoffer, bijvoorbeeld: "
                              "'Jan gaat sinds 3 maanden zonder winterjas naar school.'",
                         role=R.WORDS, plan_field="descriptions", plan_label="Situatie", plan_width=7.6),
                FieldDef("datum", "Datum of jaar", T.DATE_OR_YEAR, "D",
                         help="Datum (dd-mm-jjjj) of jaartal van de situatie.",
                         plan_field="dates", plan_label="Datum", plan_width=2.3),
                FieldDef("strafbaar_feit", "Vermoeden strafbaar feit", T.YES_NO, "E",
                         help="Is er een vermoeden van een strafbaar feit? Kies ja of nee.",
                         plan_field="offence", plan_label="Strafbaar feit?", plan_width=2.3),
            ),
            repeat=s.situation_rows,
            plan_part="situations",
            min_rows=1,
            row_labels=tuple(f"TOP {i}" for i in range(1, s.top_n + 1))
            + tuple(f"Extra {i}" for i in range(1, s.extra_situations + 1)),
        ),
        Section(
            "beoordeling",
            "2. Veiligheidsbeoordeling",
            f"Uw veiligheidscijfer van {s.score_min} tot en met {s.score_max} met een feitelijke "
            f"toelichting. {s.direct_safety_score} = de cliënt is beschermd, het geweld is gestopt; "
            f"{s.stable_safety_score} = minstens 6 maanden geen incidenten.",
            (
                FieldDef("cijfer", "Veiligheidscijfer", T.SCORE, "B",
                         help=f"Een heel getal van {s.score_min} tot en met {s.score_max}."),
                FieldDef("toelichting", "Waarom dit cijfer", T.TEXT, "B",
                         help="Op grond van welke feiten geeft u dit cijfer?"),
                FieldDef("hoger", "Wat maakt het een punt hoger", T.TEXT, "B", required=False,
                         help="Wat moet er gebeuren voor een punt hoger?"),
                FieldDef("lager", "Waarom geen punt lager", T.TEXT, "B", required=False,
                         help="Waarom geeft u geen punt lager?"),
            ),
        ),
        Section(
            "gezinsscore",
            "3. Cijfers van gezinsleden",
            "Als gezinsleden zelf een cijfer gaven: per gezinslid het cijfer en hun toelichting.",
            (
                FieldDef("gezinslid", "Gezinslid", T.MEMBER, "B", help="Kies het gezinslid.",
                         plan_field="member", plan_width=3.6),
                FieldDef("toelichting", "Toelichting", T.TEXT, "C", required=False,
                         help="Hoe licht het gezinslid het cijfer toe?", plan_field="explanation", plan_width=10),
                FieldDef("cijfer", "Cijfer", T.SCORE, "D",
                         help=f"Een heel getal van {s.score_min} tot en met {s.score_max}.",
                         plan_field="score", plan_width=1.6),
            ),
            repeat=s.member_score_rows,
            plan_order=("gezinslid", "cijfer", "toelichting"),  # one MemberScore a row: merged in merge._scores
        ),
        Section(
            "voorwaarde",
            "4. Veiligheidsvoorwaarden",
            f"Wat moet er gerealiseerd zijn zodat iedereen een {s.direct_safety_score} geeft? "
            f"Hoogstens {s.max_conditions} voorwaarden, elk met een termijn van hoogstens "
            f"{s.max_term_months} maanden en een eigenaar.",
            (
                FieldDef("voorwaarde", "Voorwaarde", T.TEXT, "C", help="De voorwaarde, concreet.",
                         role=R.WORDS, plan_field="texts", plan_width=7.6),
                FieldDef("termijn", "Termijn", T.TERM, "D",
                         help=f"Uiterlijk {s.max_term_months} maanden na het casusoverleg (dd-mm-jjjj).",
                         role=R.DEADLINE, plan_field="deadlines", plan_width=3),
                FieldDef("eigenaar", "Eigenaar", T.TEXT, "E", help="Wie zorgt dat deze voorwaarde gerealiseerd wordt?",
                         role=R.OWNER, plan_field="owners", plan_width=3.5),
            ),
            repeat=max(s.condition_rows, s.max_conditions),
            min_rows=1,
            plan_part="conditions",
        ),
        Section(
            "afspraak",
            "5. Veiligheidsafspraken en eigen bijdrage",
            "Wie doet wat, wanneer? Ook uw eigen bijdrage vanuit uw expertise.",
            (
                FieldDef("wie", "Wie", T.TEXT, "B", help="Wie voert de afspraak uit?",
                         role=R.WORDS, plan_field="who", plan_width=4.1),
                FieldDef("wat", "Wat", T.TEXT, "C", help="Wat wordt er gedaan?",
                         role=R.WORDS, plan_field="what", plan_width=8.1),
                FieldDef("wanneer", "Uiterlijk", T.TERM, "D",
                         help=f"Uiterlijk {s.max_term_months} maanden na het casusoverleg (dd-mm-jjjj).",
                         role=R.DEADLINE, plan_field="deadlines", plan_width=3),
            ),
            repeat=s.agreement_rows,
            min_rows=1,
            plan_part="agreements",
        ),
        Section(
            "regie",
            "6. Regie en toetsing",
            "Wie houdt de regie, wanneer toetsen we de veiligheid opnieuw, wanneer wordt Veilig "
            "Thuis geïnformeerd en wat gebeurt er als voorwaarden niet worden nageleefd?",
            (
                FieldDef("regisseur", "Voorgestelde regisseur", T.PROFESSIONAL, "B",
                         help="Kies een van de betrokken professionals.", plan_field="proposed_regisseurs"),
                FieldDef("toetsmoment", "Volgend toetsmoment", T.TERM, "B",
                         help="Datum waarop de veiligheid opnieuw wordt getoetst (dd-mm-jjjj).", plan_field="checks"),
                FieldDef("veilig_thuis", "Wanneer wordt Veilig Thuis geïnformeerd", T.TEXT, "B",
                         help="In welke situatie en door wie wordt Veilig Thuis geïnformeerd?",
                         plan_field="veilig_thuis"),
                FieldDef("consequenties", "Consequenties bij niet naleven", T.TEXT, "B",
                         help="Wat gebeurt er als voorwaarden niet worden nageleefd?", plan_field="consequences"),
            ),
        ),
        Section(
            "risicofactor",
            "7. Risicofactoren (vanaf fase 2)",
            "Welke factoren houden het onveilige gedrag in stand? Zijn ze te beïnvloeden, en welke "
            "beschermende factoren zijn er?",
            (
                FieldDef("factor", "Risicofactor", T.TEXT, "C", help="Welke factor houdt de onveiligheid in stand?",
                         role=R.WORDS, plan_field="texts", plan_width=6.2),
                FieldDef("beinvloedbaar", "Beïnvloedbaar", T.YES_NO, "D", help="Is deze factor te beïnvloeden? Kies ja of nee.",
                         plan_field="influenceable", plan_width=3),
                FieldDef("beschermend", "Beschermende factoren", T.TEXT, "E", required=False,
                         help="Welke beschermende factoren staan hier tegenover?",
                         plan_field="protective", plan_width=6),
            ),
            repeat=s.risk_factor_rows,
            phases=(2, 3, 4, 5),
            plan_part="risk_factors",
        ),
        Section(
            "herstel",
            "8. Herstelbehoeften (vanaf fase 3)",
            "Per gezinslid de behoefte aan herstel, in een van de domeinen gezondheid, persoonlijke "
            "ontwikkeling, deelname aan de samenleving of gevoel van veiligheid.",
            (
                FieldDef("gezinslid", "Gezinslid", T.MEMBER, "B", help="Kies het gezinslid.",
                         role=R.GROUP, plan_field="member", plan_width=3.5),
                FieldDef("behoefte", "Behoefte", T.TEXT, "C", help="Wat heeft dit gezinslid nodig om te herstellen?",
                         role=R.WORDS, plan_field="texts", plan_width=8.2),
                FieldDef("domein", "Domein", T.DOMAIN, "E", help="Kies het domein.",
                         role=R.GROUP, plan_field="domain", plan_width=3.5),
            ),
            repeat=s.recovery_need_rows,
            phases=(3, 4, 5),
            plan_part="recovery_needs",
            plan_order=("gezinslid", "domein", "behoefte"),
        ),
        Section(
            "sterk",
            "9. Wat gaat goed en wat werkte eerder",
            "Wat gaat er goed in dit gezin, en welke beschermende factoren hebben eerder gewerkt?",
            (
                FieldDef("omschrijving", "Wat gaat goed / werkte eerder", T.TEXT, "C",
                         help="Wat gaat er goed, of wat heeft eerder geholpen?"),
            ),
            repeat=s.strength_rows,
            plan_part="strengths",
        ),
    )


HEADER_FIELDS = (
    ("samenvatting", "Formulier"),
    ("dossier", "Dossier"),
    ("huishouden", "Huishouden"),
    ("fase", "Fase"),
    ("overleg", "Casusoverleg"),
    ("professional", "Professional"),
    ("organisatie", "Organisatie"),
    ("functie", "Functie"),
    ("gezinsleden", "Gezinsleden"),
)


@lru_cache(maxsize=8)
def build_schema(settings: MethodSettings = DEFAULT_SETTINGS, sections: tuple[Section, ...] | None = None) -> Schema:
    """Return the score sheet's schema, with its default layout, for these settings.

    `sections` replaces formkit's own sections (e.g. ``build_schema().sections`` with a field
    added to a table section); the layout is computed from them the same way.
    """
    # Row 1: title; row 2: the one-line summary (frozen with the title); then details.
    header = [HeaderCell(HEADER_FIELDS[0][0], HEADER_FIELDS[0][1], 2)]
    row = 4  # row 3 holds the filling instructions
    for key, label in HEADER_FIELDS[1:]:
        header.append(HeaderCell(key, label, row))
        row += 1
    row += 1
    sections = sections if sections is not None else _sections(settings)
    inputs: list[InputCell] = []
    section_rows: dict[str, int] = {}
    for section in sections:
        section_rows[section.key] = row
        row += 2  # title row, help row
        if section.is_table:
            row += 1  # column headings
            for index in range(1, (section.repeat or 0) + 1):
                inputs.extend(InputCell(section, f, index, row) for f in section.fields)
                row += 1
        else:
            for f in section.fields:
                inputs.append(InputCell(section, f, None, row))
                row += 1
        row += 1  # blank row between sections
    return Schema(settings, tuple(header), sections, tuple(inputs), section_rows, freeze_row=3)
