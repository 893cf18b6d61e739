"""Altfeld's decision to ally (Altfeld 1984): indifference curves, and arms against alliances.

A state values security, autonomy and wealth. It can buy security in two ways: **arms**, paid for in wealth, or
an **alliance**, paid for in autonomy (Altfeld 1984; the same trade-off between arms and allies is developed in
Morrow 1993). The course draws it with Cobb–Douglas utilities:

* :func:`utility`, :func:`indifference_curve`, :func:`altfeld_decision`: the two-good picture (security and
  autonomy) taught with Altfeld's indifference curves;
* :func:`altfeld_utility`, :func:`arms_or_alliance`: the three-good version with the arms option;
* :func:`client_altfeld_choice`: the client's side of :func:`coursekit.theory.alliance_gains` read as a move
  in Altfeld's diagram, which connects the security–autonomy model to the utility taught beside it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from coursekit.theory._common import SCALE_MAX, normalise_weights
from coursekit.theory._common import number as _number
from coursekit.theory.security_autonomy import GainsResult

__all__ = [
    "GOODS",
    "OPTIONS",
    "utility",
    "indifference_curve",
    "AltfeldChoice",
    "altfeld_decision",
    "altfeld_utility",
    "ArmsOrAlliance",
    "arms_or_alliance",
    "client_altfeld_choice",
]

GOODS: tuple[str, ...] = ("security", "autonomy", "wealth")
"""The three goods of Altfeld's decision to ally."""

OPTIONS: tuple[str, ...] = ("neither", "arms", "alliance", "both")
"""The choices compared by :func:`arms_or_alliance`."""


def _weight(security_weight: float) -> float:
    w = _number("security_weight", security_weight, 0.0, 1.0)
    if not 0.0 < w < 1.0:
        raise ValueError(
            f"security_weight = {security_weight!r} must lie strictly between 0 and 1 "
            "(0 would mean security is worthless, 1 that autonomy is)"
        )
    return w


def utility(
    security: float | np.ndarray, autonomy: float | np.ndarray, security_weight: float = 0.5
) -> float | np.ndarray:
    """A state's utility from security and autonomy, :math:`U = s^w\\,a^{1-w}`.

    A Cobb–Douglas form gives the smooth, bowed indifference curves of Altfeld's (1984)
    diagram: the less autonomy a state has left, the more security it demands for giving up a little more.

    Parameters
    ----------
    security, autonomy : float or numpy.ndarray
        Levels, 0–10.
    security_weight : float, optional
        :math:`w`, the weight of security, strictly between 0 and 1. Default 0.5.

    Returns
    -------
    float or numpy.ndarray
        Utility (0–10 when both inputs are 0–10).

    Raises
    ------
    ValueError
        If a level is outside 0–10 or the weight is not strictly between 0 and 1.
    """
    w = _weight(security_weight)
    s = np.asarray(security, dtype=float)
    a = np.asarray(autonomy, dtype=float)
    for name, arr in (("security", s), ("autonomy", a)):
        if not np.all(np.isfinite(arr)) or np.any(arr < 0) or np.any(arr > SCALE_MAX):
            raise ValueError(
                f"{name} must be between 0 and 10; got values from {arr.min():g} to {arr.max():g}"
            )
    result = s**w * a ** (1.0 - w)
    return float(result) if result.ndim == 0 else result


def indifference_curve(
    level: float, autonomy: np.ndarray | Sequence[float], security_weight: float = 0.5
) -> np.ndarray:
    """Security needed at each autonomy level to keep utility at ``level`` (one indifference curve).

    Solves :math:`s^w a^{1-w} = U` for :math:`s`. Points that would need more than 10 security, or zero
    autonomy, are returned as ``nan`` so a plot simply leaves them out.

    Parameters
    ----------
    level : float
        The utility level :math:`U`, 0–10.
    autonomy : array-like
        Autonomy levels, 0–10.
    security_weight : float, optional
        :math:`w`, strictly between 0 and 1. Default 0.5.

    Returns
    -------
    numpy.ndarray
        Security levels, same shape as ``autonomy``.
    """
    w = _weight(security_weight)
    u = _number("level", level, 0.0, SCALE_MAX)
    a = np.asarray(autonomy, dtype=float)
    if not np.all(np.isfinite(a)) or np.any(a < 0) or np.any(a > SCALE_MAX):
        raise ValueError("autonomy values must be between 0 and 10")
    with np.errstate(divide="ignore", invalid="ignore"):
        s = (u / a ** (1.0 - w)) ** (1.0 / w)
    s = np.where((a > 0) & (s <= SCALE_MAX), s, np.nan)
    return s


