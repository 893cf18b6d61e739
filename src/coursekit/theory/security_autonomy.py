"""The security–autonomy model of an alliance (Altfeld 1984; Morrow 1991; entrapment after Snyder 1984).

Two partners, a weaker one (the client, subscript *w*) and a stronger one (the patron, *s*). Morrow's
distinction between symmetric and asymmetric alliances is about the **kind of benefit** each partner gets, not
about equal strength (Morrow 1991):

* ``mode="asymmetric"`` (the default): the client gains security and pays in autonomy (concessions such as
  bases, resource licences, UN votes); the patron gains autonomy from those concessions and pays in security,
  above all the risk of being drawn into the client's fights (entrapment), which grows with the client's threat.
* ``mode="symmetric"``: both partners gain the same good, security, each from the other's commitment against its
  own threat, and both pay for their own commitment. Per unit of the client's contribution the patron then gains
  ``strong_threat * weak_capability / (10 * (strong_capability + weak_capability))`` in security, against
  ``concession_value`` (a free parameter, 0.5 in the example) in autonomy in the asymmetric mode. So the model
  reproduces Morrow's expectation (asymmetric alliances form more easily) for *unequal* partners and a
  moderate ``concession_value``; with equal capabilities and a large ``strong_threat`` the two modes can tie
  (``weak_capability=8, strong_threat=10`` with the example's other values), and a small ``concession_value``
  reverses the result. :func:`compare_modes` shows it over any two parameters.

:func:`alliance_gains` is the entry point; :func:`formation_region` maps where the alliance forms;
:func:`compare_modes` puts the two modes side by side. :mod:`coursekit.theory.altfeld` connects the client's
gain to Altfeld's utility (:func:`coursekit.theory.client_altfeld_choice`).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal

import numpy as np

from coursekit.theory._common import SCALE_MAX
from coursekit.theory._common import number as _number

__all__ = [
    "AllianceParams",
    "CAR_RUSSIA_EXAMPLE",
    "MODES",
    "Mode",
    "PARAM_RANGES",
    "PARAM_LABELS",
    "GainsResult",
    "FormationRegion",
    "ModeComparison",
    "alliance_gains",
    "formation_region",
    "compare_modes",
]

Mode = Literal["asymmetric", "symmetric"]

MODES: tuple[str, ...] = ("asymmetric", "symmetric")
"""The two kinds of alliance in Morrow (1991): unlike benefits (asymmetric) or like benefits (symmetric)."""

PARAM_RANGES: dict[str, tuple[float, float]] = {
    "weak_capability": (0.0, 10.0),
    "strong_capability": (0.5, 10.0),
    "weak_threat": (0.0, 10.0),
    "strong_threat": (0.0, 10.0),
    "commitment": (0.0, 10.0),
    "concessions": (0.0, 10.0),
    "autonomy_price": (0.0, 2.0),
    "concession_value": (0.0, 2.0),
}
"""Allowed range of each :class:`AllianceParams` field (also the default axis range of a region plot)."""

PARAM_LABELS: dict[str, str] = {
    "weak_capability": "Weaker partner's capability (0–10)",
    "strong_capability": "Stronger partner's capability (0–10)",
    "weak_threat": "Threat to the weaker partner (0–10)",
    "strong_threat": "Stronger partner's own threats (0–10)",
    "commitment": "Protection committed by the stronger partner (0–10)",
    "concessions": "Concessions by the weaker partner (0–10)",
    "autonomy_price": "Weaker partner's price of autonomy (points per unit)",
    "concession_value": "Stronger partner's value of concessions (points per unit)",
}
"""Axis labels (with units) for each parameter."""


@dataclass(frozen=True)
class AllianceParams:
    """Parameters of the security–autonomy model.

    All scores are on 0–10 scales; the two prices convert concessions into points of gain. The weaker partner
    may not be stronger than the patron (``weak_capability <= strong_capability``), and the two prices may not
    both be 0 (then nothing is exchanged); both are checked here, with a message naming the parameter.

    Attributes
    ----------
    weak_capability : float
        The weaker partner's own capability, 0–10, at most ``strong_capability``. Default 2.
    strong_capability : float
        The stronger partner's capability, 0.5–10. Default 8.
    weak_threat : float
        The threat the weaker partner faces (external or internal), 0–10. It makes protection worth more to the
        client and, through entrapment, makes each unit of commitment dearer for the patron. Default 7.
    strong_threat : float
        Threats the stronger partner faces elsewhere, 0–10: they make each unit of commitment dearer and, in the
        symmetric mode, are what the client's help protects the patron against. Default 3.
    commitment : float
        Protection the stronger partner commits (troops, instructors, arms), 0–10. Default 5.
    concessions : float
        What the weaker partner gives in return, 0–10: bases, resource licences, UN votes (asymmetric mode), or
        its own military commitment to the patron (symmetric mode). Default 4.
    autonomy_price : float
        Points of autonomy the weaker partner loses per unit of concession, 0–2. Default 0.5.
    concession_value : float
        Points the stronger partner gains per unit of concession in the asymmetric mode, 0–2. Default 0.5.
    """

    weak_capability: float = 2.0
    strong_capability: float = 8.0
    weak_threat: float = 7.0
    strong_threat: float = 3.0
    commitment: float = 5.0
    concessions: float = 4.0
    autonomy_price: float = 0.5
    concession_value: float = 0.5

    def __post_init__(self) -> None:
        for name, (lo, hi) in PARAM_RANGES.items():
            _number(name, getattr(self, name), lo, hi, where="AllianceParams")
        if self.weak_capability > self.strong_capability:
            raise ValueError(
                f"weak_capability = {self.weak_capability!r} is above strong_capability = "
                f"{self.strong_capability!r}: the weaker partner cannot be the stronger one; swap the two "
                "partners or lower weak_capability"
            )
        if self.autonomy_price == 0 and self.concession_value == 0:
            raise ValueError(
                "autonomy_price and concession_value are both 0: concessions then cost and bring nothing, so "
                "the model has no exchange to study; give at least one of them a positive value"
            )

    def as_dict(self) -> dict[str, float]:
        """The parameters as a plain dict."""
        return {name: float(getattr(self, name)) for name in PARAM_RANGES}


CAR_RUSSIA_EXAMPLE = AllianceParams(
    weak_capability=2.0,
    strong_capability=8.0,
    weak_threat=8.0,
    strong_threat=4.0,
    commitment=4.0,
    concessions=5.0,
    autonomy_price=0.5,
    concession_value=0.5,
)
"""Illustrative parameters for CAR–Russia cooperation around 2018, used in the rational-choice chapter.

