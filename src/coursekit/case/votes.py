"""UN General Assembly votes: resolve country names, the vote matrix, pairwise agreement (simple or Lijphart),
agreement indices and rankings, the African breakdown, one country's record and the caveats of a vote.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Literal

import numpy as np
import pandas as pd

from coursekit.case.vocabulary import (
    AGREEMENT_METHODS,
    CAR_ISO3,
    CAR_NEIGHBOURS_ISO3,
    CAST_VOTES,
    RUSSIA_ISO3,
    SAHEL_RUSSIA_PARTNERS_ISO3,
    UNKNOWN_VOTE,
    VOTE_CAVEATS,
    VOTE_GROUPS,
    VOTE_VALUES,
    AgreementMethod,
    _require_columns,
)

# -- UN General Assembly votes -----------------------------------------------------------------------------

VOTE_COLUMNS = ("resolution", "country", "iso3", "african", "vote")


def resolve_country(votes: pd.DataFrame, name: str) -> str:
    """Return the country name used in the vote table for a name or ISO3 code.

    Matching ignores case; ``"RUS"``, ``"russian federation"`` and the exact table name all work.

    Raises
    ------
    ValueError
        If nothing matches; the message suggests close names.
    """
    _require_columns(votes, ("country", "iso3"), "votes")
    if not isinstance(name, str) or not name.strip():
        raise ValueError(f"a country must be given as a name or an ISO3 code, got {name!r}.")
    wanted = name.strip().casefold()
    pairs = votes[["country", "iso3"]].drop_duplicates()
    for country, iso3 in pairs.itertuples(index=False):
        if str(country).casefold() == wanted or str(iso3).casefold() == wanted:
            return str(country)
    names = sorted(str(c) for c in pairs["country"].unique())
    close = difflib.get_close_matches(name, names, n=3, cutoff=0.5)
    hint = f" Did you mean {close}?" if close else ""
    raise ValueError(f"no country {name!r} in the vote table (un_votes.csv).{hint}")


def _resolve_many(votes: pd.DataFrame, names: Iterable[str]) -> list[str]:
    """Resolve several names or ISO3 codes at once (one lookup table instead of one scan per name)."""
    lookup: dict[str, str] = {}
    for country, iso3 in zip(votes["country"], votes["iso3"], strict=True):
        lookup[str(country).casefold()] = str(country)
        lookup[str(iso3).casefold()] = str(country)
    out = []
    for name in names:
        key = name.strip().casefold() if isinstance(name, str) else None
        out.append(lookup[key] if key in lookup else resolve_country(votes, name))
    return out


def _resolution_order(votes: pd.DataFrame, resolutions: Sequence[str] | None) -> list[str]:
    known = list(dict.fromkeys(str(r) for r in votes["resolution"]))
    if resolutions is None:
        return known
    if isinstance(resolutions, str):
        resolutions = [resolutions]
    chosen = [str(r) for r in resolutions]
    unknown = [r for r in chosen if r not in known]
    if unknown:
        raise ValueError(f"unknown resolution(s) {unknown} in the vote table; choose from {known}.")
    return list(dict.fromkeys(chosen))


def vote_matrix(
    votes: pd.DataFrame,
    *,
    resolutions: Sequence[str] | None = None,
    countries: Sequence[str] | None = None,
) -> pd.DataFrame:
    """Arrange votes as a countries × resolutions table.

    Parameters
    ----------
    votes : DataFrame
        The vote table (``data.load_votes()``).
    resolutions : sequence of str, optional
        Resolution symbols (columns), in the order wanted; default: all, in the table's order.
    countries : sequence of str, optional
        Country names or ISO3 codes (rows), in the order wanted; default: every country in the table,
        alphabetically.

    Returns
    -------
    DataFrame
        Cells hold ``"Yes"``, ``"No"``, ``"Abstain"``, ``"Non-voting"`` or ``<NA>`` when no source
        confirmed the vote (or the country has no row for that resolution). Empty when either selection
        is empty.

    Raises
    ------
    ValueError
        For an unknown resolution or country, or a vote value outside :data:`VOTE_VALUES`.
    """
    _require_columns(votes, VOTE_COLUMNS, "votes")
    cols = _resolution_order(votes, resolutions)
    if countries is None:
        rows = sorted(str(c) for c in votes["country"].unique())
    else:
        if isinstance(countries, str):
            countries = [countries]
        rows = list(dict.fromkeys(_resolve_many(votes, countries)))
    if not cols or not rows:
        return pd.DataFrame(
            index=pd.Index(rows, name="country"), columns=pd.Index(cols, name="resolution")
        )
    values = votes["vote"].astype("string")
    bad = values.dropna()[~values.dropna().isin(VOTE_VALUES)]
    if len(bad):
        raise ValueError(
            f"votes: unexpected vote value(s) {sorted(set(bad))}; allowed are {list(VOTE_VALUES)} "
            f"or an empty cell."
        )
    subset = votes.loc[votes["resolution"].astype(str).isin(cols) & votes["country"].isin(rows)]
    wide = (
        subset.assign(vote=values.loc[subset.index])
        .drop_duplicates(["country", "resolution"], keep="first")
        .pivot(index="country", columns="resolution", values="vote")
    )
    wide = wide.reindex(index=rows, columns=cols).astype(object)
    wide = wide.where(wide.notna(), pd.NA)  # type: ignore[arg-type]  # NA is a valid fill
    wide.index.name, wide.columns.name = "country", "resolution"
    return wide


def pair_agreement(a: object, b: object, method: AgreementMethod = "simple") -> float | None:
    """Agreement of two votes on one resolution, or None when they cannot be compared.

    Two votes are comparable only when both countries voted (Yes, No or Abstain). Then:

    * ``"simple"``: 1 when the votes are identical, else 0;
    * ``"lijphart"``: 1 when identical, 0 for Yes against No, and 0.5 when one abstained and the other
      voted Yes or No (an abstention is half-way between the two) (Lijphart 1963).

    >>> pair_agreement("Yes", "Abstain", "lijphart")
    0.5
    >>> pair_agreement("Yes", "Non-voting") is None
    True
    """
    if method not in AGREEMENT_METHODS:
        raise ValueError(
            f"unknown agreement method {method!r}; use one of {list(AGREEMENT_METHODS)}."
        )
    if (
        not (isinstance(a, str) and isinstance(b, str))
        or a not in CAST_VOTES
        or b not in CAST_VOTES
    ):
        return None
    if a == b:
        return 1.0
    if method == "simple":
        return 0.0
    return 0.5 if "Abstain" in (a, b) else 0.0


@dataclass(frozen=True)
class Agreement:
    """How often two countries voted alike over a set of resolutions.

    Attributes
    ----------
    country, reference : str
        The two countries compared.
    method : str
        ``"simple"`` or ``"lijphart"`` (see :func:`pair_agreement`).
    score : float
        Mean agreement over the comparable resolutions, between 0 and 1; NaN when none is comparable.
    n_compared : int
        Resolutions on which both voted (the denominator).
    n_resolutions : int
        Resolutions selected.
    details : DataFrame
        One row per resolution: ``resolution``, ``vote`` (country), ``reference_vote``, ``agreement``
        (NaN when not comparable).
    """

    country: str
    reference: str
    method: str
    score: float
    n_compared: int
    n_resolutions: int
    details: pd.DataFrame = field(repr=False)


def vote_agreement(
    votes: pd.DataFrame,
    country: str,
    reference: str,
    *,
    resolutions: Sequence[str] | None = None,
    method: AgreementMethod = "simple",
) -> Agreement:
    """Agreement index between two countries over chosen resolutions.

    Parameters
    ----------
    votes : DataFrame
        The vote table.
    country, reference : str
        Country names or ISO3 codes.
    resolutions : sequence of str, optional
        Resolutions to compare over; default all.
    method : {"simple", "lijphart"}
        ``"simple"``: the share of resolutions on which both voted and voted alike. ``"lijphart"``: the
        index of agreement of Lijphart (1963), which counts an abstention against a Yes or
        a No as half an agreement. In both, a resolution where either country did not vote, or where a
        vote is unconfirmed, is left out of the denominator.

    Returns
    -------
    Agreement

    References
    ----------
    Lijphart, A. (1963). The Analysis of Bloc Voting in the General Assembly: A Critique and a Proposal.
    *American Political Science Review* 57(4), 902–917 (bibliography key ``lijphart1963analysis``).
    Voeten, E. (2013). Data and Analyses of Voting in the UN General Assembly. In B. Reinalda (ed.),
    *Routledge Handbook of International Organization* (``voeten2013data``), whose agreement data count an
    abstention as half a disagreement with a Yes or a No, as the ``"lijphart"`` method does.
    """
    if method not in AGREEMENT_METHODS:
        raise ValueError(
            f"unknown agreement method {method!r}; use one of {list(AGREEMENT_METHODS)}."
        )
    a, b = resolve_country(votes, country), resolve_country(votes, reference)
    matrix = vote_matrix(votes, resolutions=resolutions, countries=[a, b] if a != b else [a])
    va = matrix.loc[a] if len(matrix.columns) else pd.Series(dtype=object)
    vb = matrix.loc[b] if len(matrix.columns) else pd.Series(dtype=object)
    scores = [pair_agreement(x, y, method) for x, y in zip(va, vb, strict=True)]
    details = pd.DataFrame(
        {
            "resolution": list(matrix.columns),
            "vote": list(va),
            "reference_vote": list(vb),
            "agreement": [np.nan if s is None else s for s in scores],
        }
    )
    comparable = [s for s in scores if s is not None]
    score = float(np.mean(comparable)) if comparable else float("nan")
    return Agreement(a, b, method, score, len(comparable), len(matrix.columns), details)


def agreement_index(
    votes: pd.DataFrame,
    reference: str,
    *,
    countries: Sequence[str] | None = None,
    resolutions: Sequence[str] | None = None,
    method: AgreementMethod = "simple",
) -> pd.DataFrame:
    """Agreement of each country with a reference country (e.g. Russia).

    Parameters
    ----------
    votes : DataFrame
        The vote table.
    reference : str
        Name or ISO3 code of the reference country.
    countries : sequence of str, optional
        Countries to score (default: every country in the table except the reference).
    resolutions : sequence of str, optional
        Resolutions to compare over (default all).
    method : {"simple", "lijphart"}
        See :func:`vote_agreement`.

    Returns
    -------
    DataFrame
        Columns ``country``, ``iso3``, ``african``, ``score`` (NaN when no resolution is comparable),
        ``n_compared``; sorted by score (highest first, NaN last), then name. Empty for an empty
        selection.
    """
    ref = resolve_country(votes, reference)
    if countries is None:
        names = sorted(str(c) for c in votes["country"].unique() if c != ref)
    else:
        if isinstance(countries, str):
            countries = [countries]
        names = list(dict.fromkeys(_resolve_many(votes, countries)))
    cols = ["country", "iso3", "african", "score", "n_compared"]
    if not names or (resolutions is not None and len(list(resolutions)) == 0):
        return pd.DataFrame(columns=cols)
    if method not in AGREEMENT_METHODS:
        raise ValueError(
            f"unknown agreement method {method!r}; use one of {list(AGREEMENT_METHODS)}."
        )
    matrix = vote_matrix(
        votes, resolutions=resolutions, countries=list(dict.fromkeys([ref, *names]))
    )
    return _agreement_table(votes, matrix, ref, names, method)


def _agreement_table(
    votes: pd.DataFrame,
    matrix: pd.DataFrame,
    ref: str,
    names: Sequence[str],
    method: AgreementMethod,
) -> pd.DataFrame:
    """Score each of ``names`` against ``ref`` over the columns of ``matrix`` (see :func:`agreement_index`)."""
    ref_votes = list(matrix.loc[ref])
    meta = {
        str(c): (str(i), bool(a))
        for c, i, a in zip(votes["country"], votes["iso3"], votes["african"], strict=True)
    }
    rows = []
    for name in names:
        scores = [
            s
            for s in (
                pair_agreement(a, b, method)
                for a, b in zip(matrix.loc[name], ref_votes, strict=True)
            )
            if s is not None
        ]
        rows.append(
            {
                "country": name,
                "iso3": meta[name][0],
                "african": meta[name][1],
                "score": float(np.mean(scores)) if scores else float("nan"),
                "n_compared": len(scores),
            }
        )
    out = pd.DataFrame(rows, columns=["country", "iso3", "african", "score", "n_compared"])
    out = out.sort_values(["score", "country"], ascending=[False, True], na_position="last")
    return out.reset_index(drop=True)


@dataclass(frozen=True)
class VoteView:
    """What the vote explorer shows: the vote matrix and each country's agreement with the reference."""

    matrix: pd.DataFrame
    agreement: pd.DataFrame
    reference: str
    method: str
    rank: AgreementRank | None = None
    caveats: tuple[str, ...] = ()

    @property
    def empty(self) -> bool:
        """True when no resolution or no country is selected."""
        return self.matrix.empty


