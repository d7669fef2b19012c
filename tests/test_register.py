import datetime as dt

import pytest
from click.testing import CliRunner
from conftest import MEETING, make_register
from openpyxl import load_workbook

from formkit.cli.main import main
from formkit.core.findings import Severity
from formkit.core.messages import MESSAGES
from formkit.register.load import load
from formkit.register.model import Household, Member, Professional
from formkit.register.write import new_register, write_register


def codes(findings):
    return [f.code for f in findings]


def only(findings, code):
    matching = [f for f in findings if f.code == code]
    assert len(matching) == 1, f"verwacht één {code}, gevonden: {[str(f) for f in findings]}"
    return matching[0]


def message(code, **values):
    return MESSAGES[code][1].format(**values)


def write(tmp_path, reg):
    path = tmp_path / "register.xlsx"
    write_register(reg, path)
    return path


def edit(path, sheet, cell, value):
    wb = load_workbook(path)
    wb[sheet][cell].value = value
    wb.save(path)


def test_clean_register_reads_into_dataclasses(register_path):
    result = load(register_path)
    assert result.findings == []
    reg = result.register
    assert [h.dossier for h in reg.households] == ["2026-101", "2026-102"]
    assert reg.household("2026-101").start_date == dt.date(2026, 10, 1)
    assert reg.household("2026-102").phase == 2
    assert [m.name for m in reg.members_of("2026-102")] == ["Ayşe Öztürk", "Can Öztürk"]
    assert [p.code for p in reg.professionals_of("2026-101")] == ["P1", "P2"]
    assert reg.involvements_of("2026-101")[0].file_number == "WW-1"
    assert reg.dossiers_on(dt.date(2026, 12, 1)) == ["2026-101", "2026-102"]


def test_headers_match_case_and_space_insensitively_in_any_order(tmp_path, register_path):
    wb = load_workbook(register_path)
    ws = wb["Huishoudens"]
    ws.move_range("A1:E3", cols=10)  # the columns now start at K
    headers = {"K1": "  Regisseur ", "L1": "NAAM", "M1": "Start datum", "N1": "dossier", "O1": "Fase"}
    values = [("P1", "Gezin Pietersen", "1-10-2026", "2026-101", 1), ("P3", "Gezin Öztürk", "1-9-2026", "2026-102", 2)]
    for cell, text in headers.items():
        ws[cell] = text
    for r, row in enumerate(values, start=2):
        for c, v in enumerate(row, start=11):
            ws.cell(r, c, v)
    wb["Gezinsleden"].title = "gezins leden"
    wb.save(register_path)
    result = load(register_path)
    assert result.findings == []
    h = result.register.household("2026-101")
    assert (h.name, h.regisseur, h.start_date) == ("Gezin Pietersen", "P1", dt.date(2026, 10, 1))


def test_missing_sheet(register_path):
    wb = load_workbook(register_path)
    del wb["Overleggen"]
    wb.save(register_path)
    f = only(load(register_path).findings, "sheet_missing")
    assert f.sheet == "Overleggen" and f.severity is Severity.ERROR
    assert f.message == message("sheet_missing", sheet="Overleggen")


def test_missing_column(register_path):
    edit(register_path, "Professionals", "C1", "werkgever")
    f = only(load(register_path).findings, "column_missing")
    assert (f.sheet, f.row, f.column) == ("Professionals", 1, "organisatie")


def test_duplicate_ids(tmp_path):
    reg = make_register()
    reg.households.append(Household("2026-101", "Gezin Dubbel", dt.date(2026, 1, 1), 1, "P1"))
    reg.professionals.append(Professional("P2", "Ander Persoon", "School", None, None))
    findings = load(write(tmp_path, reg)).findings
    dup = [f for f in findings if f.code == "duplicate_id"]
    assert {(f.sheet, f.row, f.column, f.cell) for f in dup} == {
        ("Huishoudens", 4, "dossier", "A4"), ("Professionals", 5, "code", "A5")}
    assert message("duplicate_id", what="dossier", value="2026-101", first_row=2) in [f.message for f in dup]


