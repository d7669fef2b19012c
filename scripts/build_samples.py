"""Build the fictional samples in samples/ (run: python scripts/build_samples.py).

Everything here is made up: households, names, organisations and e-mail addresses
(on the reserved .example domain). The script writes
- samples/register.xlsx: a clean register, 7 households in phases 1-3;
- samples/register_met_fouten.xlsx: the same with deliberate errors in one household;
- samples/retour/: score sheets (sealed with the public demo key samples/demo-sleutel.key)
  as professionals return them, most complete, some with
  the typical mistakes (see MISTAKES below), two not returned, one renamed and, when
  LibreOffice is installed, one re-saved by LibreOffice.
"""

from __future__ import annotations

import datetime as dt
import shutil
import subprocess
import tempfile
from dataclasses import replace
from pathlib import Path

from openpyxl import load_workbook

from formkit.core.dates import add_months
from formkit.register.load import load
from formkit.register.model import Household, Involvement, MeetingItem, Member, Professional, Register
from formkit.register.write import write_register
from formkit.sheets.forms import write_forms
from formkit.sheets.names import resolve_names
from formkit.sheets.samples import SAMPLE_LATER_MEETING as LATER_MEETING
from formkit.sheets.samples import SAMPLE_MEETING, demo_key
from formkit.sheets.schema import build_schema

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "samples"
D = dt.date

PROFESSIONALS = [
    Professional("WT01", "Sanne de Vries", "Wijkteam Noord", "gezinscoach", "s.devries@wijkteam-noord.example"),
    Professional("WT02", "Mehmet Yilmaz", "Wijkteam Zuid", "ambulant hulpverlener", "m.yilmaz@wijkteam-zuid.example"),
    Professional("WT03", "Noor Hendriks", "Wijkteam Oost", "jeugdconsulent", "n.hendriks@wijkteam-oost.example"),
    Professional("VT01", "Ingrid Jansen", "Veilig Thuis Regio", "casemanager", "i.jansen@veiligthuis.example"),
    Professional("VT02", "Thomas Bos", "Veilig Thuis Regio", "casemanager", "t.bos@veiligthuis.example"),
    Professional("PO01", "Karin Smit", "Politie basisteam Centrum", "wijkagent", "karin.smit@politie.example"),
    Professional("JB01", "Eva Mulder", "Jeugdbescherming Regio", "jeugdbeschermer", "e.mulder@jeugdbescherming.example"),
    Professional("GZ01", "Pieter van Dijk", "GGZ Regio", "behandelaar", "p.vandijk@ggz.example"),
    Professional("SC01", "Fatima El Amrani", "Basisschool De Regenboog", "intern begeleider", "f.elamrani@regenboog.example"),
    Professional("RC01", "Johan de Groot", "Reclassering", "reclasseringswerker", "j.degroot@reclassering.example"),
    Professional("HA01", "Lisa Visser", "Huisartsenpraktijk De Linde", "huisarts", None),
]

HOUSEHOLDS = [
    Household("2026-014", "Gezin Bakker", D(2026, 9, 15), 1, "WT01"),
    Household("2026-021", "Gezin El Idrissi", D(2026, 10, 2), 1, "VT01"),
    Household("2026-008", "Gezin De Boer", D(2026, 6, 10), 2, "JB01"),
    Household("2025-112", "Gezin Çelik", D(2025, 11, 20), 3, "WT03"),
    Household("2026-030", "Huishouden Van der Meer", D(2026, 10, 20), 1, "VT02"),
    Household("2026-033", "Gezin Kok", D(2026, 7, 1), 2, "WT02"),
    Household("2026-041", "Gezin Hoekstra", D(2026, 11, 10), 1, "VT01"),
]