@dataclass(frozen=True)
class AltfeldChoice:
    """The result of :func:`altfeld_decision`.

    Attributes
    ----------
    before, after : tuple of float
        ``(security, autonomy)`` without and with the alliance.
    utility_before, utility_after : float
        The state's utility at each point.
    joins : bool
        True when the alliance puts the state on a higher indifference curve.
    max_autonomy_loss : float
        The most autonomy the state would give up for this security gain (where it would be indifferent).
    security_weight : float
        The weight used.
    """

    before: tuple[float, float]
    after: tuple[float, float]
    utility_before: float
    utility_after: float
    joins: bool
    max_autonomy_loss: float
    security_weight: float


def altfeld_decision(
    security: float,
    autonomy: float,
    security_gain: float,
    autonomy_loss: float,
    security_weight: float = 0.5,
) -> AltfeldChoice:
    """Would a state accept an alliance that trades autonomy for security? (Altfeld's rule.)

    The state joins when the alliance moves it to a higher indifference curve: the utility of
    ``(security + security_gain, autonomy - autonomy_loss)`` exceeds that of ``(security, autonomy)``
    (Altfeld 1984).

    Parameters
    ----------
    security, autonomy : float
        The state's levels without the alliance, 0–10 (autonomy above 0).
    security_gain : float
        Security the alliance adds; the new level must stay within 0–10.
    autonomy_loss : float
        Autonomy it costs, 0 up to the current autonomy.
    security_weight : float, optional
        Weight of security in the utility, strictly between 0 and 1. Default 0.5.

    Returns
    -------
    AltfeldChoice

    Raises
    ------
    ValueError
        If a level is out of range or the trade would leave security above 10 or autonomy below 0.
    """
    w = _weight(security_weight)
    s0 = _number("security", security, 0.0, SCALE_MAX)
    a0 = _number("autonomy", autonomy, 0.0, SCALE_MAX)
    if a0 <= 0:
        raise ValueError("autonomy = 0 leaves nothing to trade; give a value above 0")
    gain = _number("security_gain", security_gain, 0.0, SCALE_MAX - s0)
    loss = _number("autonomy_loss", autonomy_loss, 0.0, a0)
    s1, a1 = s0 + gain, a0 - loss
    u0 = float(utility(s0, a0, w))
    u1 = float(utility(s1, a1, w))
    # Autonomy at which the new security level gives the old utility: s1^w a^(1-w) = u0.
    a_indifferent = (u0 / s1**w) ** (1.0 / (1.0 - w)) if s1 > 0 else a0
    return AltfeldChoice(
        before=(s0, a0),
        after=(s1, a1),
        utility_before=u0,
        utility_after=u1,
        joins=u1 > u0,
        max_autonomy_loss=max(0.0, a0 - a_indifferent),
        security_weight=w,
    )


def altfeld_utility(
    security: float,
    autonomy: float,
    wealth: float,
    weights: Mapping[str, float] | Sequence[float] | None = None,
) -> float:
    """Utility from security, autonomy and wealth, :math:`U = s^{w_s}\\,a^{w_a}\\,W^{w_W}` (weights sum to 1).

    Parameters
    ----------
    security, autonomy, wealth : float
        Levels, 0–10.
    weights : mapping or sequence of 3 floats, optional
        Relative weight of ``security``, ``autonomy`` and ``wealth`` (any non-negative numbers, scaled to sum
        to 1). Default: equal.

    Returns
    -------
    float
        Utility, 0–10.

    Raises
    ------
    ValueError
        If a level is outside 0–10 or NaN, or the weights are invalid.
    """
    w = normalise_weights(weights, GOODS, what="weights")
    levels = {
        "security": _number("security", security, 0.0, SCALE_MAX),
        "autonomy": _number("autonomy", autonomy, 0.0, SCALE_MAX),
        "wealth": _number("wealth", wealth, 0.0, SCALE_MAX),
    }
    result = 1.0
    for good in GOODS:
        result *= levels[good] ** w[good] if w[good] > 0 else 1.0
    return float(result)


@dataclass(frozen=True)
class ArmsOrAlliance:
    """The result of :func:`arms_or_alliance`.

    Attributes
    ----------
    positions : dict of str to tuple of float
        For each of :data:`OPTIONS`, the ``(security, autonomy, wealth)`` it leads to.
    utilities : dict of str to float
        The utility of each option.
    best : str
        The option with the highest utility (the earlier one in :data:`OPTIONS` on a tie, so doing nothing wins
        a tie).
    weights : dict of str to float
        The normalised weights used.
    """

    positions: dict[str, tuple[float, float, float]]
    utilities: dict[str, float]
    best: str
    weights: dict[str, float]


