"""The vocabulary of the case data (dimensions, phases, statuses, vote values, agreement methods, period
lengths) and the input checks every case computation shares (required columns, allowed choices, periods).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Literal

import pandas as pd

# -- vocabulary of the data --------------------------------------------------------------------------------

DIMENSIONS: tuple[str, ...] = (
    "military_security",
    "weapons_delivery",
    "resources",
    "international_support",
    "context",
)
"""The event dimensions of ``events.csv``: the article's four dimensions plus ``context``."""

COOPERATION_DIMENSIONS: tuple[str, ...] = DIMENSIONS[:4]
"""The four dimensions of cooperation the article analyses (``context`` events are not cooperation)."""

DIMENSION_LABELS: dict[str, str] = {
    "military_security": "Military and security cooperation",
    "weapons_delivery": "Weapons delivery",
    "resources": "Resource exploitation",
    "international_support": "International support",
    "context": "Context (not cooperation)",
}

PHASES: tuple[str, ...] = (
    "before_khartoum",
    "khartoum_to_sochi",
    "sochi_to_crisis",
    "crisis_and_after",
    "after_2022",
)
"""Phase ids of ``phases.csv``, in time order."""

STATUSES: tuple[str, ...] = ("confirmed", "contested", "unconfirmed")

VOTE_VALUES: tuple[str, ...] = ("Yes", "No", "Abstain", "Non-voting")
"""Recorded positions in ``un_votes.csv``; an empty cell means no source read confirmed the vote."""

CAST_VOTES: tuple[str, ...] = ("Yes", "No", "Abstain")
"""Positions that count as having voted (a non-voting member was absent or did not press a button)."""

UNKNOWN_VOTE = "Unknown"
"""Label used in summaries for a vote no source confirmed."""

CAR_ISO3 = "CAF"
RUSSIA_ISO3 = "RUS"
CAR_NEIGHBOURS_ISO3: tuple[str, ...] = ("CMR", "TCD", "SDN", "SSD", "COD", "COG")
"""The CAR's six neighbours: Cameroon, Chad, Sudan, South Sudan, DR Congo and the Republic of the Congo."""
SAHEL_RUSSIA_PARTNERS_ISO3: tuple[str, ...] = ("MLI", "BFA", "NER")
"""Mali, Burkina Faso and Niger: the Alliance of Sahel States, whose juntas turned to Russia for security
support (bibliography key ``radarafrica2025russia``)."""
REFERENCE_COUNTRIES_ISO3: tuple[str, ...] = ("RUS", "USA", "FRA", "CHN", "ZAF")
"""Reference countries the vote explorer offers first: Russia, the United States, France, China, South Africa."""

VOTE_GROUPS: dict[str, str] = {
    "neighbours": "The CAR's six neighbours",
    "african_union": "Members of the African Union",
    "sahel": "Sahel states with Russian security partners (Mali, Burkina Faso, Niger)",
    "assembly": "The whole General Assembly",
}
"""Groups of members the vote explorer can compare (see :func:`group_members`)."""

VOTE_CAVEATS: dict[tuple[str, str], str] = {
    ("A/RES/ES-11/7", "USA"): (
        "On ES-11/7 the United States voted No together with Russia, but because it backed its own, "
        "neutral text, not Russia's war: an agreement index counts this as agreement with Russia, which "
        "it is not."
    ),
}
"""Votes that coincide with Russia's for reasons an agreement index cannot see: (resolution, ISO3) → why."""

AgreementMethod = Literal["simple", "lijphart"]
AGREEMENT_METHODS: dict[str, str] = {
    "simple": "share of resolutions where both voted and voted alike",
    "lijphart": "Lijphart's index: identical = 1, Yes vs No = 0, Abstain vs Yes or No = 0.5",
}

Frequency = Literal["month", "quarter", "year"]
_FREQ_CODES: dict[str, str] = {"month": "M", "quarter": "Q", "year": "Y"}
# Which date precisions are fine enough to be placed in a period of each length.
_PRECISE_ENOUGH: dict[str, tuple[str, ...]] = {
    "month": ("day", "month"),
    "quarter": ("day", "month"),
    "year": ("day", "month", "year"),
}


# -- small helpers -----------------------------------------------------------------------------------------


def _require_columns(df: pd.DataFrame, columns: Iterable[str], table: str) -> None:
    """Raise ValueError naming the table and the missing columns."""
    if not isinstance(df, pd.DataFrame):
        raise ValueError(f"{table}: expected a pandas DataFrame, got {type(df).__name__}.")
    missing = [c for c in columns if c not in df.columns]
    if missing:
        raise ValueError(
            f"{table}: missing column(s) {missing}; the table has {list(df.columns)}. "
            f"Load it with coursekit.data (e.g. data.load_{table.split('.')[0]}()) or add the columns."
        )


def _check_choices(
    values: Iterable[str] | None, allowed: Sequence[str], what: str
) -> list[str] | None:
    """Return ``values`` as a list after checking each is in ``allowed`` (None passes through)."""
    if values is None:
        return None
    if isinstance(values, str):
        values = [values]
    values = list(values)
    unknown = [v for v in values if v not in allowed]
    if unknown:
        raise ValueError(f"unknown {what} {unknown}; choose from {list(allowed)}.")
    return values


def _as_period(value: str | pd.Period | pd.Timestamp, freq: str) -> pd.Period:
    """Turn ``'2020-12'``, a Timestamp or a Period into a Period of frequency ``freq``."""
    try:
        if isinstance(value, pd.Period):
            return value.asfreq(freq) if value.freqstr != freq else value
        return pd.Period(pd.Timestamp(value), freq=freq)
    except (ValueError, TypeError) as exc:
        raise ValueError(
            f"could not read {value!r} as a date or period; write it like '2020-12' or '2020-12-15'."
        ) from exc