def test_unknown_codes(tmp_path):
    reg = make_register()
    reg.involvements[1] = type(reg.involvements[1])("2026-101", "P9", None)
    reg.members.append(Member("2099-001", "Los Lid", 2000, "kind"))
    findings = load(write(tmp_path, reg)).findings
    f = only(findings, "unknown_professional")
    assert (f.sheet, f.row, f.column, f.cell) == ("Betrokkenheid", 3, "professional", "B3")
    f = only(findings, "unknown_dossier")
    assert (f.sheet, f.row, f.column) == ("Gezinsleden", 6, "dossier")


def test_household_without_members_or_professionals(tmp_path):
    reg = make_register()
    reg.members = [m for m in reg.members if m.dossier != "2026-102"]
    reg.involvements = [i for i in reg.involvements if i.dossier != "2026-102"]
    findings = load(write(tmp_path, reg)).findings
    for code in ("household_without_members", "household_without_professionals"):
        f = only(findings, code)
        assert (f.sheet, f.row, f.dossier) == ("Huishoudens", 3, "2026-102")


def test_regisseur_missing_not_involved_and_without_email(tmp_path):
    reg = make_register()
    reg.households[0] = Household("2026-101", "Gezin Pietersen", dt.date(2026, 10, 1), 1, None)
    reg.households[1] = Household("2026-102", "Gezin Öztürk", dt.date(2026, 9, 1), 2, "P2")
    reg.professionals[1] = Professional("P2", "Rob Claassen", "Politie", "wijkagent", None)
    findings = load(write(tmp_path, reg)).findings
    f = only(findings, "regisseur_missing")
    assert (f.sheet, f.row, f.column, f.cell) == ("Huishoudens", 2, "regisseur", "E2")
    f = only(findings, "regisseur_not_involved")
    assert (f.row, f.dossier) == (3, "2026-102")
    assert f.message == message("regisseur_not_involved", value="P2", dossier="2026-102")
    f = only(findings, "regisseur_without_email")
    assert (f.sheet, f.row, f.column) == ("Professionals", 3, "email")


def test_invalid_email(register_path):
    edit(register_path, "Professionals", "E2", "k.verhoef wijkteam.example")
    findings = load(register_path).findings
    f = only(findings, "email_invalid")
    assert (f.sheet, f.row, f.cell) == ("Professionals", 2, "E2")
    # the regisseur P1 now has no valid address either
    assert "regisseur_without_email" in codes(findings)


@pytest.mark.parametrize("value", ["31-02-2026", "gisteren", "2026-13-01"])
def test_impossible_dates(register_path, value):
    edit(register_path, "Huishoudens", "C3", value)
    f = only(load(register_path).findings, "date_invalid")
    assert (f.sheet, f.row, f.column, f.cell) == ("Huishoudens", 3, "startdatum", "C3")
    assert f.message == message("date_invalid", value=value)


@pytest.mark.parametrize("value, expected", [("3-2-2026", dt.date(2026, 2, 3)), ("03-02-26", dt.date(2026, 2, 3)),
                                             ("3 februari 2026", dt.date(2026, 2, 3))])
def test_dutch_text_dates_are_read(register_path, value, expected):
    edit(register_path, "Overleggen", "A2", value)
    result = load(register_path)
    assert result.findings == []
    assert result.register.meeting_items[0].date == expected


@pytest.mark.parametrize("value", [0, 6, "zes"])
def test_phase_outside_1_to_5(register_path, value):
    edit(register_path, "Huishoudens", "D2", value)
    f = only(load(register_path).findings, "phase_invalid")
    assert (f.sheet, f.row, f.column) == ("Huishoudens", 2, "fase")


def test_birth_year_and_formula(register_path):
    edit(register_path, "Gezinsleden", "C3", 2091)
    edit(register_path, "Gezinsleden", "D2", "=A1")
    findings = load(register_path).findings
    assert only(findings, "year_invalid").cell == "C3"
    assert only(findings, "formula_in_register").cell == "D2"


def test_required_value_missing_names_the_cell(register_path):
    edit(register_path, "Professionals", "B3", None)
    f = only(load(register_path).findings, "value_missing")
    assert (f.sheet, f.row, f.column, f.cell) == ("Professionals", 3, "naam", "B3")