MEMBERS = {
    "2026-014": [("Marieke Bakker", 1988, "moeder"), ("Ronald Bakker", 1985, "vader"),
                 ("Jan Bakker", 2014, "kind"), ("Lotte Bakker", 2018, "kind")],
    "2026-021": [("Samira El Idrissi", 1990, "moeder"), ("Youssef El Idrissi", 1987, "vader"),
                 ("Amira El Idrissi", 2016, "kind"), ("Bilal El Idrissi", 2019, "kind")],
    "2026-008": [("Annemiek de Boer", 1983, "moeder"), ("Kees de Boer", 1980, "vader"),
                 ("Sem de Boer", 2011, "kind"), ("Daan de Boer", 2013, "kind"), ("Fleur de Boer", 2017, "kind")],
    "2025-112": [("Elif Çelik", 1992, "moeder"), ("Emre Çelik", 2012, "kind"), ("Zeynep Çelik", 2015, "kind")],
    "2026-030": [("Ria van der Meer", 1958, "partner"), ("Henk van der Meer", 1955, "partner")],
    "2026-033": [("Priscilla Kok", 1995, "moeder"), ("Dewi Kok", 2020, "kind"), ("Mees Kok", 2022, "kind")],
    "2026-041": [("Sandra Hoekstra", 1986, "moeder"), ("Bram Hoekstra", 2015, "kind")],
}

INVOLVED = {
    "2026-014": [("WT01", "WN-2026-0311"), ("VT01", "VT-26-04417"), ("PO01", "PL0900-2026-118"), ("SC01", None)],
    "2026-021": [("VT01", "VT-26-05120"), ("WT02", "WZ-2026-0087")],
    "2026-008": [("JB01", "JB-26-1102"), ("WT01", "WN-2026-0140"), ("GZ01", "GGZ-558120"),
                 ("SC01", None), ("PO01", "PL0900-2026-071"), ("RC01", "RN-26-3301")],
    "2025-112": [("WT03", "WO-2025-0912"), ("GZ01", "GGZ-551907"), ("HA01", None)],
    "2026-030": [("VT02", "VT-26-05388"), ("PO01", "PL0900-2026-131"), ("HA01", None), ("WT02", "WZ-2026-0102")],
    "2026-033": [("WT02", "WZ-2026-0055"), ("JB01", "JB-26-0977"), ("GZ01", "GGZ-557001")],
    "2026-041": [("VT01", "VT-26-05702"), ("WT03", "WO-2026-0230")],
}

AGENDA = [("09:00", "2026-014"), ("09:45", "2026-021"), ("10:30", "2026-008"),
          ("11:15", "2025-112"), ("13:00", "2026-030"), ("13:45", "2026-033")]

