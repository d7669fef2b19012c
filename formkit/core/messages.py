"""The catalogue of user-facing finding messages, in Dutch.

Each entry is ``code: (severity, template)``. A template names the problem and,
where it helps, the fix; the place (file, sheet, row, cell) is added by the
Finding itself. Tests format the same template instead of copying its text.
"""

from enum import StrEnum


def plural(n: int, one: str, many: str) -> str:
    """Return 'n word' with the Dutch singular or plural: '1 fout', '2 fouten'."""
    return f"{n} {one if n == 1 else many}"


class Code(StrEnum):
    """Every finding's code. A typo in a code is an AttributeError (and a mypy error), not a
    finding without a message; the codes are the catalogue's keys, in its order, and the
    value is what reports and JSON files carry."""

    register_unreadable = "register_unreadable"
    sheet_missing = "sheet_missing"
    column_missing = "column_missing"
    formula_in_register = "formula_in_register"
    value_missing = "value_missing"
    date_invalid = "date_invalid"
    year_invalid = "year_invalid"
    phase_invalid = "phase_invalid"
    email_invalid = "email_invalid"
    duplicate_id = "duplicate_id"
    duplicate_member = "duplicate_member"
    duplicate_involvement = "duplicate_involvement"
    duplicate_meeting_entry = "duplicate_meeting_entry"
    unknown_dossier = "unknown_dossier"
    unknown_professional = "unknown_professional"
    id_alike = "id_alike"
    id_too_long = "id_too_long"
    id_unsafe_characters = "id_unsafe_characters"
    household_without_members = "household_without_members"
    household_without_professionals = "household_without_professionals"
    regisseur_missing = "regisseur_missing"
    regisseur_not_involved = "regisseur_not_involved"
    output_unwritable = "output_unwritable"
    regisseur_without_email = "regisseur_without_email"
    plan_write_failed = "plan_write_failed"
    plan_version_damaged = "plan_version_damaged"
    history_damaged = "history_damaged"
    history_entry_damaged = "history_entry_damaged"
    history_unwritable = "history_unwritable"
    reports_manifest_damaged = "reports_manifest_damaged"
    reports_manifest_missing = "reports_manifest_missing"
    plan_archive_failed = "plan_archive_failed"
    no_forms_received = "no_forms_received"
    template_missing = "template_missing"
    template_unreadable = "template_unreadable"
    template_sheet_missing = "template_sheet_missing"
    template_name_missing = "template_name_missing"
    template_name_merged = "template_name_merged"
    template_syntax = "template_syntax"
    template_split_tag = "template_split_tag"
    template_unknown_variable = "template_unknown_variable"
    template_required_missing = "template_required_missing"
    template_render_error = "template_render_error"
    template_revisions_accepted = "template_revisions_accepted"
    templates_refused = "templates_refused"
    file_empty = "file_empty"
    file_unreadable = "file_unreadable"
    file_too_large = "file_too_large"
    file_legacy_xls = "file_legacy_xls"
    file_encrypted = "file_encrypted"
    file_text = "file_text"
    file_unknown_format = "file_unknown_format"
    file_damaged = "file_damaged"
    zip_bomb = "zip_bomb"
    file_macros = "file_macros"
    file_activex = "file_activex"
    file_embedded = "file_embedded"
    file_external_links = "file_external_links"
    xml_unsafe = "xml_unsafe"
    sheet_too_large = "sheet_too_large"
    part_too_many = "part_too_many"
    read_memory_limit = "read_memory_limit"
    read_time_limit = "read_time_limit"
    read_crashed = "read_crashed"
    # mail intake: returned forms as e-mail attachments (.eml, .msg) (issue 15, engineer M)
    mail_damaged = "mail_damaged"
    mail_no_workbook = "mail_no_workbook"
    mail_nested = "mail_nested"
    mail_too_many_attachments = "mail_too_many_attachments"
    not_formkit = "not_formkit"
    schema_version = "schema_version"
    identity_conflict = "identity_conflict"
    identity_duplicate = "identity_duplicate"
    seal_invalid = "seal_invalid"
    seal_missing = "seal_missing"
    seal_missing_allowed = "seal_missing_allowed"
    seal_key_missing = "seal_key_missing"
    other_meeting = "other_meeting"
    unknown_household = "unknown_household"
    not_on_meeting = "not_on_meeting"
    professional_not_involved = "professional_not_involved"
    superseded = "superseded"
    not_returned = "not_returned"
    text_too_long = "text_too_long"
    form_formula = "form_formula"
    field_required = "field_required"
    row_incomplete = "row_incomplete"
    not_a_date = "not_a_date"
    not_a_date_or_year = "not_a_date_or_year"
    text_date = "text_date"
    situation_after_meeting = "situation_after_meeting"
    term_before_meeting = "term_before_meeting"
    term_too_far = "term_too_far"
    victim_unknown = "victim_unknown"
    member_spelling = "member_spelling"
    description_without_victim = "description_without_victim"
    proposed_regisseur_unknown = "proposed_regisseur_unknown"
    proposed_regisseur_without_email = "proposed_regisseur_without_email"
    score_not_whole = "score_not_whole"
    score_out_of_range = "score_out_of_range"
    too_many_conditions = "too_many_conditions"
    offence_without_police = "offence_without_police"
    choice_invalid = "choice_invalid"
    mail_no_regisseur = "mail_no_regisseur"
    mail_no_report = "mail_no_report"
    mail_failed = "mail_failed"
    # sending by mail: forms, feedback, plans (issue 15, engineer S)
    send_no_address = "send_no_address"
    send_form_missing = "send_form_missing"
    send_no_plan = "send_no_plan"
    send_failed = "send_failed"
    # the disclosure log (issue 15, engineer L)
    log_unwritable = "log_unwritable"
    log_damaged = "log_damaged"
    # retention: removing the files of closed households (issue 15, engineer P)
    purge_failed = "purge_failed"


