"""Build formkit's default templates into templates/ (run: make templates).

The templates are committed: an organisation restyles its own copy in Excel or Word
(`formkit templates export`), this script only makes the defaults from the schema.
"""

from pathlib import Path

from formkit.core.templates import AGENDA, OVERVIEW, PLAN, REPORT, SCORE_SHEET, TOP3
from formkit.documents.default_templates import build_agenda, build_overview, build_plan, build_report, build_top3
from formkit.sheets.schema import build_schema
from formkit.sheets.scoresheet import build_template

ROOT = Path(__file__).resolve().parent.parent


def main() -> None:
    templates = ROOT / "templates"
    schema = build_schema()  # the score sheet and the plan's tables of its table sections follow it
    build_template(schema, templates / SCORE_SHEET)
    build_top3(templates / TOP3)
    build_plan(templates / PLAN, schema)
    build_report(templates / REPORT)
    build_agenda(templates / AGENDA)
    build_overview(templates / OVERVIEW)
    for relative in (SCORE_SHEET, TOP3, PLAN, REPORT, AGENDA, OVERVIEW):
        print(f"geschreven: templates/{relative.as_posix()}")


if __name__ == "__main__":
    main()