def vote_view(
    votes: pd.DataFrame,
    *,
    resolutions: Sequence[str],
    countries: Sequence[str],
    reference: str = RUSSIA_ISO3,
    method: AgreementMethod = "simple",
    order: Literal["agreement", "selection"] = "agreement",
    highlight: str | None = CAR_ISO3,
) -> VoteView:
    """Vote matrix (reference country first) and agreement with the reference, for the vote explorer.

    Parameters
    ----------
    votes : DataFrame
        The vote table.
    resolutions, countries : sequence of str
        The selection; either empty gives an empty view.
    reference : str
        Name or ISO3 code of the country the others are compared with (default Russia).
    method : {"simple", "lijphart"}
        See :func:`vote_agreement`.
    order : {"agreement", "selection"}
        Order of the matrix rows after the reference: by agreement with it (highest first, countries
        with no comparable vote last) or as selected.
    highlight : str or None
        Country whose rank among the selected countries is reported in ``VoteView.rank`` (default the
        CAR; None or a country not selected gives no rank).

    Returns
    -------
    VoteView
        Also carries ``rank`` (:func:`agreement_rank` of ``highlight``) and ``caveats``
        (:func:`vote_caveats` for the selection).
    """
    if order not in ("agreement", "selection"):
        raise ValueError(f"order must be 'agreement' or 'selection', got {order!r}.")
    if method not in AGREEMENT_METHODS:
        raise ValueError(
            f"unknown agreement method {method!r}; use one of {list(AGREEMENT_METHODS)}."
        )
    ref = resolve_country(votes, reference)
    names = _resolve_many(votes, countries)
    others = [n for n in dict.fromkeys(names) if n != ref]
    if not list(resolutions) or not names:
        empty = vote_matrix(votes, resolutions=[], countries=[])
        columns = ["country", "iso3", "african", "score", "n_compared"]
        return VoteView(empty, pd.DataFrame(columns=columns), ref, method)
    matrix = vote_matrix(votes, resolutions=resolutions, countries=[ref, *others])
    agree = _agreement_table(votes, matrix, ref, others, method)
    rows = list(agree["country"]) if order == "agreement" else others
    rank = None
    if highlight is not None:
        name = resolve_country(votes, highlight)
        if name in others:
            rank = agreement_rank(agree, name, reference=ref)
    caveats = vote_caveats(votes, resolutions=list(matrix.columns), countries=[ref, *others])
    return VoteView(matrix.loc[[ref, *rows]], agree, ref, method, rank, caveats)


