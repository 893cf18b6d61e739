"""Validation helpers shared by the Part I models (private: import the models from :mod:`coursekit.theory`)."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from numbers import Real

SCALE_MAX = 10.0
"""Upper end of every 0–10 score in the Part I models (threat factors, capabilities, threats, concessions)."""


def number(name: str, value: object, lo: float, hi: float, *, where: str = "") -> float:
    """Return ``value`` as a float after checking it is a finite real number in ``[lo, hi]``.

    Raises
    ------
    ValueError
        Naming ``name`` (and ``where``), the value and the allowed range.
    """
    place = f" ({where})" if where else ""
    if isinstance(value, bool) or not isinstance(value, Real):
        raise ValueError(
            f"{name}{place} must be a number between {lo:g} and {hi:g}, got {value!r} "
            f"of type {type(value).__name__}"
        )
    result = float(value)
    if not math.isfinite(result):
        raise ValueError(
            f"{name}{place} = {value!r} is not a finite number; give a value in the allowed range {lo:g}–{hi:g}"
        )
    if result < lo or result > hi:
        raise ValueError(
            f"{name}{place} = {value!r} is outside the allowed range {lo:g}–{hi:g}; "
            f"give a value from {lo:g} to {hi:g}"
        )
    return result


def flag(name: str, value: object) -> bool:
    """Return ``value`` as a bool after checking it is True or False (numpy booleans allowed)."""
    if type(value).__name__ not in ("bool", "bool_"):
        raise ValueError(f"{name} must be True or False, got {value!r}")
    return bool(value)


def normalise_weights(
    weights: Mapping[str, float] | Sequence[float] | None,
    names: Sequence[str],
    *,
    what: str = "weights",
) -> dict[str, float]:
    """Check a set of non-negative weights and scale them to sum to 1.

    Parameters
    ----------
    weights : mapping of name to weight, sequence of weights in the order of ``names``, or None
        Relative importance of each item. ``None`` gives every item the same weight.
    names : sequence of str
        The items that must each receive a weight.
    what : str, optional
        How to call the weights in error messages.

    Returns
    -------
    dict of str to float
        One weight per name, each in [0, 1], summing to 1.

    Raises
    ------
    ValueError
        If a name is missing or unknown, a weight is negative or not a number, or all weights are 0.
    """
    if weights is None:
        return {name: 1.0 / len(names) for name in names}
    if isinstance(weights, Mapping):
        unknown = sorted(set(weights) - set(names))
        missing = [name for name in names if name not in weights]
        if unknown:
            raise ValueError(f"{what} has unknown name(s) {unknown}; use only {list(names)}")
        if missing:
            raise ValueError(
                f"{what} is missing {missing}; give a weight (0 or more) for each of {list(names)}"
            )
        raw = {name: weights[name] for name in names}
    elif isinstance(weights, str):
        raise ValueError(
            f"{what} = {weights!r} is not a set of weights; give a mapping or a sequence"
        )
    else:
        values = list(weights)
        if len(values) != len(names):
            raise ValueError(
                f"{what} has {len(values)} values but {len(names)} are needed, one for each of {list(names)}"
            )
        raw = dict(zip(names, values, strict=True))
    checked = {
        name: number(f"{what}[{name!r}]", value, 0.0, math.inf) for name, value in raw.items()
    }
    total = math.fsum(checked.values())
    if total <= 0:
        raise ValueError(f"all {what} are 0; at least one weight must be positive")
    return {name: value / total for name, value in checked.items()}