FOUT = "fout"
WAARSCHUWING = "waarschuwing"

MESSAGES: dict[Code, tuple[str, str]] = {
    # --- the register as a file -------------------------------------------------
    Code.register_unreadable: (FOUT, "het register kan niet worden geopend als Excel-werkmap ({reason})."),
    Code.sheet_missing: (FOUT, "het blad '{sheet}' ontbreekt; maak een leeg register met 'formkit register new' en neem het blad over."),
    Code.column_missing: (FOUT, "de kolom '{column}' ontbreekt in de kopregel van dit blad."),
    Code.formula_in_register: (FOUT, "deze cel bevat een formule ({value}); vul een waarde in, formkit rekent niet."),
    # --- values ---------------------------------------------------------------------
    Code.value_missing: (FOUT, "'{column}' is leeg; vul het in."),
    Code.date_invalid: (FOUT, "'{value}' is geen bestaande datum; schrijf een datum als dd-mm-jjjj."),
    Code.year_invalid: (FOUT, "'{value}' is geen geldig geboortejaar; gebruik een jaartal van {min_year} tot en met {max_year}."),
    Code.phase_invalid: (FOUT, "fase '{value}' bestaat niet; de fasen lopen van 1 tot en met 5."),
    Code.email_invalid: (FOUT, "'{value}' is geen geldig e-mailadres."),
    # --- identities and references --------------------------------------------------
    Code.duplicate_id: (FOUT, "{what} '{value}' komt twee keer voor (ook in rij {first_row}); elk {what} moet uniek zijn."),
    Code.duplicate_member: (WAARSCHUWING, "gezinslid '{value}' staat twee keer bij dossier {dossier} (ook in rij {first_row})."),
    Code.duplicate_involvement: (WAARSCHUWING, "professional '{value}' staat twee keer bij dossier {dossier} (ook in rij {first_row})."),
    Code.duplicate_meeting_entry: (WAARSCHUWING, "dossier {dossier} staat twee keer op het overleg van {value} (ook in rij {first_row})."),
    Code.unknown_dossier: (FOUT, "dossier '{value}' staat niet op het blad Huishoudens."),
    Code.unknown_professional: (FOUT, "professional '{value}' staat niet op het blad Professionals."),
    # --- ids that would be confused, by people or by file names (issue 12, point 2) --------------
    Code.id_alike: (FOUT, "{what} '{value}' verschilt van {what} '{other}' (rij {other_row}) alleen in hoofdletters, spaties of leestekens; zulke nummers raken verwisseld, door mensen en in bestandsnamen op Windows en macOS. Maak ze duidelijk verschillend."),
    Code.id_too_long: (FOUT, "{what} '{value}' is {length} tekens lang; gebruik hoogstens {limit} tekens, anders worden de bestandsnamen te lang voor Windows."),
    Code.id_unsafe_characters: (FOUT, "{what} '{value}' bevat onzichtbare tekens of stuurtekens (bijvoorbeeld een escape-teken of een teken dat de leesrichting omdraait); typ het opnieuw met alleen letters, cijfers en streepjes."),
    # --- households -----------------------------------------------------------------
    Code.household_without_members: (FOUT, "huishouden {dossier} heeft geen gezinsleden op het blad Gezinsleden."),
    Code.household_without_professionals: (FOUT, "huishouden {dossier} heeft geen professionals op het blad Betrokkenheid."),
    Code.regisseur_missing: (FOUT, "huishouden {dossier} heeft geen regisseur; vul de code in van een van de betrokken professionals."),
    Code.regisseur_not_involved: (FOUT, "regisseur '{value}' is niet betrokken bij huishouden {dossier}; zet de regisseur ook op het blad Betrokkenheid."),
    # --- writing -----------------------------------------------------------------------
    Code.output_unwritable: (FOUT, "het formulier kan niet worden geschreven naar {target} ({reason}); de andere formulieren gaan door."),
    Code.regisseur_without_email: (FOUT, "regisseur '{value}' van huishouden {dossier} heeft geen geldig e-mailadres op het blad Professionals; de regisseur krijgt de rapporten per e-mail."),
    # --- damaged plans, history and manifests; writing per household (issue 12, point 6) ---------
    Code.plan_write_failed: (FOUT, "het plan van dossier {dossier} kan niet worden geschreven naar {target} ({reason}); de andere huishoudens gaan door."),
    Code.plan_version_damaged: (WAARSCHUWING, "versie {version} van het plan van dossier {dossier} is beschadigd of onvolledig ({target}); formkit gebruikt die versie niet{instead}."),
    Code.history_damaged: (FOUT, "het historiebestand {target} is beschadigd of is geen historiebestand van formkit ({reason}); {consequence} Zet een back-up terug of bouw de historie opnieuw op uit de map met plannen."),
    Code.history_entry_damaged: (WAARSCHUWING, "een plan van dossier {dossier} in de historie (overleg {meeting}) is beschadigd en is overgeslagen; maak het plan opnieuw met 'formkit merge'."),
    Code.history_unwritable: (FOUT, "de historie ({target}) kon niet worden bijgewerkt voor dossier {dossier} ({reason}); het plan zelf is wel geschreven."),
    Code.reports_manifest_damaged: (WAARSCHUWING, "het overzicht van de controlerapporten ({target}) is beschadigd ({reason}); formkit gebruikt het niet: er wordt geen rapport gemaild en het pakket wordt gemaakt zonder de controleresultaten. Maak de rapporten opnieuw met 'formkit check ... --report MAP'."),
    Code.reports_manifest_missing: (WAARSCHUWING, "in {folder} staan geen controlerapporten ({name} ontbreekt); maak ze met 'formkit check ... --report MAP'."),
    # --- archive copies of plans (PDF/A) and meeting packs (issue 13, engineer C) ------------------
    Code.plan_archive_failed: (FOUT, "de archiefkopie (PDF/A) van versie {version} van het plan van dossier {dossier} kon niet worden gemaakt ({reason}); het plan zelf staat er wel: {target}. De andere huishoudens gaan door."),
    # --- what the plan says, and who gets a plan at all (issue 13, engineer A) ----------------------
    Code.no_forms_received: (WAARSCHUWING, "geen formulieren ontvangen voor dossier {dossier} op het overleg van {meeting}; er is geen plan gemaakt."),
    # --- templates an organisation customised --------------------------------------------
    Code.template_missing: (FOUT, "het sjabloon ontbreekt; kopieer de standaardsjablonen met 'formkit templates export MAP'."),
    Code.template_unreadable: (FOUT, "het sjabloon kan niet worden geopend ({reason})."),
    Code.template_sheet_missing: (FOUT, "het blad '{sheet}' ontbreekt in het sjabloon."),
    Code.template_name_missing: (FOUT, "de gedefinieerde naam '{name}' ontbreekt; formkit vindt het veld '{label}' dan niet."),
    Code.template_name_merged: (FOUT, "de gedefinieerde naam '{name}' ('{label}') wijst naar een cel binnen samengevoegde cellen, waar niemand kan typen; laat hem naar de linkerbovenste cel wijzen."),
    Code.template_syntax: (FOUT, "een tag klopt niet: {reason} ({location})."),
    Code.template_split_tag: (FOUT, "Word heeft een tag over meerdere stukjes tekst verdeeld, zodat hij niet meer werkt (bij: '{context}'); typ de hele tag opnieuw in één keer."),
    Code.template_unknown_variable: (FOUT, "onbekende variabele '{name}'{suggestion}."),
    Code.template_required_missing: (FOUT, "de tag '{{{{ {name} }}}}' ontbreekt; zonder die tag staat {label} niet in het document."),
    Code.template_render_error: (FOUT, "het sjabloon geeft een fout bij het invullen: {reason}."),
    # --- templates: checked before every run, tracked changes (issue 13, engineer D) ----------
    Code.template_revisions_accepted: (WAARSCHUWING, "het sjabloon bevat bijgehouden wijzigingen ({changes}) of opmerkingen ({comments}); formkit neemt de wijzigingen over, laat de opmerkingen weg en zet 'Wijzigingen bijhouden' uit in elk document dat het maakt. Accepteer ze in Word (Controleren > Accepteren) om deze waarschuwing kwijt te raken."),
    Code.templates_refused: (FOUT, "de sjablonen in {folder} zijn niet bruikbaar, er is niets gemaakt; los de fouten hierboven op en controleer de map met 'formkit templates check {folder}'."),
    # --- returned files: is it safe and is it a formkit form? -----------------------------
    Code.file_empty: (FOUT, "het bestand is leeg."),
    Code.file_unreadable: (FOUT, "het bestand kan niet worden gelezen ({reason})."),
    Code.file_too_large: (FOUT, "het bestand is te groot ({size} MB; een scoreformulier is hoogstens {limit} MB)."),
    Code.file_legacy_xls: (FOUT, "dit is een oud Excel-bestand (.xls); sla het op als Excel-werkmap (.xlsx) en stuur het opnieuw."),
    Code.file_encrypted: (FOUT, "het bestand is met een wachtwoord beveiligd, dus formkit kan het niet lezen; stuur het zonder wachtwoord via een beveiligde weg."),
    Code.file_text: (FOUT, "dit is geen Excel-werkmap maar tekst (bijvoorbeeld CSV) met de extensie '{suffix}'; vul het scoreformulier in dat u kreeg."),
    Code.file_unknown_format: (FOUT, "dit is geen Excel-werkmap (.xlsx)."),
    Code.file_damaged: (FOUT, "het bestand is beschadigd of onvolledig, misschien afgebroken bij het versturen; stuur het opnieuw."),
    Code.zip_bomb: (FOUT, "het bestand pakt uit tot meer dan {limit} MB of is extreem samengeperst ({ratio}x); formkit opent het niet (mogelijk een zip-bom)."),
    Code.file_macros: (FOUT, "het bestand bevat macro's (.xlsm, VBA-code of Excel 4.0-macrobladen); formkit opent zulke bestanden niet. Sla het op als Excel-werkmap (.xlsx) zonder macro's."),
    Code.file_activex: (FOUT, "het bestand bevat ActiveX-besturingselementen; formkit opent het niet."),
    Code.file_embedded: (FOUT, "het bestand bevat ingesloten objecten (bijvoorbeeld een ander document); formkit opent het niet."),
    Code.file_external_links: (FOUT, "het bestand bevat koppelingen naar andere bestanden; formkit opent het niet."),
    Code.xml_unsafe: (FOUT, "het bestand bevat onveilige XML (een DTD of entiteiten in {part}); formkit opent het niet."),
    Code.sheet_too_large: (FOUT, "een werkblad ({part}) heeft meer dan {limit} rijen, een scoreformulier ongeveer 100; formkit leest het niet."),
    # --- returned files: bounded parsing (issue 12, point 4) --------------------------------------
    Code.part_too_many: (FOUT, "het bestand heeft te veel {what} in {part} (meer dan {limit}; een scoreformulier heeft er veel minder); formkit leest het niet. Stuur het ingevulde scoreformulier zelf, niet een kopie in een andere werkmap."),
    Code.read_memory_limit: (FOUT, "het lezen van dit bestand vroeg meer dan {limit} MB geheugen; formkit heeft het niet gelezen. De andere bestanden gaan door; vraag om het ingevulde scoreformulier zelf."),
    Code.read_time_limit: (FOUT, "het lezen van dit bestand duurde langer dan {limit} seconden ({kind}); formkit heeft het niet gelezen. De andere bestanden gaan door; vraag om het ingevulde scoreformulier zelf."),
    Code.read_crashed: (FOUT, "het leesproces stopte onverwacht bij dit bestand ({reason}); formkit heeft het niet gelezen. De andere bestanden gaan door."),
    # --- mail intake: returned forms as e-mail attachments (.eml, .msg) (issue 15, engineer M) -------
    Code.mail_damaged: (FOUT, "dit e-mailbericht is beschadigd of geen e-mailbericht ({reason}); formkit leest er geen bijlagen uit. Sla het bericht opnieuw op uit het e-mailprogramma, of sla de bijlage zelf op."),
    Code.mail_no_workbook: (FOUT, "dit e-mailbericht heeft geen Excel-werkmap als bijlage; vraag de afzender het ingevulde scoreformulier als bijlage te sturen."),
    Code.mail_nested: (FOUT, "deze bijlage is een e-mailbericht in een bijgevoegd e-mailbericht; formkit kijkt maar één bericht diep. Sla het binnenste bericht of zijn bijlage apart op en lever dat aan."),
    Code.mail_too_many_attachments: (FOUT, "dit e-mailbericht heeft {count} bijlagen, meer dan {limit}; formkit leest er geen enkele. Stuur de scoreformulieren in kleinere berichten."),
    Code.not_formkit: (FOUT, "dit is geen scoreformulier van formkit (de formkit-gegevens ontbreken); vul het formulier in dat u van het secretariaat kreeg."),
    Code.schema_version: (WAARSCHUWING, "het formulier heeft schemaversie {found}, deze versie van formkit schrijft versie {expected}."),
    # --- returned files: one proven identity and the seal (issue 12, point 1) -------------------
    Code.identity_conflict: (FOUT, "de formkit-gegevens van dit formulier spreken elkaar tegen: {details}. formkit kiest niet zelf en leest het formulier niet; stuur de professional een nieuw formulier."),
    Code.identity_duplicate: (FOUT, "de formkit-gegevens van dit formulier staan er dubbel in: {details}. formkit kiest niet zelf en leest het formulier niet; stuur de professional een nieuw formulier."),
    Code.seal_invalid: (FOUT, "het zegel klopt niet: de formkit-gegevens zijn na het maken gewijzigd of het formulier is met een andere sleutel gemaakt. formkit leest het formulier niet; stuur de professional een nieuw formulier."),
    Code.seal_missing: (FOUT, "dit formulier heeft geen zegel: het is gemaakt met een oudere versie van formkit, of het zegel is verwijderd. formkit leest het alleen met --ongezegeld-toestaan; controleer dan zelf dat het bij dit huishouden hoort."),
    Code.seal_missing_allowed: (WAARSCHUWING, "dit formulier heeft geen zegel (gemaakt vóór formkit formulieren verzegelde); het is gelezen omdat ongezegelde formulieren zijn toegestaan. Controleer zelf dat het bij dit huishouden hoort."),
    Code.seal_key_missing: (FOUT, "de sleutel van het secretariaat ontbreekt ({key_path}); een gezegeld formulier kan alleen worden gecontroleerd met de sleutel waarmee het is gemaakt. Zet de sleutel terug uit de back-up of geef hem op met --sleutel."),
    # --- returned files: does it belong to this meeting? --------------------------------------
    Code.other_meeting: (FOUT, "dit formulier hoort bij het casusoverleg van {found}, niet bij dat van {expected}; is het een oud formulier?"),
    Code.unknown_household: (FOUT, "dossier {dossier} van dit formulier staat niet in het register."),
    Code.not_on_meeting: (FOUT, "dossier {dossier} staat niet op het casusoverleg van {meeting}."),
    Code.professional_not_involved: (FOUT, "professional {value} is volgens het register niet betrokken bij dossier {dossier}."),
    Code.superseded: (WAARSCHUWING, "{name} stuurde dit formulier nog een keer; alleen het nieuwste exemplaar ({newer}) telt, dit exemplaar is vervangen."),
    Code.not_returned: (FOUT, "geen scoreformulier ontvangen van {name} ({organisation})."),
    # --- returned files: what is in them ---------------------------------------------------
    # --- returned files: untrusted and unbounded text (issue 12, points 3 and 5) -------------
    Code.text_too_long: (FOUT, "de tekst in deze cel is {length} tekens lang; dit veld neemt hoogstens {limit} tekens. formkit neemt de tekst niet over (niet in het plan en niet in het pakket); kort hem in en stuur het formulier opnieuw."),
    Code.form_formula: (FOUT, "in deze cel staat een formule ({value}); vul een waarde in, formkit rekent formules niet uit."),
    Code.field_required: (FOUT, "'{label}' is verplicht maar leeg."),
    Code.row_incomplete: (FOUT, "'{label}' is leeg, terwijl de rest van deze rij is ingevuld."),
    Code.not_a_date: (FOUT, "'{value}' is geen bestaande datum; schrijf dd-mm-jjjj."),
    Code.not_a_date_or_year: (FOUT, "'{value}' is geen datum of jaartal; schrijf dd-mm-jjjj of een jaartal."),
    Code.text_date: (WAARSCHUWING, "de datum staat er als tekst ('{value}'); formkit leest {date}. Kies liever een echte datum."),
    Code.situation_after_meeting: (FOUT, "de datum {date} ligt na het casusoverleg van {meeting}; een onveilige situatie is al gebeurd."),
    Code.term_before_meeting: (FOUT, "de termijn {date} ligt vóór het casusoverleg van {meeting}."),
    Code.term_too_far: (FOUT, "de termijn {date} ligt meer dan {months} maanden na het casusoverleg; uiterlijk {limit}."),
    Code.victim_unknown: (FOUT, "'{value}' is geen gezinslid van dit huishouden; kies een naam uit de keuzelijst."),
    Code.member_spelling: (WAARSCHUWING, "'{value}' is gelezen als gezinslid {member} (andere schrijfwijze)."),
    Code.description_without_victim: (FOUT, "de omschrijving begint niet met de naam van het slachtoffer ({member}); begin bijvoorbeeld met '{first} ...'."),
    Code.proposed_regisseur_unknown: (FOUT, "'{value}' is geen betrokken professional van dit huishouden; kies uit de keuzelijst."),
    Code.proposed_regisseur_without_email: (FOUT, "de voorgestelde regisseur {name} heeft geen e-mailadres in het register; vul het aan op het blad Professionals."),
    Code.score_not_whole: (FOUT, "'{value}' is geen heel getal van {low} tot en met {high}."),
    Code.score_out_of_range: (FOUT, "{value} ligt buiten de schaal van {low} tot en met {high}."),
    Code.too_many_conditions: (FOUT, "er zijn {count} voorwaarden ingevuld; de methode staat er hoogstens {limit} toe."),
    Code.offence_without_police: (WAARSCHUWING, "bij een vermoeden van een strafbaar feit worden de afspraken gemaakt in afstemming met politie en OM, maar geen afspraak noemt politie of OM."),
    Code.choice_invalid: (FOUT, "'{value}' is geen geldige keuze; kies uit: {choices}."),
    # --- mail ------------------------------------------------------------------------------
    Code.mail_no_regisseur: (FOUT, "dossier {dossier} heeft geen regisseur met e-mailadres in het register; het rapport is niet verstuurd."),
    Code.mail_no_report: (FOUT, "voor dossier {dossier} staat geen rapport in de map; maak de rapporten opnieuw met 'formkit check ... --report MAP'."),
    Code.mail_failed: (FOUT, "het rapport van dossier {dossier} aan {recipient} is niet verstuurd: {reason}. De andere rapporten gaan door; probeer het later opnieuw."),
    # --- sending by mail: forms, feedback, plans (issue 15, engineer S) --------------------------
    Code.send_no_address: (FOUT, "{name} heeft geen e-mailadres in het register; niet verstuurd: {what} voor {dossiers}."),
    Code.send_form_missing: (FOUT, "het scoreformulier van {name} voor dossier {dossier} staat niet in {folder}; maak het met 'formkit forms' en verstuur opnieuw."),
    Code.send_no_plan: (FOUT, "dossier {dossier} heeft geen leesbaar plan voor het casusoverleg van {meeting} in {folder}{reason}; het plan is niet verstuurd."),
    Code.send_failed: (FOUT, "{what} aan {recipient} is niet verstuurd: {reason}. De andere berichten gaan door; probeer het later opnieuw."),
    # --- the disclosure log: who received which household's data (issue 15, engineer L) ----------
    Code.log_unwritable: (FOUT, "het verstrekkingenlog in {target} kon niet worden bijgewerkt ({reason}); niet vastgelegd: {what} van dossier {dossier}. Het bestand of bericht zelf is wel gemaakt; noteer de verstrekking met de hand."),
    Code.log_damaged: (FOUT, "het verstrekkingenlog in {target} is niet leesbaar ({reason}); zet een back-up van het historiebestand terug."),
    # --- retention: removing the files of closed households (issue 15, engineer P) ---------------
    Code.purge_failed: (FOUT, "{target} van dossier {dossier} kon niet worden verwijderd ({reason}); het staat er nog. De andere bestanden gaan door; los het op en draai 'formkit purge' opnieuw."),
}

_uncatalogued = [c.value for c in Code if c not in MESSAGES]
if _uncatalogued:  # a code without a message fails when formkit is imported, not when a user meets it
    raise ImportError(f"finding codes without a message: {', '.join(_uncatalogued)}")
