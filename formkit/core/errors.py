"""The exceptions formkit raises; each message is Dutch and fit to show a user."""


class FormkitError(Exception):
    """Er ging iets mis in formkit."""

    def __init__(self, message: str | None = None):
        super().__init__(message or (self.__doc__ or "").strip())


class SettingsError(FormkitError):
    """De instellingen van de methode zijn ongeldig."""


class TemplateError(FormkitError):
    """Een sjabloon ontbreekt of is onbruikbaar."""


class UsageError(FormkitError):
    """Een opdracht is verkeerd aangeroepen."""