# What the professionals of each household write: situations (victim, text, date),
# conditions (text, days after the meeting, owner), agreements (who, what, days),
# and the scores per professional code.
CONTENT = {
    "2026-014": dict(
        situations=[
            ("Jan Bakker", "Jan gaat sinds 3 maanden zonder winterjas naar school, omdat er thuis geen geld voor is.", D(2026, 9, 1), "nee"),
            ("Marieke Bakker", "Marieke werd op 12 oktober door Ronald tegen de keukenkast geduwd; de buren belden de politie.", D(2026, 10, 12), "ja"),
            ("Lotte Bakker", "Lotte was aanwezig toen haar vader haar moeder duwde en slaapt sindsdien slecht.", D(2026, 10, 12), "nee"),
        ],
        conditions=[
            ("Ronald woont tijdelijk bij zijn broer tot de eerste toetsing.", 30, "Ronald Bakker"),
            ("Er is geen fysiek geweld meer in het bijzijn van de kinderen.", 60, "Ronald en Marieke Bakker"),
            ("Jan en Lotte hebben passende winterkleding.", 14, "Wijkteam Noord"),
        ],
        agreements=[
            ("Ronald Bakker", "Start met agressieregulatietraining.", 21),
            ("Wijkteam Noord", "Regelt een vergoeding voor winterkleding via de gemeente.", 14),
            ("Politie basisteam Centrum", "Stemt de aanpak af met het OM (vermoeden mishandeling).", 10),
        ],
        scores={"WT01": 4, "VT01": 3, "PO01": 3, "SC01": 5},
    ),
    "2026-021": dict(
        situations=[
            ("Amira El Idrissi", "Amira vertelde op school dat haar vader haar met een riem sloeg.", D(2026, 9, 20), "ja"),
            ("Samira El Idrissi", "Samira mag van Youssef het huis niet alleen verlaten.", 2026, "nee"),
        ],
        conditions=[
            ("Er wordt geen lichamelijk geweld gebruikt tegen de kinderen.", 30, "Youssef El Idrissi"),
            ("Samira heeft een eigen telefoon en kan zelfstandig hulp inschakelen.", 14, "Veilig Thuis Regio"),
        ],
        agreements=[
            ("Veilig Thuis Regio", "Doet een veiligheidscheck thuis, samen met de wijkagent.", 7),
            ("Youssef El Idrissi", "Volgt het programma opvoeden zonder geweld.", 45),
        ],
        scores={"VT01": 3, "WT02": 4},
    ),
    "2026-008": dict(
        situations=[
            ("Sem de Boer", "Sem wordt door zijn vader uitgescholden en geslagen als hij te laat thuis is.", D(2026, 5, 30), "ja"),
            ("Fleur de Boer", "Fleur is bang als haar vader gedronken heeft en verstopt zich dan in haar kamer.", 2026, "nee"),
            ("Annemiek de Boer", "Annemiek heeft schulden waardoor de huur twee maanden niet is betaald.", D(2026, 8, 1), "nee"),
        ],
        conditions=[
            ("Kees drinkt geen alcohol als de kinderen thuis zijn.", 60, "Kees de Boer"),
            ("De huur wordt elke maand betaald.", 45, "Wijkteam Noord"),
        ],
        agreements=[
            ("GGZ Regio", "Start behandeling alcoholproblematiek met Kees.", 30),
            ("Reclassering", "Houdt toezicht op het contactverbod dat Kees met Sem heeft buiten begeleide momenten.", 30),
            ("Wijkteam Noord", "Meldt Annemiek aan bij de schuldhulpverlening.", 14),
        ],
        risks=[
            ("Alcoholgebruik van Kees", "ja", "Kees wil zelf stoppen en heeft steun van zijn zus."),
            ("Financiële stress door schulden", "ja", "Annemiek heeft een vaste baan."),
        ],
        scores={"JB01": 5, "WT01": 6, "GZ01": 5, "SC01": 6, "PO01": 5, "RC01": 4},
    ),
    "2025-112": dict(
        situations=[
            ("Emre Çelik", "Emre heeft nachtmerries over het geweld van zijn vader, die sinds een jaar uit huis is.", 2025, "nee"),
        ],
        conditions=[
            ("Er is geen contact tussen vader en de kinderen zonder begeleiding.", 60, "Elif Çelik"),
        ],
        agreements=[
            ("GGZ Regio", "Start traumabehandeling (EMDR) voor Emre.", 30),
            ("Wijkteam Oost", "Zoekt een sportclub voor Zeynep.", 45),
        ],
        risks=[("Oud-partner zoekt via sociale media contact", "ja", "Elif blokkeert hem en meldt het aan de wijkagent.")],
        recovery=[
            ("Emre Çelik", "Traumabehandeling voor zijn angst en nachtmerries.", "gezondheid"),
            ("Zeynep Çelik", "Weer meedoen met vriendinnen en sport.", "deelname aan de samenleving"),
            ("Elif Çelik", "Steun bij werk zoeken.", "persoonlijke ontwikkeling"),
        ],
        scores={"WT03": 7, "GZ01": 7, "HA01": 6},
    ),
    "2026-030": dict(
        situations=[
            ("Ria van der Meer", "Ria krijgt van Henk geen geld meer voor boodschappen en eet te weinig.", D(2026, 10, 1), "nee"),
            ("Ria van der Meer", "Ria had op 5 oktober blauwe plekken op haar armen die zij niet kon verklaren.", D(2026, 10, 5), "ja"),
        ],
        conditions=[
            ("Ria beschikt zelf over haar eigen pensioen.", 45, "Wijkteam Zuid"),
            ("Henk gebruikt geen geweld tegen Ria.", 30, "Henk van der Meer"),
        ],
        agreements=[
            ("Wijkteam Zuid", "Regelt een eigen bankrekening voor Ria.", 21),
            ("Huisartsenpraktijk De Linde", "Ziet Ria elke twee weken op het spreekuur.", 14),
        ],
        scores={"VT02": 3, "PO01": 4, "HA01": 4, "WT02": 4},
    ),
    "2026-033": dict(
        situations=[
            ("Dewi Kok", "Dewi wordt vaak alleen thuis gelaten als Priscilla 's avonds werkt.", D(2026, 8, 15), "nee"),
            ("Mees Kok", "Mees had in september een brandwond op zijn hand; uitleg van moeder past er niet bij.", D(2026, 9, 9), "ja"),
        ],
        conditions=[
            ("Er is altijd een volwassene bij Dewi en Mees.", 14, "Priscilla Kok"),
        ],
        agreements=[
            ("Wijkteam Zuid", "Regelt kinderopvang in de avonduren.", 14),
            ("Jeugdbescherming Regio", "Bespreekt het letsel van Mees met de politie.", 7),
        ],
        risks=[("Priscilla staat er alleen voor, zonder netwerk", "ja", "Oma wil helpen met oppassen.")],
        scores={"WT02": 5, "JB01": 4, "GZ01": 5},
    ),
}

