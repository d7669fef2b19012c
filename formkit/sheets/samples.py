"""The bundled fictional samples: their meeting dates, file names and the public key they are sealed with."""

from __future__ import annotations

import datetime as dt

from ..core.templates import samples_dir
from .seal import SealKey, load_key

#: The case meeting the samples are about, and the later one that follows two households up.
SAMPLE_MEETING = dt.date(2026, 12, 1)
SAMPLE_LATER_MEETING = dt.date(2027, 1, 12)
#: The date the demo shows the state of affairs on: three months after the first meeting.
SAMPLE_STATUS_DATE = dt.date(2027, 3, 2)
SAMPLE_REGISTER = "register.xlsx"
SAMPLE_FAULTY_REGISTER = "register_met_fouten.xlsx"
SAMPLE_RETURNS = "retour"
#: The public key the sample forms are sealed with; only for the fictional samples, never for real forms.
SAMPLE_KEY = "demo-sleutel.key"


def demo_key() -> SealKey:
    """Return the demo key the bundled sample forms are sealed with (public; for the fictional samples only)."""
    return load_key(samples_dir() / SAMPLE_KEY)