The values are the course's judgements, not measurements: a weak government facing armed groups that held most
of the country (threat 8, capability 2); a great power whose capability in the region is large but whose other
commitments make each unit of protection dearer (capability 8, other threats 4); limited military aid
(commitment 4) exchanged for mining licences, diplomatic support and the prospect of a base (concessions 5).
The facts behind them are in Hayrapetyan & Kučera (2022).
"""


def _net_gains(p: Mapping[str, np.ndarray | float], mode: str) -> dict[str, np.ndarray | float]:
    """The model's equations, vectorised over numpy arrays (see :func:`alliance_gains`)."""
    total = p["strong_capability"] + p["weak_capability"]
    share = p["strong_capability"] / total
    security_gain = p["weak_threat"] * (p["commitment"] / SCALE_MAX) * share
    autonomy_loss = p["autonomy_price"] * p["concessions"]
    security_cost = (
        p["commitment"]
        * (1.0 + (p["strong_threat"] + p["weak_threat"]) / (2.0 * SCALE_MAX))
        / p["strong_capability"]
    )
    zero = 0.0 * security_gain
    if mode == "asymmetric":
        strong_autonomy = p["concession_value"] * p["concessions"]
        strong_security = zero
        per_unit = p["concession_value"] + zero
    else:
        per_unit = (p["strong_threat"] / SCALE_MAX) * (p["weak_capability"] / total)
        strong_security = per_unit * p["concessions"]
        strong_autonomy = zero
    strong_benefit = strong_autonomy + strong_security
    return {
        "share": share,
        "weak_security_gain": security_gain,
        "weak_autonomy_loss": autonomy_loss,
        "weak_net": security_gain - autonomy_loss,
        "strong_autonomy_gain": strong_autonomy,
        "strong_security_gain": strong_security,
        "strong_benefit": strong_benefit,
        "strong_per_unit": per_unit,
        "strong_security_cost": security_cost,
        "strong_net": strong_benefit - security_cost,
    }