def arms_or_alliance(
    security: float,
    autonomy: float,
    wealth: float,
    *,
    arms_security: float,
    arms_wealth_cost: float,
    alliance_security: float,
    alliance_autonomy_cost: float,
    weights: Mapping[str, float] | Sequence[float] | None = None,
) -> ArmsOrAlliance:
    """Altfeld's choice between arming (paid in wealth) and allying (paid in autonomy), or both, or neither.

    Each option moves the state from ``(security, autonomy, wealth)``: arms add ``arms_security`` for
    ``arms_wealth_cost`` of wealth; the alliance adds ``alliance_security`` for ``alliance_autonomy_cost`` of
    autonomy; "both" adds both (security capped at 10). The state picks the option with the highest
    :func:`altfeld_utility` (Altfeld 1984).

    Parameters
    ----------
    security, autonomy, wealth : float
        The state's levels today, 0–10.
    arms_security, alliance_security : float
        Security each option adds, 0–10.
    arms_wealth_cost : float
        Wealth the arms cost, 0 up to ``wealth``.
    alliance_autonomy_cost : float
        Autonomy the alliance costs, 0 up to ``autonomy``.
    weights : mapping or sequence of 3 floats, optional
        Weights of ``security``, ``autonomy``, ``wealth``. Default: equal.

    Returns
    -------
    ArmsOrAlliance

    Raises
    ------
    ValueError
        If a level or a cost is out of range or NaN (the message names it), or the weights are invalid.

    Examples
    --------
    >>> choice = arms_or_alliance(3, 8, 3, arms_security=3, arms_wealth_cost=2,
    ...                           alliance_security=3, alliance_autonomy_cost=2)
    >>> choice.best   # autonomy is plentiful and wealth scarce: pay in autonomy
    'alliance'
    """
    w = normalise_weights(weights, GOODS, what="weights")
    s0 = _number("security", security, 0.0, SCALE_MAX)
    a0 = _number("autonomy", autonomy, 0.0, SCALE_MAX)
    m0 = _number("wealth", wealth, 0.0, SCALE_MAX)
    arms = _number("arms_security", arms_security, 0.0, SCALE_MAX)
    ally = _number("alliance_security", alliance_security, 0.0, SCALE_MAX)
    wealth_cost = _number("arms_wealth_cost", arms_wealth_cost, 0.0, m0)
    autonomy_cost = _number("alliance_autonomy_cost", alliance_autonomy_cost, 0.0, a0)
    positions = {
        "neither": (s0, a0, m0),
        "arms": (min(SCALE_MAX, s0 + arms), a0, m0 - wealth_cost),
        "alliance": (min(SCALE_MAX, s0 + ally), a0 - autonomy_cost, m0),
        "both": (min(SCALE_MAX, s0 + arms + ally), a0 - autonomy_cost, m0 - wealth_cost),
    }
    utilities = {option: altfeld_utility(*positions[option], w) for option in OPTIONS}
    best = max(OPTIONS, key=lambda option: (utilities[option], -OPTIONS.index(option)))
    return ArmsOrAlliance(positions=positions, utilities=utilities, best=best, weights=w)


def client_altfeld_choice(
    gains: GainsResult,
    security: float,
    autonomy: float,
    security_weight: float = 0.5,
) -> AltfeldChoice:
    """Read the client's side of :func:`coursekit.theory.alliance_gains` as a move in Altfeld's diagram.

    The alliance adds ``gains.weak_security_gain`` to the client's security and takes
    ``gains.weak_autonomy_loss`` from its autonomy; :func:`altfeld_decision` then says whether that move
    reaches a higher indifference curve. The two models agree in direction but not always in verdict: the
    security–autonomy model adds points (a straight-line utility), while the indifference curves bend, so a
    client with little autonomy left refuses a trade that the points would accept.

    Parameters
    ----------
    gains : GainsResult
        The result of :func:`coursekit.theory.alliance_gains`.
    security, autonomy : float
        The client's levels without the alliance, 0–10 (autonomy above 0).
    security_weight : float, optional
        Weight of security in the utility, strictly between 0 and 1. Default 0.5.

    Returns
    -------
    AltfeldChoice

    Raises
    ------
    ValueError
        If ``gains`` is not a GainsResult, or the move leaves security above 10 or autonomy below 0 (the message
        names the level to lower or raise).
    """
    if not isinstance(gains, GainsResult):
        raise ValueError(f"gains must be the result of alliance_gains, got {type(gains).__name__}")
    return altfeld_decision(
        security,
        autonomy,
        min(gains.weak_security_gain, SCALE_MAX),
        gains.weak_autonomy_loss,
        security_weight,
    )
