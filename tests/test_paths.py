"""Ids to file names: two households (or two professionals) never share a file, on any disk."""

import datetime as dt
import email
import email.policy
import json
import re

from conftest import COMPLETE, MEETING, fill
from hypothesis import example, given, settings
from hypothesis import strategies as st
from pypdf import PdfReader

from formkit.core.paths import MAX_PART, decode_part, fixed_part, id_part
from formkit.delivery.mail import mail_reports
from formkit.delivery.pack import build_packs
from formkit.delivery.reports import summarise, write_reports
from formkit.documents.plan_files import merge_and_write
from formkit.documents.word import write_top3_forms
from formkit.register.model import Household, Involvement, MeetingItem, Member, Professional, Register
from formkit.returns.batch import check_batch
from formkit.sheets.forms import write_forms
from formkit.sheets.schema import build_schema

SCHEMA = build_schema()
WINDOWS_FORBIDDEN = re.compile(r'[<>:"/\\|?*\x00-\x1f]')
RESERVED = {"CON", "PRN", "AUX", "NUL"} | {f"{p}{n}" for p in ("COM", "LPT") for n in range(10)}
IDS = st.text(st.characters(codec="utf-8"), max_size=60) | st.text("aAbBcC_-/ .%01", max_size=12)


def is_windows_name(part: str) -> bool:
    stem = part.split(".")[0].upper()
    return (bool(part) and not WINDOWS_FORBIDDEN.search(part) and not part.endswith((".", " "))
            and stem not in RESERVED and len(part) <= MAX_PART)


@settings(max_examples=2000, deadline=None)
@given(IDS, IDS)
@example("2026/201", "2026 201")
@example("P/1", "P_1")
@example("p1", "P1")
@example("CON", "_43ON")
@example("", "_")
@example("x" * 200, "x" * 199 + "y")
def test_distinct_ids_never_share_a_name_part_even_ignoring_case(a, b):
    if a == b:
        assert id_part(a) == id_part(b)
        return
    assert id_part(a) != id_part(b)
    assert id_part(a).casefold() != id_part(b).casefold()


@settings(max_examples=2000, deadline=None)
@given(IDS)
@example("CON")
@example("lpt9")
@example("COM1")
@example("NUL.txt")
@example("ab. ")
@example("\u202eexe.txt")
@example("x" * 200)
def test_every_name_part_is_a_valid_windows_name_and_reads_back(value):
    part = id_part(value)
    assert is_windows_name(part), part
    if "~" not in part:  # only over-long ids are shortened, with a hash
        assert decode_part(part) == value
        assert decode_part(part.lower()) == value  # what a case-insensitive disk may hand back


def test_common_ids_stay_readable():
    assert [id_part(v) for v in ("2026-014", "WT01", "VT-2026-000123")] == ["2026-014", "WT01", "VT-2026-000123"]
    assert id_part("2026/201") == "2026_2f201" and id_part("p1") == "_701" and id_part("CON") == "_43ON"


def test_a_fixed_name_is_never_the_name_of_an_id():
    assert fixed_part("overig") == "_overig" and decode_part("_overig") is None
    assert all(fixed_part("overig").casefold() != id_part(v).casefold() for v in ("overig", "OVERIG", "_overig"))


# --- whole outputs ------------------------------------------------------------------------------------


def twin_register() -> Register:
    """Two households and professionals whose ids differ only in what old file names dropped or folded."""
    households = [("2026/201", "Gezin Jansen", "Els Jansen", "P/1"), ("2026 201", "Gezin Smit", "Noor Smit", "P_1")]
    reg = Register(
        professionals=[Professional("P/1", "Kim Verhoef", "Wijkteam West", None, "kim@wijkteam.example"),
                       Professional("P_1", "Rob Claassen", "Politie", None, "rob@politie.example"),
                       Professional("p1", "Iris Lammers", "Veilig Thuis", None, "iris@vt.example"),
                       Professional("P1", "Sam de Vries", "School", None, "sam@school.example"),
                       Professional("secretariaat", "Piet Secretaris", "Sociaal team", None, "piet@st.example")])
    for (dossier, name, member, regisseur), others in zip(households, (("p1", "secretariaat"), ("P1",))):
        reg.households.append(Household(dossier, name, dt.date(2026, 10, 1), 1, regisseur))
        reg.members.append(Member(dossier, member, 1990, "moeder"))
        reg.involvements += [Involvement(dossier, code) for code in (regisseur, *others)]
        reg.meeting_items.append(MeetingItem(MEETING, dossier))
    return reg