@dataclass(frozen=True)
class GainsResult:
    """The result of :func:`alliance_gains`.

    Attributes
    ----------
    params : AllianceParams
        The parameters used.
    weak_security_gain, weak_autonomy_loss, weak_net : float
        The weaker partner's security gained, autonomy lost, and net gain (points).
    strong_autonomy_gain : float
        The stronger partner's autonomy benefit from the concessions (influence, resources, votes); 0 in the
        symmetric mode.
    strong_security_cost : float
        The stronger partner's cost of its commitment: resources tied down (dearer with its own threats) and the
        risk of entrapment in the client's fights (dearer with the client's threat).
    strong_net : float
        The stronger partner's net gain (points): ``strong_benefit - strong_security_cost``.
    forms : bool
        True when both net gains are strictly positive.
    concession_range : tuple of float
        ``(least the stronger partner accepts, most the weaker partner gives)``: the concessions for which both
        gain, other parameters fixed (``inf`` when a price is 0). The alliance forms exactly when
        ``concessions`` lies strictly inside it; it is empty when the first number is not below the second.
    mode : {"asymmetric", "symmetric"}
        Which kind of alliance was computed.
    strong_security_gain : float
        The stronger partner's security gain from the client's commitment; 0 in the asymmetric mode.
    strong_benefit : float
        What the stronger partner gains in all (autonomy or security, by mode).
    """

    params: AllianceParams
    weak_security_gain: float
    weak_autonomy_loss: float
    weak_net: float
    strong_autonomy_gain: float
    strong_security_cost: float
    strong_net: float
    forms: bool
    concession_range: tuple[float, float]
    mode: Mode = "asymmetric"
    strong_security_gain: float = 0.0
    strong_benefit: float = 0.0

    @property
    def verdict(self) -> str:
        """One sentence saying whether the alliance forms and who would refuse."""
        if self.forms:
            return "Both partners gain: the alliance forms."
        refusing = [
            who
            for who, net in (
                ("the weaker partner", self.weak_net),
                ("the stronger partner", self.strong_net),
            )
            if net <= 0
        ]
        return f"No alliance: {' and '.join(refusing)} would not gain."


def _check_mode(mode: object) -> Mode:
    if mode not in MODES:
        raise ValueError(f"mode = {mode!r} is not a kind of alliance; choose one of {list(MODES)}")
    return mode  # type: ignore[return-value]


def _as_params(params: AllianceParams | Mapping[str, float] | None) -> AllianceParams:
    if params is None:
        return AllianceParams()
    if isinstance(params, AllianceParams):
        return params
    if isinstance(params, Mapping):
        unknown = sorted(set(params) - set(PARAM_RANGES))
        if unknown:
            raise ValueError(f"unknown parameter(s) {unknown}; use only {list(PARAM_RANGES)}")
        return AllianceParams(**params)
    raise ValueError(
        f"params must be an AllianceParams or a mapping of parameter names to values, got {type(params).__name__}"
    )


def alliance_gains(
    params: AllianceParams | Mapping[str, float] | None = None,
    mode: Mode = "asymmetric",
) -> GainsResult:
    """Each partner's net gain from an alliance, and whether it forms.

    A deliberately simple version of the security–autonomy trade-off (Altfeld 1984; Morrow 1991). With
    :math:`c_w, c_s` the capabilities, :math:`t_w` the client's threat, :math:`t_s` the patron's own threats,
    :math:`m` the patron's commitment, :math:`k` the concessions and :math:`a, b` the two prices:

    .. math::

        G_w = t_w \\cdot \\frac{m}{10} \\cdot \\frac{c_s}{c_s + c_w} - a\\,k, \\qquad
        C_s = \\frac{m}{c_s}\\left(1 + \\frac{t_s + t_w}{20}\\right),

    and the patron's net gain is

    .. math::

        G_s = b\\,k - C_s \\quad\\text{(asymmetric)}, \\qquad
        G_s = t_s \\cdot \\frac{k}{10} \\cdot \\frac{c_w}{c_s + c_w} - C_s \\quad\\text{(symmetric)}.

    The patron's cost :math:`C_s` grows with its commitment and with the mean of the two threats: its own
    threats tie down what it commits, and the client's threat makes it likelier that the patron is drawn into a
    fight over the client's interests (Snyder's entrapment). Compared with the first edition, whose cost
    :math:`m(1 + t_s/10)/c_s` ignored the client's threat, the patron now pays more when the client is in
    greater danger. In the symmetric mode the client's concession is its own
    commitment to the patron, worth to the patron only what the client's small capability adds against the
    patron's threats. The alliance forms when :math:`G_w > 0` and :math:`G_s > 0`.

    Parameters
    ----------
    params : AllianceParams or mapping, optional
        The parameters (a mapping may give only some; the rest take their defaults). Default
        :class:`AllianceParams()`.
    mode : {"asymmetric", "symmetric"}, optional
        The kind of alliance (see the module docstring). Default ``"asymmetric"``.

    Returns
    -------
    GainsResult
        The components of both gains, the verdict and the range of concessions for which both gain.

    Raises
    ------
    ValueError
        If a parameter is unknown, NaN or outside its range in :data:`PARAM_RANGES`, the weaker partner is
        stronger than the patron, both prices are 0, or ``mode`` is unknown (each message names the parameter).

    Examples
    --------
    >>> result = alliance_gains({"concessions": 4})
    >>> result.forms
    True
    >>> alliance_gains({"concessions": 0}).forms   # the patron gets nothing for its commitment
    False
    >>> alliance_gains({"concessions": 4}, mode="symmetric").forms   # a weak partner adds little security
    False
    """
    mode = _check_mode(mode)
    p = _as_params(params)
    g = {key: float(value) for key, value in _net_gains(p.as_dict(), mode).items()}
    per_unit = g["strong_per_unit"]
    k_min = g["strong_security_cost"] / per_unit if per_unit > 0 else math.inf
    k_max = g["weak_security_gain"] / p.autonomy_price if p.autonomy_price > 0 else math.inf
    return GainsResult(
        params=p,
        weak_security_gain=g["weak_security_gain"],
        weak_autonomy_loss=g["weak_autonomy_loss"],
        weak_net=g["weak_net"],
        strong_autonomy_gain=g["strong_autonomy_gain"],
        strong_security_cost=g["strong_security_cost"],
        strong_net=g["strong_net"],
        forms=bool(g["weak_net"] > 0 and g["strong_net"] > 0),
        concession_range=(k_min, k_max),
        mode=mode,
        strong_security_gain=g["strong_security_gain"],
        strong_benefit=g["strong_benefit"],
    )