# The second meeting (12 January 2027): Bakker again, with some scores down, and the new Hoekstra household.
LATER_CONTENT = {
    "2026-014": dict(
        situations=[
            ("Marieke Bakker", "Marieke werd op 28 december door Ronald uitgescholden en bedreigd aan de telefoon.",
             D(2026, 12, 28), "ja"),
            ("Jan Bakker", "Jan gaat sinds 3 maanden zonder winterjas naar school, omdat er thuis geen geld voor is.",
             D(2026, 9, 1), "nee"),
        ],
        conditions=[
            ("Ronald woont tijdelijk bij zijn broer tot de eerste toetsing.", 30, "Ronald Bakker"),
            ("Ronald neemt alleen contact op via de gezinscoach.", 21, "Ronald Bakker"),
        ],
        agreements=[
            ("Politie basisteam Centrum", "Neemt de aangifte van bedreiging op en overlegt met het OM.", 7),
            ("Wijkteam Noord", "Plant een gesprek met Marieke over een contactverbod.", 14),
        ],
        scores={"WT01": 4, "VT01": 2, "PO01": 3, "SC01": 5},
    ),
    "2026-041": dict(
        situations=[
            ("Bram Hoekstra", "Bram zag op 2 januari hoe zijn moeder door haar vriend werd geslagen.", D(2027, 1, 2), "ja"),
        ],
        conditions=[("De vriend van Sandra komt niet meer in huis.", 30, "Sandra Hoekstra")],
        agreements=[("Veilig Thuis Regio", "Bespreekt met de politie een tijdelijk huisverbod.", 7)],
        scores={"VT01": 3, "WT03": 4},
    ),
}

# The typical mistakes of domain.md, each in one returned form: (dossier, professional).
MISTAKES = {
    ("2026-014", "PO01"): "text_dates",
    ("2026-014", "SC01"): "victim_name_not_first",
    ("2026-021", "WT02"): "deadline_5_months",
    ("2026-008", "GZ01"): "missing_score_explanation",
    ("2026-030", "HA01"): "unknown_victim",
}
RENAMED = {("2026-008", "PO01"): "ingevuld formulier politie (2).xlsx"}
NOT_RETURNED = {("2026-008", "RC01"), ("2026-033", "GZ01")}
RESAVED_BY_LIBREOFFICE = ("2025-112", "GZ01")