def test_unreadable_register_is_a_finding(tmp_path):
    path = tmp_path / "register.xlsx"
    path.write_text("dossier;naam\n2026-1;Gezin X\n", encoding="utf-8")
    result = load(path)
    assert codes(result.findings) == ["register_unreadable"]
    run = CliRunner().invoke(main, ["register", "check", str(path)])
    assert run.exit_code == 1
    assert "kan niet worden geopend" in run.output
    assert "Traceback" not in run.output


def test_register_check_cli_exit_codes(tmp_path, register_path):
    runner = CliRunner()
    ok = runner.invoke(main, ["register", "check", str(register_path)])
    assert ok.exit_code == 0, ok.output
    assert "0 fouten" in ok.output
    edit(register_path, "Huishoudens", "D2", 9)
    bad = runner.invoke(main, ["register", "check", str(register_path)])
    assert bad.exit_code == 1
    assert "blad Huishoudens, rij 2, kolom fase (D2)" in bad.output
    assert runner.invoke(main, ["register", "check", str(tmp_path / "weg.xlsx")]).exit_code == 2
    assert runner.invoke(main, ["register", "check"]).exit_code == 2


def test_register_new_writes_sheets_dropdowns_and_instructions(tmp_path):
    path = tmp_path / "nieuw.xlsx"
    result = CliRunner().invoke(main, ["register", "new", str(path)])
    assert result.exit_code == 0, result.output
    wb = load_workbook(path)
    assert wb.sheetnames == ["Uitleg", "Huishoudens", "Gezinsleden", "Professionals", "Betrokkenheid", "Overleggen"]
    assert "formkit register check" in " ".join(str(c.value) for c in wb["Uitleg"]["A"] if c.value)
    lists = {dv.formula1 for dv in wb["Huishoudens"].data_validations.dataValidation if dv.type == "list"}
    assert '"1,2,3,4,5"' in lists and any("Professionals!" in f for f in lists)
    assert load(path).findings == []
    again = CliRunner().invoke(main, ["register", "new", str(path)])
    assert again.exit_code == 2 and "--force" in again.output
    new_register(path)  # the library call overwrites as asked


def test_look_ups_follow_every_change_to_the_registers_lists():
    import pickle

    from formkit.register.model import Involvement, MeetingItem, Professional

    reg = make_register()
    assert reg.household("2026-101").name and [p.code for p in reg.professionals_of("2026-101")] == ["P1", "P2"]
    reg.households[0] = Household("2026-101", "Gezin Hernoemd", dt.date(2026, 10, 1), 1, "P1")  # replaced in place
    assert reg.household("2026-101").name == "Gezin Hernoemd"
    reg.involvements.append(Involvement("2026-101", "P9"))  # P9 is not (yet) a known professional
    assert [p.code for p in reg.professionals_of("2026-101")] == ["P1", "P2"]
    reg.professionals += [Professional("P9", "Nieuwe Collega", "School")]
    assert [p.code for p in reg.professionals_of("2026-101")] == ["P1", "P2", "P9"]
    reg.involvements = [i for i in reg.involvements if i.professional != "P2"]  # a new list altogether
    assert [p.code for p in reg.professionals_of("2026-101")] == ["P1", "P9"]
    del reg.members[:]
    assert reg.members_of("2026-101") == []
    reg.meeting_items.insert(0, MeetingItem(MEETING, "2026-102", "08:30"))
    assert reg.dossiers_on(MEETING)[0] == "2026-102"
    copy = pickle.loads(pickle.dumps(reg))  # as a worker process gets it
    assert copy == reg and copy.dossiers_on(MEETING) == reg.dossiers_on(MEETING)
    copy.meeting_items.pop(0)
    assert copy.dossiers_on(MEETING)[0] != "2026-102" and reg.dossiers_on(MEETING)[0] == "2026-102"


# --- ids people or file names would confuse (issue 12, point 2) ---------------------------------------