def african_breakdown(
    votes: pd.DataFrame, *, resolutions: Sequence[str] | None = None
) -> pd.DataFrame:
    """How the African members voted on each resolution.

    Returns
    -------
    DataFrame
        One row per resolution (table order), columns ``Yes``, ``No``, ``Abstain``, ``Non-voting``
        and ``Unknown`` (no source confirmed the vote), counting African members with a row for
        that resolution.
    """
    _require_columns(votes, VOTE_COLUMNS, "votes")
    cols = _resolution_order(votes, resolutions)
    african = votes.loc[votes["african"].astype(bool) & votes["resolution"].astype(str).isin(cols)]
    labels = african["vote"].astype("string").fillna(UNKNOWN_VOTE)
    table = (
        pd.crosstab(african["resolution"].astype(str), labels) if len(african) else pd.DataFrame()
    )
    table = table.reindex(index=cols, columns=[*VOTE_VALUES, UNKNOWN_VOTE], fill_value=0)
    table = table.fillna(0).astype(int)
    table.index.name, table.columns.name = "resolution", "vote"
    return table


def country_record(
    votes: pd.DataFrame,
    resolutions: pd.DataFrame,
    country: str = CAR_ISO3,
    reference: str | None = RUSSIA_ISO3,
) -> pd.DataFrame:
    """A country's voting record over time, beside the reference country's votes.

    Parameters
    ----------
    votes : DataFrame
        The vote table.
    resolutions : DataFrame
        The resolution table (``data.load_resolutions()``) for dates, titles and tallies.
    country : str
        Name or ISO3 code (default the CAR).
    reference : str or None
        Name or ISO3 code of a country to compare with (default Russia); None leaves it out.

    Returns
    -------
    DataFrame
        One row per resolution the country has a row for, sorted by date: ``resolution``, ``date``,
        ``title``, ``yes``, ``no``, ``abstain``, ``non_voting``, ``vote`` (``<NA>`` if unconfirmed),
        ``status`` and, with a reference, ``reference_vote`` and ``agrees`` (True/False, ``<NA>`` when
        not comparable).
    """
    _require_columns(
        resolutions, ("resolution", "date", "title", "yes", "no", "abstain"), "resolutions"
    )
    _require_columns(votes, (*VOTE_COLUMNS, "status"), "votes")
    name = resolve_country(votes, country)
    own = votes.loc[votes["country"] == name, ["resolution", "vote", "status"]].copy()
    own["vote"] = own["vote"].astype("string")
    info = resolutions[["resolution", "date", "title", "yes", "no", "abstain", "non_voting"]]
    record = info.merge(own, on="resolution", how="inner")
    if reference is not None:
        ref = resolve_country(votes, reference)
        theirs = votes.loc[votes["country"] == ref, ["resolution", "vote"]]
        theirs = theirs.rename(columns={"vote": "reference_vote"})
        theirs["reference_vote"] = theirs["reference_vote"].astype("string")
        record = record.merge(theirs, on="resolution", how="left")
        agree = [
            pd.NA if (s := pair_agreement(a, b)) is None else bool(s == 1.0)
            for a, b in zip(record["vote"], record["reference_vote"], strict=True)
        ]
        record["agrees"] = pd.array(agree, dtype="boolean")
    return record.sort_values("date", kind="stable").reset_index(drop=True)


