"""formkit: Word and Excel forms for *gefaseerd samenwerken aan veiligheid* and the TOP-3 method."""

__version__ = "0.1.0"
