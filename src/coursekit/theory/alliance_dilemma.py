"""Snyder's alliance security dilemma: abandonment against entrapment (Snyder 1984).

Inside an alliance each state chooses how firmly to support its partner. A firm commitment lowers the risk of
**abandonment** (the partner defecting, realigning or failing to help when needed) but raises the risk of
**entrapment** (being dragged into a conflict over the partner's interests that one does not share); a loose
commitment does the opposite (Snyder 1984). This module is a small teaching model of that trade-off, not
Snyder's own formalisation (he gives none). All inputs are 0–1.

With own commitment :math:`c`, dependence on the alliance :math:`d`, the partner's commitment :math:`p` and the
share of interests the two have in common :math:`s`:

.. math::

    A(c) = (1 - p)\\,(1 - c)^2, \\qquad E(c) = (1 - s)\\,c^2, \\qquad
    L(c) = d\\,A(c) + E(c).

:math:`A` is the risk of abandonment: high when the partner is loosely committed, and falling as one's own firm
support reassures and binds it. :math:`E` is the risk of entrapment: zero without commitment, rising as firm
support emboldens the partner in quarrels over interests one does not share. The expected cost :math:`L` weighs
abandonment by dependence (being left alone hurts more the more one needs the ally). The commitment that
minimises :math:`L` is

.. math::

    c^* = \\frac{d\\,(1 - p)}{d\\,(1 - p) + (1 - s)},

so a state commits more firmly the more it depends on the alliance and the less committed its partner is, and
less firmly the more the partner's interests differ from its own, the directions Snyder describes.

:func:`alliance_dilemma` evaluates one commitment; :func:`dilemma_curves` evaluates every commitment from 0 to 1
for a figure.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from coursekit.theory._common import number as _number

__all__ = [
    "DILEMMA_PARAMS",
    "DILEMMA_LABELS",
    "DilemmaResult",
    "DilemmaCurves",
    "alliance_dilemma",
    "dilemma_curves",
]

DILEMMA_PARAMS: dict[str, float] = {
    "commitment": 0.5,
    "dependence": 0.7,
    "partner_commitment": 0.4,
    "shared_interests": 0.5,
}
"""The four inputs of :func:`alliance_dilemma` and their defaults (each 0–1)."""

DILEMMA_LABELS: dict[str, str] = {
    "commitment": "Own commitment to the partner (0–1)",
    "dependence": "Dependence on the alliance (0–1)",
    "partner_commitment": "Partner's commitment (0–1)",
    "shared_interests": "Interests shared with the partner (0–1)",
}
"""Readable names (with units) of the inputs."""


def _inputs(values: Mapping[str, float]) -> dict[str, float]:
    return {name: _number(name, values[name], 0.0, 1.0) for name in DILEMMA_PARAMS}


def _risks(c: Any, d: float, p: float, s: float) -> tuple[Any, Any, Any]:
    """Abandonment risk, entrapment risk and their weighted cost at commitment ``c`` (a number or an array)."""
    abandonment = (1.0 - p) * (1.0 - c) ** 2
    entrapment = (1.0 - s) * c**2
    return abandonment, entrapment, d * abandonment + entrapment


def _best(d: float, p: float, s: float) -> float | None:
    pull, push = d * (1.0 - p), 1.0 - s
    if pull + push == 0:
        return None
    return pull / (pull + push)


@dataclass(frozen=True)
class DilemmaResult:
    """The result of :func:`alliance_dilemma`.

    Attributes
    ----------
    commitment, dependence, partner_commitment, shared_interests : float
        The inputs (0–1).
    abandonment_risk : float
        :math:`A(c)`, 0–1.
    entrapment_risk : float
        :math:`E(c)`, 0–1.
    expected_cost : float
        :math:`L(c) = d\\,A(c) + E(c)`, 0–2.
    best_commitment : float or None
        :math:`c^*`, the commitment with the lowest expected cost; None when neither risk can arise
        (an independent state with a fully committed partner, or one whose partner shares all its interests
        and on which it does not depend), so every commitment is equally good.
    best_cost : float or None
        :math:`L(c^*)`.
    """

    commitment: float
    dependence: float
    partner_commitment: float
    shared_interests: float
    abandonment_risk: float
    entrapment_risk: float
    expected_cost: float
    best_commitment: float | None
    best_cost: float | None

    @property
    def dominant_fear(self) -> str:
        """``"abandonment"``, ``"entrapment"`` or ``"balanced"``: which weighted risk is larger at this commitment."""
        weighted = self.dependence * self.abandonment_risk
        if math.isclose(weighted, self.entrapment_risk, abs_tol=1e-12):
            return "balanced"
        return "abandonment" if weighted > self.entrapment_risk else "entrapment"

    @property
    def verdict(self) -> str:
        """One sentence comparing the chosen commitment with the best one."""
        if self.best_commitment is None:
            return "Neither risk can arise here: every level of commitment is equally good."
        gap = self.commitment - self.best_commitment
        if abs(gap) < 0.025:
            return (
                f"Commitment {self.commitment:.2f} is about the best ({self.best_commitment:.2f})."
            )
        fear = "entrapment" if gap > 0 else "abandonment"
        side = "more" if gap > 0 else "less"
        return (
            f"Commitment {self.commitment:.2f} is {side} than the best ({self.best_commitment:.2f}): "
            f"the state runs too great a risk of {fear}."
        )


def alliance_dilemma(
    commitment: float = 0.5,
    dependence: float = 0.7,
    partner_commitment: float = 0.4,
    shared_interests: float = 0.5,
) -> DilemmaResult:
    """Risks of abandonment and entrapment at one level of commitment, and the best level (Snyder 1984).

    See the module docstring for the equations.

    Parameters
    ----------
    commitment : float, optional
        How firmly the state supports its partner, 0 (not at all) to 1 (unconditionally). Default 0.5.
    dependence : float, optional
        How much the state needs the alliance, 0–1. Default 0.7.
    partner_commitment : float, optional
        How firmly the partner supports the state, 0–1. Default 0.4.
    shared_interests : float, optional
        How far the partner's interests in its own conflicts are also the state's, 0–1. Default 0.5.

    Returns
    -------
    DilemmaResult

    Raises
    ------
    ValueError
        If an input is not a number from 0 to 1 (NaN included); the message names it.

    Examples
    --------
    >>> r = alliance_dilemma(commitment=0.5, dependence=1, partner_commitment=0, shared_interests=0)
    >>> r.abandonment_risk, r.entrapment_risk, r.best_commitment
    (0.25, 0.25, 0.5)
    """
    v = _inputs(
        {
            "commitment": commitment,
            "dependence": dependence,
            "partner_commitment": partner_commitment,
            "shared_interests": shared_interests,
        }
    )
    c, d, p, s = v["commitment"], v["dependence"], v["partner_commitment"], v["shared_interests"]
    abandonment, entrapment, cost = _risks(c, d, p, s)
    best = _best(d, p, s)
    return DilemmaResult(
        commitment=c,
        dependence=d,
        partner_commitment=p,
        shared_interests=s,
        abandonment_risk=float(abandonment),
        entrapment_risk=float(entrapment),
        expected_cost=float(cost),
        best_commitment=best,
        best_cost=None if best is None else float(_risks(best, d, p, s)[2]),
    )


@dataclass(frozen=True)
class DilemmaCurves:
    """The result of :func:`dilemma_curves`: every commitment level from 0 to 1.

    Attributes
    ----------
    commitment : numpy.ndarray
        Commitment levels, 0 to 1.
    abandonment_cost : numpy.ndarray
        :math:`d\\,A(c)`, the dependence-weighted risk of abandonment.
    entrapment_risk : numpy.ndarray
        :math:`E(c)`.
    expected_cost : numpy.ndarray
        :math:`L(c)`, their sum.
    result : DilemmaResult
        The point the curves were drawn for.
    """

    commitment: np.ndarray
    abandonment_cost: np.ndarray
    entrapment_risk: np.ndarray
    expected_cost: np.ndarray
    result: DilemmaResult


def dilemma_curves(
    commitment: float = 0.5,
    dependence: float = 0.7,
    partner_commitment: float = 0.4,
    shared_interests: float = 0.5,
    grid: int = 101,
) -> DilemmaCurves:
    """The two risks and the expected cost at every commitment from 0 to 1, and the current point.

    Parameters
    ----------
    commitment, dependence, partner_commitment, shared_interests : float, optional
        As in :func:`alliance_dilemma`.
    grid : int, optional
        Number of commitment levels, 2–1001. Default 101.

    Returns
    -------
    DilemmaCurves

    Raises
    ------
    ValueError
        If an input is invalid (as :func:`alliance_dilemma`) or ``grid`` is not a whole number from 2 to 1001.
    """
    if isinstance(grid, bool) or not isinstance(grid, int) or not 2 <= grid <= 1001:
        raise ValueError(f"grid = {grid!r} must be a whole number from 2 to 1001")
    result = alliance_dilemma(commitment, dependence, partner_commitment, shared_interests)
    cs = np.linspace(0.0, 1.0, grid)
    abandonment, entrapment, cost = _risks(
        cs, result.dependence, result.partner_commitment, result.shared_interests
    )
    return DilemmaCurves(
        commitment=cs,
        abandonment_cost=result.dependence * abandonment,
        entrapment_risk=entrapment,
        expected_cost=cost,
        result=result,
    )