def group_members(votes: pd.DataFrame, group: str) -> list[str]:
    """Country names of a group of members (see :data:`VOTE_GROUPS`), alphabetically.

    ``"neighbours"``: the CAR's six neighbours; ``"african_union"``: the rows marked ``african`` (African
    Union members); ``"sahel"``: Mali, Burkina Faso and Niger; ``"assembly"``: every country in the table.
    Members absent from the table are left out.

    Raises
    ------
    ValueError
        For an unknown group.
    """
    _require_columns(votes, ("country", "iso3", "african"), "votes")
    pairs = votes[["country", "iso3", "african"]].drop_duplicates("country")
    if group == "neighbours":
        chosen = pairs[pairs["iso3"].isin(CAR_NEIGHBOURS_ISO3)]
    elif group == "sahel":
        chosen = pairs[pairs["iso3"].isin(SAHEL_RUSSIA_PARTNERS_ISO3)]
    elif group == "african_union":
        chosen = pairs[pairs["african"].astype(bool)]
    elif group == "assembly":
        chosen = pairs
    else:
        raise ValueError(f"unknown group {group!r}; choose one of {list(VOTE_GROUPS)}.")
    return sorted(str(c) for c in chosen["country"])


@dataclass(frozen=True)
class AgreementRank:
    """Where one country stands in an agreement table.

    Attributes
    ----------
    country, reference : str
        The country ranked and the reference country.
    position : int or None
        1 + the number of countries with a strictly higher score (ties share a position); None when the
        country has no comparable vote.
    of : int
        Countries with a score (the ranked field, the country included).
    tied : int
        Other countries with exactly the same score.
    score : float
        The country's score (NaN when not comparable).
    n_compared : int
        Resolutions its score rests on.
    """

    country: str
    reference: str
    position: int | None
    of: int
    tied: int
    score: float
    n_compared: int

    def sentence(self) -> str:
        """The rank in words, e.g. ``"Central African Republic: 2nd of 7 in agreement with ..."``."""
        if self.position is None:
            return (
                f"{self.country} has no vote comparable with {self.reference}'s in this selection."
            )
        n = self.position
        suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
        tie = f", tied with {self.tied} other{'s' if self.tied != 1 else ''}" if self.tied else ""
        return (
            f"{self.country}: {n}{suffix} of {self.of} in agreement with {self.reference}{tie} "
            f"(score {self.score:.2f} over {self.n_compared} comparable resolution"
            f"{'s' if self.n_compared != 1 else ''})."
        )