@pytest.mark.parametrize("first, second", [("2026/201", "2026 201"), ("2026-101", "2026-101.")])
def test_look_alike_dossier_ids_are_an_error_naming_both_rows(tmp_path, first, second):
    reg = make_register()
    reg.households += [Household(first, "Gezin Een", dt.date(2026, 1, 1), 1, "P1"),
                       Household(second, "Gezin Twee", dt.date(2026, 1, 1), 1, "P1")]
    findings = load(write(tmp_path, reg)).findings
    alike = [f for f in findings if f.code == "id_alike"]
    if first == "2026-101":  # the look-alike is of the register's own first household, in row 2
        [f] = alike
        assert (f.sheet, f.row, f.cell) == ("Huishoudens", 5, "A5")
        assert f.message == message("id_alike", what="dossier", value=second, other="2026-101", other_row=2)
        return
    [f] = alike
    assert f.is_error and (f.sheet, f.row, f.column, f.cell) == ("Huishoudens", 5, "dossier", "A5")
    assert f.message == message("id_alike", what="dossier", value=second, other=first, other_row=4)


def test_professional_codes_differing_in_case_or_punctuation_are_errors(tmp_path):
    reg = make_register()
    reg.professionals += [Professional("p1", "Een", "School"), Professional("P/2", "Twee", "School"),
                          Professional("P_2", "Drie", "School")]
    result = CliRunner().invoke(main, ["register", "check", str(write(tmp_path, reg))])
    assert result.exit_code == 1
    assert message("id_alike", what="code", value="p1", other="P1", other_row=2) in result.output
    assert message("id_alike", what="code", value="P_2", other="P/2", other_row=6) in result.output
    assert "blad Professionals, rij 7, kolom code (A7)" in result.output


def test_a_dossier_id_too_long_for_windows_paths_is_an_error(tmp_path):
    reg = make_register()
    long_id = "2026-" + "9" * 60
    reg.households.append(Household(long_id, "Gezin Lang", dt.date(2026, 1, 1), 1, "P1"))
    f = only(load(write(tmp_path, reg)).findings, "id_too_long")
    assert f.is_error and (f.sheet, f.row) == ("Huishoudens", 4) and "65 tekens" in f.message


def test_an_id_with_an_escape_sequence_or_bidi_override_is_an_error_shown_safely(tmp_path):
    reg = make_register()
    reg.households.append(Household("2026-\x1b[31m9", "Gezin Escape", dt.date(2026, 1, 1), 1, "P1"))
    reg.professionals.append(Professional("P\u202e9", "Omgekeerd", "School"))
    path = write(tmp_path, reg)
    result = CliRunner().invoke(main, ["register", "check", str(path)])
    unsafe = [f for f in load(path).findings if f.code == "id_unsafe_characters"]
    assert {(f.sheet, f.row) for f in unsafe} == {("Huishoudens", 4), ("Professionals", 5)}
    assert result.exit_code == 1 and "\x1b" not in result.output and "\u202e" not in result.output
    assert "U+001B" in result.output and "U+202E" in result.output


# --- registers at scale: the fast row reader gives what openpyxl gives (issue 12, point 8) -------------


def test_fast_rows_read_every_kind_of_cell_as_openpyxl_does(tmp_path, libreoffice_convert):
    from openpyxl import Workbook, load_workbook
    from openpyxl.worksheet.formula import ArrayFormula

    import formkit.xlsx.rows
    from formkit.xlsx.workbook import iter_rows

    wb = Workbook()
    ws = wb.active
    ws.append(["dossier", "naam", 3, 2.5, True, dt.date(2026, 12, 1), dt.datetime(2026, 1, 2, 9, 30), None, "x"])
    ws["B3"] = "alleen B"  # row 2 missing, column A empty
    ws["C4"] = "=SUM(A1:A3)"
    ws["D4"] = ArrayFormula("D4:D5", "=SUM(A1:A3*B1:B3)")
    ws["A5"] = "  spaties  \n twee regels"
    ws["J6"] = 1e-7
    ws["A7"] = "=1"
    ws["A7"].data_type = "s"  # text that looks like a formula stays text
    ws.cell(8, 2).number_format = "dd-mm-yyyy"  # styled, no value: a row of empty values, as in openpyxl
    wb.save(tmp_path / "los.xlsx")
    converted = libreoffice_convert(tmp_path / "los.xlsx", "xlsx", tmp_path / "lo")  # shared strings, styles

    def rows_of(path):
        wb = load_workbook(path, read_only=True)
        try:
            return list(iter_rows(wb.active))
        finally:
            wb.close()  # a read-only workbook keeps its file open until closed

    def both(path):
        fast = rows_of(path)
        original = formkit.xlsx.rows.fast_rows
        formkit.xlsx.rows.fast_rows = lambda ws, formula: None
        try:
            slow = rows_of(path)
        finally:
            formkit.xlsx.rows.fast_rows = original
        return fast, slow

    for path in (tmp_path / "los.xlsx", converted):
        fast, slow = both(path)
        assert fast == slow and [type(v) for _, row in fast for v in row] == [type(v) for _, row in slow for v in row]
    fast, _ = both(tmp_path / "los.xlsx")
    assert [n for n, _ in fast] == [1, 3, 4, 5, 6, 7, 8] and fast[-1][1] == [None, None]
    assert fast[2][1][2:4] == ["=SUM(A1:A3)", "{=SUM(A1:A3*B1:B3)}"]


