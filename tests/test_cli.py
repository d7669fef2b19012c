import click
import pytest
from click.testing import CliRunner

from formkit import __version__
from formkit.cli.main import main


def all_commands(group=main, path=()):
    yield path
    if isinstance(group, click.Group):
        for name, command in group.commands.items():
            yield from all_commands(command, path + (name,))


ENGLISH = ("Usage:", "Options:", "Commands:", "Show this message", "[OPTIONS]", "COMMAND [ARGS]")


@pytest.mark.parametrize("path", list(all_commands()), ids=lambda p: " ".join(p) or "formkit")
def test_every_command_has_dutch_help(path):
    result = CliRunner().invoke(main, [*path, "--help"])
    assert result.exit_code == 0, result.output
    assert "Gebruik:" in result.output and "Toon deze hulp en stop." in result.output
    for word in ENGLISH:
        assert word not in result.output
    summary = result.output.split("\n\n")[1].strip()
    assert summary, f"{path} heeft geen helptekst"


def test_version():
    result = CliRunner().invoke(main, ["--version"])
    assert result.exit_code == 0 and result.output.strip() == f"formkit, versie {__version__}"


def test_usage_errors_exit_2_in_dutch():
    runner = CliRunner()
    unknown = runner.invoke(main, ["opruimen"])
    assert unknown.exit_code == 2 and "Onbekende opdracht" in unknown.output
    missing = runner.invoke(main, ["forms"])
    assert missing.exit_code == 2 and "Ontbrekend argument" in missing.output
    bad_date = runner.invoke(main, ["forms", "pyproject.toml", "--meeting", "31-02-2026", "--out", "x"])
    assert bad_date.exit_code == 2 and "'31-02-2026' is geen datum" in bad_date.output