def answers(member: str, regisseur: str) -> dict:
    return COMPLETE | {"situatie_1_slachtoffer": member, "situatie_1_omschrijving": f"{member} is bang thuis.",
                       "situatie_2_slachtoffer": None, "situatie_2_omschrijving": None, "situatie_2_datum": None,
                       "situatie_2_strafbaar_feit": None, "regie_regisseur": regisseur}


def test_look_alike_households_and_professionals_get_their_own_forms_and_top3(tmp_path):
    reg = twin_register()
    forms = write_forms(reg, MEETING, tmp_path / "f")
    paths = [job.path for job in forms.written]
    assert len(paths) == 5 and len({str(p).casefold() for p in paths}) == 5 and all(p.is_file() for p in paths)
    assert len({p.parent for p in paths}) == 2  # one folder per household
    by_pair = {(j.dossier, j.professional): j.path.relative_to(tmp_path / "f").as_posix() for j in forms.written}
    assert by_pair[("2026/201", "p1")] == "2026_2f201/scoreformulier_2026_2f201__701_2026-12-01.xlsx"
    assert by_pair[("2026 201", "P1")] == "2026_20201/scoreformulier_2026_20201_P1_2026-12-01.xlsx"
    top3 = write_top3_forms(reg, MEETING, tmp_path / "d")
    assert len(top3.written) == 2 and len({p.parent for p in top3.written}) == 2


def test_look_alike_households_never_mix_in_plans_reports_or_outbox(tmp_path, libreoffice_convert):
    reg = twin_register()
    forms = write_forms(reg, MEETING, tmp_path / "f")
    member = {h.dossier: reg.members_of(h.dossier)[0].name for h in reg.households}
    regisseur = {"2026/201": "Kim Verhoef (Wijkteam West)", "2026 201": "Rob Claassen (Politie)"}
    for job in forms.written:
        fill(job.path, answers(member[job.dossier], regisseur[job.dossier]),
             tmp_path / "retour" / job.path.name)
    batch = check_batch([tmp_path / "retour"], reg, SCHEMA, meeting=MEETING)
    plans = list(merge_and_write(batch, reg, SCHEMA, tmp_path / "plannen"))
    assert len(plans) == 2 and len({folder for _, folder in plans}) == 2
    for plan, folder in plans:  # each folder holds its own household's plan, and no other household's words
        data = json.loads((folder / "plan.json").read_text(encoding="utf-8"))
        other = next(m for d, m in member.items() if d != plan.dossier)
        assert data["dossier"] == plan.dossier and member[plan.dossier] in json.dumps(data, ensure_ascii=False)
        assert other not in json.dumps(data, ensure_ascii=False)

    written = write_reports(summarise(batch, reg), reg, tmp_path / "rapporten")
    assert len({r.xlsx.parent for r in written}) == 2 and len({r.xlsx.name.casefold() for r in written}) == 2
    result = mail_reports(tmp_path / "rapporten", reg, outbox=tmp_path / "postvak")
    messages = sorted((tmp_path / "postvak").glob("*.eml"))
    assert sorted(result.delivered) == sorted(member) and len(messages) == 2
    for path in messages:
        msg = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
        dossier = msg["Subject"].split("dossier ")[1].split(",")[0]
        assert path.name == f"controlerapport_{id_part(dossier)}.eml"
        assert msg["To"].addresses[0].addr_spec == {"2026/201": "kim@wijkteam.example",
                                                     "2026 201": "rob@politie.example"}[dossier]


def test_a_professional_coded_secretariaat_and_the_secretariat_each_get_their_own_agenda(tmp_path, libreoffice_convert):
    reg = twin_register()
    result = build_packs(reg, MEETING, tmp_path / "pakket", per_recipient=True)
    by_code = {p.recipient.code if p.recipient else None: p for p in result.packs}
    assert set(by_code) == {None, "P/1", "P_1", "p1", "P1", "secretariaat"}
    assert len({str(p.path).casefold() for p in result.packs}) == 6
    assert by_code["secretariaat"].dossiers == ("2026/201",)
    text = "\n".join(page.extract_text() for page in PdfReader(by_code["secretariaat"].path).pages)
    assert "Gezin Jansen" in text and "Gezin Smit" not in text and "Noor Smit" not in text
    text = "\n".join(page.extract_text() for page in PdfReader(by_code["P1"].path).pages)
    assert "Gezin Smit" in text and "Gezin Jansen" not in text
    agenda = PdfReader(by_code[None].path).pages[0].extract_text()  # the secretariat's own agenda, not theirs
    assert "Gezin Jansen" in agenda and "Gezin Smit" in agenda