def test_a_register_of_10000_households_is_checked_in_linear_time(tmp_path):
    import time

    from formkit.register.model import Involvement, MeetingItem, Register

    def region(n):
        reg = Register(professionals=[Professional(f"P{i:03d}", f"Prof {i}", "Org", None, f"p{i}@o.example")
                                      for i in range(1, 101)])
        for h in range(n):
            d, codes = f"2026-{h:05d}", [f"P{(h * 7 + k * 13) % 100 + 1:03d}" for k in range(3)]
            reg.households.append(Household(d, f"Gezin {h}", dt.date(2026, 9, 1), 1, codes[0]))
            reg.members += [Member(d, f"Lid{m} {h}", 1990, "kind") for m in range(4)]
            reg.involvements += [Involvement(d, c) for c in dict.fromkeys(codes)]
            reg.meeting_items.append(MeetingItem(MEETING, d))
        return reg

    from formkit.register.check import check

    def seconds(n):
        reg = region(n)
        started = time.process_time()
        assert check(reg) == []
        return time.process_time() - started

    small, large = seconds(1000), seconds(8000)
    assert large < 8 * 3 * max(small, 0.01)  # linear (with room for noise), where it was quadratic: 64x


def test_a_large_register_read_with_a_second_process_gives_the_same_records_and_findings(tmp_path, monkeypatch):
    import formkit.register.load

    reg = make_register()
    reg.members += [Member("2026-999", f"Lid {i}", 1990 + i % 20, "kind") for i in range(300)]  # unknown dossier
    reg.members.append(Member("2026-101", "Anna Pietersen", 1990, "moeder"))  # duplicate member
    path = write(tmp_path, reg)
    edit(path, "Gezinsleden", "C3", "2091")  # an impossible birth year, found while reading
    edit(path, "Overleggen", "A2", "31-02-2026")  # and one in a sheet read after it
    here = load(path)
    monkeypatch.setattr(formkit.register.load, "PARALLEL_SHEET_BYTES", 1)
    elsewhere = load(path)
    assert elsewhere.register.members == here.register.members and len(here.register.members) == 305
    assert elsewhere.register.columns == here.register.columns
    assert [str(f) for f in elsewhere.findings] == [str(f) for f in here.findings]
    assert {"year_invalid", "date_invalid", "unknown_dossier", "duplicate_member"} <= set(codes(here.findings))


def test_a_register_whose_sheet_is_damaged_inside_is_a_finding_not_a_traceback(tmp_path, register_path):
    import zipfile

    damaged = tmp_path / "beschadigd.xlsx"
    with zipfile.ZipFile(register_path) as source, zipfile.ZipFile(damaged, "w") as target:
        for item in source.infolist():
            data = source.read(item)
            if item.filename == "xl/worksheets/sheet3.xml":
                data = data[: len(data) // 2]  # cut off halfway, inside the rows
            target.writestr(item, data)
    result = CliRunner().invoke(main, ["register", "check", str(damaged)])
    assert result.exit_code == 1 and isinstance(result.exception, (SystemExit, type(None)))  # no traceback
    assert message("register_unreadable", reason="het bestand is beschadigd") in result.output