def agreement_rank(table: pd.DataFrame, country: str, *, reference: str = "") -> AgreementRank:
    """Rank of ``country`` in an agreement table (:func:`agreement_index` or ``VoteView.agreement``).

    Raises
    ------
    ValueError
        If the country is not in the table.
    """
    _require_columns(table, ("country", "score", "n_compared"), "agreement table")
    own = table.loc[table["country"] == country]
    if own.empty:
        raise ValueError(f"{country!r} is not in the agreement table; select it first.")
    score, n = float(own["score"].iloc[0]), int(own["n_compared"].iloc[0])
    scored = table["score"].dropna().astype(float)
    if np.isnan(score):
        return AgreementRank(country, reference, None, len(scored), 0, score, n)
    higher = int((scored > score + 1e-12).sum())
    tied = int(np.isclose(scored, score).sum()) - 1
    return AgreementRank(country, reference, higher + 1, len(scored), tied, score, n)


def vote_caveats(
    votes: pd.DataFrame, *, resolutions: Sequence[str], countries: Sequence[str]
) -> tuple[str, ...]:
    """The :data:`VOTE_CAVEATS` that apply to a selection of resolutions and countries (names or ISO3)."""
    chosen = {str(r) for r in resolutions}
    codes: set[str] = set()
    lookup = dict(zip(votes["country"].astype(str), votes["iso3"].astype(str), strict=True))
    for name in countries:
        codes.add(lookup.get(str(name), str(name).upper()))
    return tuple(
        text
        for (resolution, iso3), text in VOTE_CAVEATS.items()
        if resolution in chosen and iso3 in codes
    )