def build_register() -> Register:
    reg = Register(
        households=list(HOUSEHOLDS),
        professionals=list(PROFESSIONALS),
        members=[Member(d, n, y, r) for d, ms in MEMBERS.items() for n, y, r in ms],
        involvements=[Involvement(d, code, nr) for d, inv in INVOLVED.items() for code, nr in inv],
        meeting_items=[MeetingItem(SAMPLE_MEETING, d, t) for t, d in AGENDA]
        + [MeetingItem(LATER_MEETING, "2026-014", "09:00"), MeetingItem(LATER_MEETING, "2026-041", "09:45")],
    )
    return reg


def build_faulty(reg: Register) -> Register:
    """The same register with deliberate errors, all in household 2026-021."""
    households = [replace(h, regisseur="PO01") if h.dossier == "2026-021" else h for h in reg.households]
    members = [m for m in reg.members if not (m.dossier == "2026-021" and m.name == "Bilal El Idrissi")]
    members.append(Member("2026-021", "Bilal El Idrissi", 2091, "kind"))
    return replace(reg, households=households, members=members)


def fill(path: Path, dossier: str, code: str, mistake: str | None, meeting: dt.date = SAMPLE_MEETING,
         contents: dict = CONTENT) -> None:
    """Fill a generated score sheet as the professional would, through its defined names."""
    schema = build_schema()
    content = contents[dossier]
    wb = load_workbook(path)
    places, _ = resolve_names(wb, [c.name for c in schema.inputs])

    def put(name: str, value) -> None:
        sheet, ref = places[name]
        cell = wb[sheet][ref]
        cell.value = value
        if isinstance(value, dt.date) and cell.number_format in ("General", "yyyy-mm-dd h:mm:ss"):
            cell.number_format = "d-m-yyyy"  # what Excel does when a Dutch user types a date

    def term(days: int) -> dt.datetime:
        return dt.datetime.combine(meeting + dt.timedelta(days=days), dt.time())

    for i, (victim, text, when, offence) in enumerate(content["situations"], start=1):
        if mistake == "victim_name_not_first" and i == 1:
            text = "Er is thuis geen geld voor een winterjas voor Jan."
        if mistake == "unknown_victim" and i == 1:
            victim, text = "Riet van der Meer", text.replace("Ria", "Riet", 1)
        put(f"situatie_{i}_slachtoffer", victim)
        put(f"situatie_{i}_omschrijving", text)
        if mistake == "text_dates" and isinstance(when, dt.date):
            put(f"situatie_{i}_datum", f"{when.day}-{when.month}-{when.year}")
        else:
            put(f"situatie_{i}_datum", dt.datetime.combine(when, dt.time()) if isinstance(when, dt.date) else when)
        put(f"situatie_{i}_strafbaar_feit", offence)

    score = content["scores"][code]
    put("beoordeling_cijfer", score)
    if mistake != "missing_score_explanation":
        put("beoordeling_toelichting", f"Ik geef een {score}: er zijn recente incidenten en de afspraken staan nog niet vast.")
    put("beoordeling_hoger", "Als de voorwaarden een maand lang worden nageleefd.")
    put("beoordeling_lager", "Omdat de ouders meewerken en het netwerk meedenkt.")

    for i, (text, days, owner) in enumerate(content["conditions"], start=1):
        put(f"voorwaarde_{i}_voorwaarde", text)
        if mistake == "deadline_5_months" and i == 1:
            put(f"voorwaarde_{i}_termijn", dt.datetime.combine(add_months(meeting, 5), dt.time()))
        elif mistake == "text_dates":
            when = term(days)
            put(f"voorwaarde_{i}_termijn", f"{when.day}-{when.month}-{when.year}")
        else:
            put(f"voorwaarde_{i}_termijn", term(days))
        put(f"voorwaarde_{i}_eigenaar", owner)
    for i, (who, what, days) in enumerate(content["agreements"], start=1):
        put(f"afspraak_{i}_wie", who)
        put(f"afspraak_{i}_wat", what)
        put(f"afspraak_{i}_wanneer", term(days))
    for i, (factor, influence, protective) in enumerate(content.get("risks", []), start=1):
        put(f"risicofactor_{i}_factor", factor)
        put(f"risicofactor_{i}_beinvloedbaar", influence)
        put(f"risicofactor_{i}_beschermend", protective)
    for i, (member, need, domain) in enumerate(content.get("recovery", []), start=1):
        put(f"herstel_{i}_gezinslid", member)
        put(f"herstel_{i}_behoefte", need)
        put(f"herstel_{i}_domein", domain)

    regisseur = next(h.regisseur for h in HOUSEHOLDS if h.dossier == dossier)
    prof = next(p for p in PROFESSIONALS if p.code == regisseur)
    put("regie_regisseur", f"{prof.name} ({prof.organisation})")
    put("regie_toetsmoment", term(42))
    put("regie_veilig_thuis", "Bij elk nieuw incident informeert de regisseur Veilig Thuis dezelfde dag.")
    put("regie_consequenties", "Bij het niet naleven van een voorwaarde volgt direct een overleg met Veilig Thuis "
                               "en wordt opschaling naar de Raad voor de Kinderbescherming overwogen.")
    put("sterk_1_omschrijving", "De ouders komen hun afspraken met school na.")
    if dossier == "2026-014" and code == "WT01":
        put("gezinsscore_1_gezinslid", "Marieke Bakker")
        put("gezinsscore_1_cijfer", 4)
        put("gezinsscore_1_toelichting", "Ik voel me veiliger nu Ronald bij zijn broer woont.")
    wb.save(path)


