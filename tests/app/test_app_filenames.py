"""File names and paths on the pages: kept whole at their hyphens, a line break only after '_' or '/'."""

from __future__ import annotations

import re

from formkit.app.filenames import LONGEST_NAME, LONGEST_WHOLE, file_name
from formkit.app.view import environment


def parts(html: str) -> list[str]:
    """Return the pieces a line may break between, as the page shows them."""
    return [re.sub(r"</?span[^>]*>", "", piece) for piece in str(html).split("<wbr>")]


def test_a_score_sheets_name_breaks_only_after_its_underscores_never_in_a_date():
    html = file_name("scoreformulier_2026-014_SC01_2026-12-01.xlsx")
    assert parts(html) == ["scoreformulier_", "2026-014_", "SC01_", "2026-12-01.xlsx"]
    assert str(html).startswith('<span class="naam"><span class="heel">scoreformulier_</span><wbr>')


def test_a_path_breaks_after_its_slashes():
    assert parts(file_name("/tmp/werk/overleg-2026-12-01/retour")) == ["/", "tmp/", "werk/", "overleg-2026-12-01/",
                                                                     "retour"]


def test_a_hostile_name_is_escaped_and_its_control_characters_made_visible():
    html = str(file_name('<script>"x"</script>_a\x07.xlsx'))
    assert "<script>" not in html and "&lt;script&gt;" in html and "⟨U+0007⟩" in html


def test_a_part_too_long_for_any_cell_may_break_anywhere():
    long = "x" * (LONGEST_WHOLE + 1)
    html = str(file_name(f"{long}_kort.xlsx"))
    assert html == f'<span class="breekbaar">{long}_</span><wbr><span class="heel">kort.xlsx</span>'  # not held whole
    many = "_".join(["deel"] * (LONGEST_NAME // 5 + 1))
    assert not str(file_name(many)).startswith('<span class="naam">') and "breekbaar" not in str(file_name(many))


def test_templates_use_it_as_the_filter_bestand():
    shown = environment().from_string("<td>{{ naam|bestand }}</td>").render(naam="pakket_2026-12-01_P1.pdf")
    assert shown == ('<td><span class="naam"><span class="heel">pakket_</span><wbr><span class="heel">2026-12-01_</span>'
                     '<wbr><span class="heel">P1.pdf</span></span></td>')