@dataclass(frozen=True)
class FormationRegion:
    """Where an alliance forms over a grid of two parameters (the result of :func:`formation_region`).

    Attributes
    ----------
    x_axis, y_axis : str
        The parameters varied.
    x, y : numpy.ndarray
        Grid values along each axis (1-D).
    weak_net, strong_net : numpy.ndarray
        Net gains on the grid, shape ``(len(y), len(x))``; ``nan`` where the point is invalid.
    forms : numpy.ndarray of bool
        True where both gain.
    params : AllianceParams
        The fixed values of the other parameters (and the current point).
    mode : {"asymmetric", "symmetric"}
        The kind of alliance mapped.
    invalid : numpy.ndarray of bool
        True where the grid point breaks a rule of :class:`AllianceParams` (the weaker partner stronger than
        the patron, or both prices 0); such points never form.
    """

    x_axis: str
    y_axis: str
    x: np.ndarray
    y: np.ndarray
    weak_net: np.ndarray
    strong_net: np.ndarray
    forms: np.ndarray
    params: AllianceParams
    mode: Mode = "asymmetric"
    invalid: np.ndarray | None = None

    @property
    def share(self) -> float:
        """Fraction of the valid grid points where the alliance forms (0–1)."""
        valid = ~self.invalid if self.invalid is not None else np.ones_like(self.forms)
        count = int(valid.sum())
        return float(self.forms[valid].mean()) if count else 0.0

    @property
    def point(self) -> tuple[float, float]:
        """The current parameters' position on the two axes."""
        return float(getattr(self.params, self.x_axis)), float(getattr(self.params, self.y_axis))


