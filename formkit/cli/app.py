"""`formkit app`: the whole cycle in the browser, on this computer only (issue 16)."""

from __future__ import annotations

from pathlib import Path

import click

from ..core.errors import FormkitError
from .main import DutchCommand, _fail


@click.option("--register", "register_pad", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="Het register van het secretariaat; ook te kiezen in de app.")
@click.option("--map", "folder", type=click.Path(file_okay=False, path_type=Path),
              help="Werkmap met per overleg een map (overleg-jjjj-mm-dd) voor formulieren, retour, rapporten, "
                   "plannen en pakketten; standaard een eigen werkmap naast het register (formkit-werk bij "
                   "register.xlsx, formkit-werk-NAAM bij NAAM.xlsx).")
@click.option("--templates", type=click.Path(exists=True, file_okay=False, path_type=Path),
              help="Map met eigen sjablonen (xlsx/ en docx/); standaard die van formkit.")
@click.option("--geen-browser", "no_browser", is_flag=True, help="Open de browser niet; formkit toont alleen de link.")
@click.pass_context
def _app(ctx: click.Context, register_pad: Path | None, folder: Path | None, templates: Path | None,
        no_browser: bool) -> None:
    """Start formkit in de browser: register, overleg, retour, plannen, pakket, mail en voortgang.

    formkit luistert alleen op deze computer (127.0.0.1) en opent de browser met een link die
    alleen voor deze keer geldt. Stoppen: Ctrl+C of de knop Stoppen in formkit.
    """
    from ..app.config import AppConfig
    from ..app.server import serve
    from ..core.atomic import ensure_writable

    root = ctx.find_root()
    config = AppConfig.make(register_pad, folder, root.params.get("instellingen"), templates,
                            root.meta.get("formkit.sleutel"))
    try:
        ensure_writable(config.folder, create=True)
        serve(config, open_browser=not no_browser, echo=click.echo)
    except FormkitError as e:
        _fail(e)


#: The command, typed here (as `send` is): mypy cannot infer a decorated command imported back into main.
app: click.Command = click.command("app", cls=DutchCommand)(_app)
