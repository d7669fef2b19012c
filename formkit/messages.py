"""The catalogue of user-facing finding messages, in Dutch.

Each entry is ``code: (severity, template)``. A template names the problem and,
where it helps, the fix; the place (file, sheet, row, cell) is added by the
Finding itself. Tests format the same template instead of copying its text.
"""

FOUT = "fout"
WAARSCHUWING = "waarschuwing"

MESSAGES: dict[str, tuple[str, str]] = {
    # --- the register as a file -------------------------------------------------
    "register_unreadable": (FOUT, "het register kan niet worden geopend als Excel-werkmap ({reason})."),
    "sheet_missing": (FOUT, "het blad '{sheet}' ontbreekt; maak een leeg register met 'formkit register new' en neem het blad over."),
    "column_missing": (FOUT, "de kolom '{column}' ontbreekt in de kopregel van dit blad."),
    "formula_in_register": (FOUT, "deze cel bevat een formule ({value}); vul een waarde in, formkit rekent niet."),
    # --- values ---------------------------------------------------------------------
    "value_missing": (FOUT, "'{column}' is leeg; vul het in."),
    "date_invalid": (FOUT, "'{value}' is geen bestaande datum; schrijf een datum als dd-mm-jjjj."),
    "year_invalid": (FOUT, "'{value}' is geen geldig geboortejaar; gebruik een jaartal van {min_year} tot en met {max_year}."),
    "phase_invalid": (FOUT, "fase '{value}' bestaat niet; de fasen lopen van 1 tot en met 5."),
    "email_invalid": (FOUT, "'{value}' is geen geldig e-mailadres."),
    # --- identities and references --------------------------------------------------
    "duplicate_id": (FOUT, "{what} '{value}' komt twee keer voor (ook in rij {first_row}); elk {what} moet uniek zijn."),
    "duplicate_member": (WAARSCHUWING, "gezinslid '{value}' staat twee keer bij dossier {dossier} (ook in rij {first_row})."),
    "duplicate_involvement": (WAARSCHUWING, "professional '{value}' staat twee keer bij dossier {dossier} (ook in rij {first_row})."),
    "duplicate_meeting_entry": (WAARSCHUWING, "dossier {dossier} staat twee keer op het overleg van {value} (ook in rij {first_row})."),
    "unknown_dossier": (FOUT, "dossier '{value}' staat niet op het blad Huishoudens."),
    "unknown_professional": (FOUT, "professional '{value}' staat niet op het blad Professionals."),
    # --- households -----------------------------------------------------------------
    "household_without_members": (FOUT, "huishouden {dossier} heeft geen gezinsleden op het blad Gezinsleden."),
    "household_without_professionals": (FOUT, "huishouden {dossier} heeft geen professionals op het blad Betrokkenheid."),
    "regisseur_missing": (FOUT, "huishouden {dossier} heeft geen regisseur; vul de code in van een van de betrokken professionals."),
    "regisseur_not_involved": (FOUT, "regisseur '{value}' is niet betrokken bij huishouden {dossier}; zet de regisseur ook op het blad Betrokkenheid."),
    # --- writing -----------------------------------------------------------------------
    "output_unwritable": (FOUT, "het formulier kan niet worden geschreven naar {target} ({reason}); de andere formulieren gaan door."),
    "regisseur_without_email": (FOUT, "regisseur '{value}' van huishouden {dossier} heeft geen geldig e-mailadres op het blad Professionals; de regisseur krijgt de rapporten per e-mail."),
    # --- templates an organisation customised --------------------------------------------
    "template_missing": (FOUT, "het sjabloon ontbreekt; kopieer de standaardsjablonen met 'formkit templates export MAP'."),
    "template_unreadable": (FOUT, "het sjabloon kan niet worden geopend ({reason})."),
    "template_sheet_missing": (FOUT, "het blad '{sheet}' ontbreekt in het sjabloon."),
    "template_name_missing": (FOUT, "de gedefinieerde naam '{name}' ontbreekt; formkit vindt het veld '{label}' dan niet."),
    "template_syntax": (FOUT, "een tag klopt niet: {reason} (bij: '{context}')."),
    "template_split_tag": (FOUT, "Word heeft een tag over meerdere stukjes tekst verdeeld, zodat hij niet meer werkt (bij: '{context}'); typ de hele tag opnieuw in één keer."),
    "template_unknown_variable": (FOUT, "onbekende variabele '{name}'{suggestion}."),
    "template_required_missing": (FOUT, "de tag '{{{{ {name} }}}}' ontbreekt; zonder die tag staat {label} niet in het document."),
    "template_render_error": (FOUT, "het sjabloon geeft een fout bij het invullen: {reason}."),
}