def formation_region(
    params: AllianceParams | Mapping[str, float] | None = None,
    x_axis: str = "concessions",
    y_axis: str = "weak_threat",
    grid: int = 101,
    *,
    x_range: tuple[float, float] | None = None,
    y_range: tuple[float, float] | None = None,
    mode: Mode = "asymmetric",
) -> FormationRegion:
    """Evaluate :func:`alliance_gains` on a grid over two parameters, holding the others fixed.

    Parameters
    ----------
    params : AllianceParams or mapping, optional
        Values of the parameters that are not varied. Default :class:`AllianceParams()`.
    x_axis, y_axis : str
        Names of the two parameters to vary (keys of :data:`PARAM_RANGES`); they must differ.
    grid : int, optional
        Number of grid points along each axis, 2–1001. Default 101.
    x_range, y_range : tuple of float, optional
        ``(low, high)`` of each axis, inside the parameter's allowed range. Default: the whole allowed range.
    mode : {"asymmetric", "symmetric"}, optional
        The kind of alliance. Default ``"asymmetric"``.

    Returns
    -------
    FormationRegion
        The grid, both net gains and the boolean map of where both gain. Grid points that break a rule of
        :class:`AllianceParams` are marked in ``invalid`` and never form.

    Raises
    ------
    ValueError
        If an axis is unknown, both axes are the same, the grid size or a range is invalid, a parameter is
        outside its range, or ``mode`` is unknown.
    """
    mode = _check_mode(mode)
    p = _as_params(params)
    for label, axis in (("x_axis", x_axis), ("y_axis", y_axis)):
        if axis not in PARAM_RANGES:
            raise ValueError(
                f"{label} = {axis!r} is not a parameter; choose one of {list(PARAM_RANGES)}"
            )
    if x_axis == y_axis:
        raise ValueError(f"x_axis and y_axis are both {x_axis!r}; choose two different parameters")
    if isinstance(grid, bool) or not isinstance(grid, int) or not 2 <= grid <= 1001:
        raise ValueError(f"grid = {grid!r} must be a whole number from 2 to 1001")

    def axis_values(axis: str, rng: tuple[float, float] | None, label: str) -> np.ndarray:
        lo, hi = PARAM_RANGES[axis]
        if rng is None:
            return np.linspace(lo, hi, grid)
        if len(rng) != 2:
            raise ValueError(f"{label} must be (low, high), got {rng!r}")
        a = _number(f"{label}[0] for {axis}", rng[0], lo, hi)
        b = _number(f"{label}[1] for {axis}", rng[1], lo, hi)
        if not a < b:
            raise ValueError(f"{label} = {rng!r}: low must be below high")
        return np.linspace(a, b, grid)

    xs = axis_values(x_axis, x_range, "x_range")
    ys = axis_values(y_axis, y_range, "y_range")
    xx, yy = np.meshgrid(xs, ys)
    values: dict[str, np.ndarray | float] = dict(p.as_dict())
    values[x_axis] = xx
    values[y_axis] = yy
    invalid = np.broadcast_to(
        (np.asarray(values["weak_capability"]) > np.asarray(values["strong_capability"]))
        | (
            (np.asarray(values["autonomy_price"]) == 0)
            & (np.asarray(values["concession_value"]) == 0)
        ),
        xx.shape,
    )
    with np.errstate(divide="ignore", invalid="ignore"):
        g = _net_gains(values, mode)
    weak = np.where(invalid, np.nan, np.broadcast_to(g["weak_net"], xx.shape).astype(float))
    strong = np.where(invalid, np.nan, np.broadcast_to(g["strong_net"], xx.shape).astype(float))
    with np.errstate(invalid="ignore"):
        forms = (weak > 0) & (strong > 0)
    return FormationRegion(
        x_axis=x_axis,
        y_axis=y_axis,
        x=xs,
        y=ys,
        weak_net=weak,
        strong_net=strong,
        forms=forms,
        params=p,
        mode=mode,
        invalid=np.array(invalid),
    )


@dataclass(frozen=True)
class ModeComparison:
    """The result of :func:`compare_modes`: the same map in both kinds of alliance.

    Attributes
    ----------
    asymmetric, symmetric : FormationRegion
        Where the alliance forms in each mode.
    """

    asymmetric: FormationRegion
    symmetric: FormationRegion

    @property
    def shares(self) -> dict[str, float]:
        """Share of the map where each kind of alliance forms."""
        return {"asymmetric": self.asymmetric.share, "symmetric": self.symmetric.share}

    @property
    def asymmetric_easier(self) -> bool:
        """True when the asymmetric alliance forms on a larger share of the map (Morrow's expectation)."""
        return self.asymmetric.share > self.symmetric.share


def compare_modes(
    params: AllianceParams | Mapping[str, float] | None = None,
    x_axis: str = "concessions",
    y_axis: str = "weak_threat",
    grid: int = 101,
    *,
    x_range: tuple[float, float] | None = None,
    y_range: tuple[float, float] | None = None,
) -> ModeComparison:
    """Map where the alliance forms in the asymmetric and in the symmetric mode, with the same parameters.

    Morrow (1991) expects asymmetric alliances (unlike benefits) to form more easily than symmetric ones (like
    benefits); comparing :attr:`ModeComparison.shares` shows whether the model agrees for the chosen axes. It
    agrees for unequal partners and a moderate ``concession_value``, not in general: the patron's gain per unit
    is ``concession_value`` in one mode and ``strong_threat * weak_capability / (10 * (strong_capability +
    weak_capability))`` in the other, and the modes tie when the two are equal.

    Parameters
    ----------
    params, x_axis, y_axis, grid, x_range, y_range
        As in :func:`formation_region`.

    Returns
    -------
    ModeComparison

    Raises
    ------
    ValueError
        As :func:`formation_region`.
    """
    kwargs = {"x_range": x_range, "y_range": y_range}
    return ModeComparison(
        asymmetric=formation_region(params, x_axis, y_axis, grid, mode="asymmetric", **kwargs),
        symmetric=formation_region(params, x_axis, y_axis, grid, mode="symmetric", **kwargs),
    )