def resave_with_libreoffice(path: Path) -> bool:
    soffice = shutil.which("soffice")
    if not soffice:
        return False
    with tempfile.TemporaryDirectory() as tmp:
        subprocess.run(
            [soffice, f"-env:UserInstallation=file://{tmp}/profiel", "--headless", "--convert-to", "xlsx",
             "--outdir", f"{tmp}/uit", str(path)],
            check=True, capture_output=True, timeout=120,
        )
        shutil.copyfile(Path(tmp) / "uit" / path.name, path)
    return True


def main() -> None:
    reg = build_register()
    write_register(reg, SAMPLES / "register.xlsx")
    write_register(build_faulty(reg), SAMPLES / "register_met_fouten.xlsx")
    loaded = load(SAMPLES / "register.xlsx")
    assert not loaded.findings, loaded.findings

    retour = SAMPLES / "retour"
    shutil.rmtree(retour, ignore_errors=True)
    with tempfile.TemporaryDirectory() as tmp:
        result = write_forms(loaded.register, SAMPLE_MEETING, Path(tmp), key=demo_key())
        retour.mkdir(parents=True)
        for job in result.written:
            key = (job.dossier, job.professional)
            if key in NOT_RETURNED:
                continue
            fill(job.path, job.dossier, job.professional, MISTAKES.get(key))
            target = retour / RENAMED.get(key, job.path.name)
            shutil.copyfile(job.path, target)
            if key == RESAVED_BY_LIBREOFFICE and resave_with_libreoffice(target):
                print(f"opnieuw opgeslagen met LibreOffice: {target.name}")
    later = SAMPLES / f"retour_{LATER_MEETING.isoformat()}"
    shutil.rmtree(later, ignore_errors=True)
    later.mkdir(parents=True)
    with tempfile.TemporaryDirectory() as tmp:
        for job in write_forms(loaded.register, LATER_MEETING, Path(tmp), key=demo_key()).written:
            fill(job.path, job.dossier, job.professional, None, LATER_MEETING, LATER_CONTENT)
            shutil.copyfile(job.path, later / job.path.name)
    print(f"geschreven: samples/register.xlsx, samples/register_met_fouten.xlsx, "
          f"{len(list(retour.iterdir()))} formulieren in samples/retour, "
          f"{len(list(later.iterdir()))} in {later.name}")


if __name__ == "__main__":
    main()
