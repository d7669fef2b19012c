"""Dutch for click's own words (Usage, Options, error messages).

Click marks its strings for gettext with ``from gettext import gettext as _`` in each
of its modules. formkit's users read Dutch, so :func:`install` points those names at
a small Dutch catalogue; strings not in it stay as click wrote them.
"""

from __future__ import annotations

import importlib
from typing import Any

SINGULAR = {
    "Usage:": "Gebruik:",
    "Options": "Opties",
    "Commands": "Opdrachten",
    "Positional arguments": "Argumenten",
    "Show this message and exit.": "Toon deze hulp en stop.",
    "Show the version and exit.": "Toon de versie en stop.",
    "%(prog)s, version %(version)s": "%(prog)s, versie %(version)s",
    "Error: {message}": "Fout: {message}",
    "Try '{command} {option}' for help.": "Probeer '{command} {option}' voor hulp.",
    "Missing argument": "Ontbrekend argument",
    "Missing option": "Ontbrekende optie",
    "Missing parameter": "Ontbrekende parameter",
    "Missing parameter: {param_name}": "Ontbrekende parameter: {param_name}",
    "Missing {param_type}": "{param_type} ontbreekt",
    "Missing command.": "Geen opdracht gegeven.",
    "No such command {name!r}.": "Onbekende opdracht {name!r}.",
    "No such option {name!r}.": "Onbekende optie {name!r}.",
    "Option {name!r} does not take a value.": "Optie {name!r} neemt geen waarde.",
    "Invalid value for {param_hint}: {message}": "Ongeldige waarde voor {param_hint}: {message}",
    "Invalid value: {message}": "Ongeldige waarde: {message}",
    "Aborted!": "Afgebroken.",
    "argument": "argument",
    "option": "optie",
    "parameter": "parameter",
    "file": "bestand",
    "directory": "map",
    "path": "pad",
    "{name} {filename!r} does not exist.": "{name} {filename!r} bestaat niet.",
    "{name} {filename!r} is a directory.": "{name} {filename!r} is een map.",
    "{name} {filename!r} is a file.": "{name} {filename!r} is een bestand.",
    "{name} {filename!r} is not readable.": "{name} {filename!r} is niet leesbaar.",
    "{name} {filename!r} is not writable.": "{name} {filename!r} is niet schrijfbaar.",
    "{value!r} is not a valid {number_type}.": "{value!r} is geen geldig {number_type}.",
    "integer": "geheel getal",
    "{value} is not in the range {range}.": "{value} ligt niet in het bereik {range}.",
    "default: {default}": "standaard: {default}",
    "required": "verplicht",
    "Choose from:\n\t{choices}": "Kies uit:\n\t{choices}",
}

PLURAL = {
    "Got unexpected extra argument ({args})": (
        "Onverwacht extra argument ({args})", "Onverwachte extra argumenten ({args})"),
    "Option {name!r} requires an argument.": (
        "Optie {name!r} vraagt een waarde.", "Optie {name!r} vraagt {nargs} waarden."),
    "Did you mean {possibility}?": ("Bedoelt u {possibility}?", "(Bedoelt u een van: {possibilities}?)"),
    "{value!r} is not {choice}.": ("{value!r} is niet {choice}.", "{value!r} is niet een van {choices}."),
    "{value!r} does not match the format {format}.": (
        "{value!r} past niet bij het formaat {format}.", "{value!r} past niet bij de formaten {formats}."),
}

_MODULES = ("core", "decorators", "exceptions", "formatting", "parser", "types", "utils", "termui")


def gettext(message: str) -> str:
    """Return the Dutch for one of click's messages, or the message itself."""
    return SINGULAR.get(message, message)


def ngettext(singular: str, plural: str, n: int) -> str:
    """Return the Dutch singular or plural for one of click's messages."""
    if singular in PLURAL:
        one, many = PLURAL[singular]
        return one if n == 1 else many
    return singular if n == 1 else plural


def install() -> None:
    """Make click speak Dutch in this process."""
    for name in _MODULES:
        module: Any = importlib.import_module(f"click.{name}")  # patched at run time: its attributes vary
        if hasattr(module, "_"):
            module._ = gettext
        if hasattr(module, "ngettext"):
            module.ngettext = ngettext
