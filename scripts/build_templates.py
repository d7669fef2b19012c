"""Build formkit's default templates into templates/ (run: python scripts/build_templates.py).

The templates are committed: an organisation restyles its own copy in Excel or Word
(`formkit templates export`), this script only makes the defaults from the schema.
"""

from pathlib import Path

from formkit.schema import build_schema
from formkit.scoresheet import build_template
from formkit.templates import SCORE_SHEET

ROOT = Path(__file__).resolve().parent.parent


def main() -> None:
    target = ROOT / "templates" / SCORE_SHEET
    build_template(build_schema(), target)
    print(f"geschreven: {target.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
