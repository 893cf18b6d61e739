"""Explorers for Part I: ipywidgets controls wired to :mod:`coursekit.theory` and :mod:`coursekit.plots.theory`.

* :class:`ThreatExplorer`: a preset case, up to three potential threats with Walt's four factors as sliders,
  the factor weights, the state's own power, whether allies are available and how much help they can bring,
  and the decision thresholds of :class:`coursekit.theory.StrategyRules`; shows the threat scores and the
  predicted strategy (:func:`coursekit.theory.assess_threats`).
* :class:`SecurityAutonomyExplorer`: the parameters of the security–autonomy model as sliders, Morrow's mode
  (asymmetric or symmetric) and the two parameters to map; shows each partner's gains and where the alliance
  forms (:func:`coursekit.theory.alliance_gains`, :func:`coursekit.theory.formation_region`).
* :class:`AbandonmentEntrapmentExplorer`: Snyder's alliance security dilemma: own commitment, dependence, the
  partner's commitment and shared interests; shows both risks over the level of commitment
  (:func:`coursekit.theory.dilemma_curves`). Its figure is updated in place, not redrawn from scratch.
* :class:`AllianceChecklist`: a case from the course data (or a custom one), the seven features as sliders and
  their weights (by default the chapter's definition: asymmetry and formality weigh 0); shows the tactical score
  feature by feature and beside every case (:func:`coursekit.theory.classify_alliance`,
  :func:`coursekit.theory.classify_cases`).

Nothing here computes: every number on screen comes from :mod:`coursekit.theory`. Invalid combinations (all
weights 0, no threat named, the same parameter on both axes, a weaker partner stronger than the patron) show a
message instead of a figure.

Example
-------
>>> from coursekit.widgets.theory import ThreatExplorer
>>> w = ThreatExplorer(preset="jordan_1990")
>>> w.result.strategy
'bandwagon'
>>> w.controls["allies_available"].value = True
>>> w.controls["ally_support"].value = 9
>>> w.result.strategy
'hedge'
"""

from __future__ import annotations

import html
from dataclasses import dataclass
from typing import Any

import ipywidgets as W
import pandas as pd
from matplotlib.figure import Figure

from coursekit import data, theory
from coursekit.plots import theory as tplots
from coursekit.widgets.base import Explorer

__all__ = [
    "ThreatExplorer",
    "SecurityAutonomyExplorer",
    "SecurityAutonomyView",
    "AbandonmentEntrapmentExplorer",
    "AllianceChecklist",
    "ChecklistView",
]

THREAT_SLOTS = 3
"""How many potential threats the threat explorer offers (a slot with an empty name is left out)."""

_SLIDER_STYLE = {"description_width": "initial"}

RULE_LABELS: dict[str, str] = {
    "threat_floor": "Threat floor (no alignment below)",
    "outmatch_gap": "Power gap that outmatches",
    "close_from": "Proximity that counts as close",
    "implacable_from": "Intentions that cannot be appeased",
}
"""The thresholds of :class:`coursekit.theory.StrategyRules` offered as sliders in the threat explorer."""


def _slider(description: str, value: float, lo: float, hi: float, step: float) -> W.FloatSlider:
    return W.FloatSlider(
        value=value,
        min=lo,
        max=hi,
        step=step,
        description=description,
        continuous_update=False,
        readout_format=".2f" if step < 0.5 else ".1f",
        style=_SLIDER_STYLE,
        layout=W.Layout(width="98%"),
    )


class _BatchedExplorer(Explorer):
    """An explorer whose selector (preset or case) sets many controls at once, with a single update."""

    #: Name of the control that fills the others.
    selector: str = ""

    def __init__(self, **initial: Any) -> None:
        # True while a selection sets several controls (they are then recomputed once, at the end).
        self._batching = False
        super().__init__(**initial)

    def apply_selection(self, value: Any) -> None:  # pragma: no cover - abstract
        """Set the other controls from the selector's value."""
        raise NotImplementedError

    def after_manual_change(self, name: str) -> None:
        """Hook called when a control other than the selector changes (default: nothing)."""

    def _on_change(self, change: dict[str, Any]) -> None:
        if self._batching:
            return
        owner = change.get("owner")
        self._batching = True
        try:
            if owner is self.controls.get(self.selector):
                self.apply_selection(change["new"])
            else:
                name = next((n for n, c in self.controls.items() if c is owner), "")
                self.after_manual_change(name)
        finally:
            self._batching = False
        self.update()


# -------------------------------------------------------------------------------------------------------
# Threat explorer
# -------------------------------------------------------------------------------------------------------
class ThreatExplorer(_BatchedExplorer):
    """Walt's balance of threat, interactively: who is the greatest threat, and does the state balance?

    Parameters
    ----------
    preset : str, optional
        Key of :data:`coursekit.theory.THREAT_PRESETS` to start from. Default ``"car_2017_2020"``.
    **initial
        Starting values for any other control (see :attr:`controls`), applied after the preset.

    Attributes
    ----------
    controls : dict
        ``preset`` (dropdown), ``state`` (text), ``own_power`` (slider), ``allies_available`` (checkbox),
        ``ally_support`` (slider 0–10: the help allies can bring; ignored when no allies are available),
        ``w_power``, ``w_proximity``, ``w_offensive``, ``w_intentions`` (weight sliders), the thresholds
        ``threat_floor``, ``outmatch_gap``, ``close_from``, ``implacable_from`` (sliders 0–10, see
        :class:`coursekit.theory.StrategyRules`), and for each slot ``i`` = 1–3: ``name_i`` (text; empty =
        slot unused) and ``power_i``, ``proximity_i``, ``offensive_i``, ``intentions_i`` (factor sliders 0–10).
    result : coursekit.theory.ThreatAssessment or None
        The last assessment.

    Notes
    -----
    While the actors, their ranking, the weights and the threat floor stay the same, a slider move updates the
    bars, scores, title and note of the same figure and redraws only them
    (:func:`coursekit.plots.theory.live_png`); otherwise the figure is drawn anew.
    """

    #: PNG resolution of the live figure (lower than the book's, so an update stays fast).
    dpi = 72

    selector = "preset"

    def __init__(self, preset: str = "car_2017_2020", **initial: Any) -> None:
        if preset not in theory.THREAT_PRESETS:
            raise ValueError(
                f"preset = {preset!r} is not a threat preset; choose one of {list(theory.THREAT_PRESETS)}"
            )
        self._start = preset
        self._note = W.HTML()
        super().__init__(**initial)

    def make_controls(self) -> dict[str, W.ValueWidget]:
        preset = theory.THREAT_PRESETS[self._start]
        controls: dict[str, W.ValueWidget] = {
            "preset": W.Dropdown(
                options=[(p.label, key) for key, p in theory.THREAT_PRESETS.items()],
                value=self._start,
                description="Case",
                style=_SLIDER_STYLE,
                layout=W.Layout(width="60%"),
            ),
            "state": W.Text(
                value=preset.state,
                description="State",
                continuous_update=False,
                style=_SLIDER_STYLE,
                layout=W.Layout(width="60%"),
            ),
            "own_power": _slider("Own power", preset.own_power, 0, 10, 0.5),
            "allies_available": W.Checkbox(
                value=preset.allies_available, description="Allies available"
            ),
            "ally_support": _slider("Help allies can bring", self._support(preset), 0, 10, 0.5),
        }
        rules = theory.StrategyRules()
        for name, label in RULE_LABELS.items():
            controls[name] = _slider(label, getattr(rules, name), 0, 10, 0.5)
        for factor in theory.FACTORS:
            controls[f"w_{factor}"] = _slider(
                f"Weight: {theory.FACTOR_LABELS[factor]}", 1.0, 0, 3, 0.25
            )
        names = list(preset.threats)
        for i in range(1, THREAT_SLOTS + 1):
            name = names[i - 1] if i <= len(names) else ""
            controls[f"name_{i}"] = W.Text(
                value=name,
                description=f"Threat {i}",
                placeholder="(unused)",
                continuous_update=False,
                style=_SLIDER_STYLE,
                layout=W.Layout(width="98%"),
            )
            values = preset.threats.get(name, {})
            for factor in theory.FACTORS:
                controls[f"{factor}_{i}"] = _slider(
                    theory.FACTOR_LABELS[factor], float(values.get(factor, 0.0)), 0, 10, 0.5
                )
        return controls

    def layout_controls(self) -> W.Widget:
        c = self.controls
        columns = [
            W.VBox(
                [c[f"name_{i}"], *(c[f"{factor}_{i}"] for factor in theory.FACTORS)],
                layout=W.Layout(width="33%"),
            )
            for i in range(1, THREAT_SLOTS + 1)
        ]
        weights = W.VBox([c[f"w_{factor}"] for factor in theory.FACTORS])
        settings = W.VBox([c["own_power"], c["allies_available"], c["ally_support"]])
        thresholds = W.VBox([c[name] for name in RULE_LABELS])
        tabs = W.Accordion(
            children=[weights, thresholds], titles=("Factor weights", "Decision thresholds")
        )
        tabs.selected_index = None
        self._show_note(self._start)
        return W.VBox(
            [
                W.HBox([c["preset"], c["state"]]),
                self._note,
                W.HBox(columns),
                settings,
                tabs,
            ]
        )

    @staticmethod
    def _support(preset: theory.ThreatPreset) -> float:
        if preset.ally_support is not None:
            return float(preset.ally_support)
        return theory.SCALE_MAX if preset.allies_available else 0.0

    def _show_note(self, key: str) -> None:
        preset = theory.THREAT_PRESETS[key]
        self._note.value = (
            f"<p style='font-size:90%;margin:2px 0'>{html.escape(preset.note)} "
            f"<i>Sources: {html.escape(data.short_citations(list(preset.sources)))}.</i></p>"
        )

    def apply_selection(self, value: str) -> None:
        preset = theory.THREAT_PRESETS[value]
        c = self.controls
        c["state"].value = preset.state
        c["own_power"].value = preset.own_power
        c["allies_available"].value = preset.allies_available
        c["ally_support"].value = self._support(preset)
        names = list(preset.threats)
        for i in range(1, THREAT_SLOTS + 1):
            name = names[i - 1] if i <= len(names) else ""
            c[f"name_{i}"].value = name
            for factor in theory.FACTORS:
                c[f"{factor}_{i}"].value = float(preset.threats.get(name, {}).get(factor, 0.0))
        self._show_note(value)

    def compute(self, **values: Any) -> theory.ThreatAssessment:
        threats: dict[str, dict[str, float]] = {}
        for i in range(1, THREAT_SLOTS + 1):
            name = str(values[f"name_{i}"]).strip()
            if not name:
                continue
            if name in threats:
                raise ValueError(
                    f"Two threats are both called {name!r}: give each threat a different name."
                )
            threats[name] = {factor: values[f"{factor}_{i}"] for factor in theory.FACTORS}
        if not threats:
            raise ValueError("No threat is named: type a name for at least one threat to score it.")
        weights = {factor: values[f"w_{factor}"] for factor in theory.FACTORS}
        allies = bool(values["allies_available"])
        rules = theory.StrategyRules(**{name: values[name] for name in RULE_LABELS})
        try:
            return theory.assess_threats(
                threats,
                weights,
                values["own_power"],
                allies_available=allies,
                ally_support=values["ally_support"] if allies else None,
                rules=rules,
            )
        except ValueError as exc:
            if "all weights are 0" in str(exc):
                raise ValueError(
                    "All factor weights are 0: raise at least one weight to score the threats."
                ) from exc
            raise

    def draw(self, result: theory.ThreatAssessment, **values: Any) -> Figure:
        return tplots.threat_figure(
            result, state=str(values["state"]).strip() or None, fig=self.figure
        )

    def png(self) -> bytes:
        return tplots.live_png(self.shown_figure(), dpi=self.dpi)


# -------------------------------------------------------------------------------------------------------
# Security–autonomy explorer
# -------------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class SecurityAutonomyView:
    """What :class:`SecurityAutonomyExplorer` computed: the gains at the current point and the map."""

    gains: theory.GainsResult
    region: theory.FormationRegion

    @property
    def forms(self) -> bool:
        """Whether the alliance forms at the current parameters."""
        return self.gains.forms


class SecurityAutonomyExplorer(Explorer):
    """The security–autonomy model, interactively: does each partner gain, and where does the alliance form?

    Parameters
    ----------
    grid : int, optional
        Grid points per axis of the formation map. Default 81.
    **initial
        Starting values for controls: one per parameter of :class:`coursekit.theory.AllianceParams`
        (``weak_capability``, ``strong_capability``, ``weak_threat``, ``strong_threat``, ``commitment``,
        ``concessions``, ``autonomy_price``, ``concession_value``), ``mode`` (``"asymmetric"`` or
        ``"symmetric"``) and ``x_axis`` / ``y_axis`` (parameter names to map).

    Attributes
    ----------
    result : SecurityAutonomyView or None
        The gains at the current parameters and the formation map.

    Notes
    -----
    While the mode, the map's axes and the bar panel's (rounded) limits stay the same, a slider move updates the
    bars, values, verdict, map, break-even lines and marker of the same figure and redraws only them
    (:func:`coursekit.plots.theory.live_png`); otherwise the figure is drawn anew.
    """

    #: PNG resolution of the live figure (lower than the book's, so an update stays fast).
    dpi = 72

    def __init__(self, grid: int = 81, **initial: Any) -> None:
        self.grid = grid
        super().__init__(**initial)

    def make_controls(self) -> dict[str, W.ValueWidget]:
        defaults = theory.AllianceParams()
        controls: dict[str, W.ValueWidget] = {}
        for name, (lo, hi) in theory.PARAM_RANGES.items():
            step = 0.05 if hi <= 2 else 0.25
            label = theory.PARAM_LABELS[name].split(" (")[0]
            controls[name] = _slider(label, getattr(defaults, name), lo, hi, step)
        options = [(theory.PARAM_LABELS[name].split(" (")[0], name) for name in theory.PARAM_RANGES]
        controls["x_axis"] = W.Dropdown(
            options=options, value="concessions", description="Map: x axis", style=_SLIDER_STYLE
        )
        controls["y_axis"] = W.Dropdown(
            options=options, value="weak_threat", description="Map: y axis", style=_SLIDER_STYLE
        )
        controls["mode"] = W.ToggleButtons(
            options=[
                ("Asymmetric (security for autonomy)", "asymmetric"),
                ("Symmetric (security for security)", "symmetric"),
            ],
            value="asymmetric",
            description="Kind",
            style=_SLIDER_STYLE,
        )
        return controls

    def layout_controls(self) -> W.Widget:
        c = self.controls
        weak = W.VBox(
            [
                W.HTML("<b>Weaker partner</b>"),
                c["weak_capability"],
                c["weak_threat"],
                c["concessions"],
                c["autonomy_price"],
            ],
            layout=W.Layout(width="50%"),
        )
        strong = W.VBox(
            [
                W.HTML("<b>Stronger partner</b>"),
                c["strong_capability"],
                c["strong_threat"],
                c["commitment"],
                c["concession_value"],
            ],
            layout=W.Layout(width="50%"),
        )
        return W.VBox([c["mode"], W.HBox([weak, strong]), W.HBox([c["x_axis"], c["y_axis"]])])

    def compute(self, **values: Any) -> SecurityAutonomyView:
        params = theory.AllianceParams(**{name: values[name] for name in theory.PARAM_RANGES})
        x_axis, y_axis = values["x_axis"], values["y_axis"]
        if x_axis == y_axis:
            raise ValueError(
                "The map needs two different parameters: choose another one for the x or the y axis."
            )
        mode = values["mode"]
        return SecurityAutonomyView(
            gains=theory.alliance_gains(params, mode=mode),
            region=theory.formation_region(params, x_axis, y_axis, grid=self.grid, mode=mode),
        )

    def draw(self, result: SecurityAutonomyView, **values: Any) -> Figure:
        return tplots.gains_figure(result.gains, result.region, fig=self.figure)

    def png(self) -> bytes:
        return tplots.live_png(self.shown_figure(), dpi=self.dpi)


# -------------------------------------------------------------------------------------------------------
# Abandonment–entrapment explorer
# -------------------------------------------------------------------------------------------------------
class AbandonmentEntrapmentExplorer(Explorer):
    """Snyder's alliance security dilemma, interactively: how firmly should a state back its partner?

    Parameters
    ----------
    **initial
        Starting values for the controls ``commitment``, ``dependence``, ``partner_commitment`` and
        ``shared_interests`` (each 0–1; defaults :data:`coursekit.theory.DILEMMA_PARAMS`).

    Attributes
    ----------
    result : coursekit.theory.DilemmaCurves or None
        Both risks and the expected cost at every commitment, and ``result.result`` (a
        :class:`coursekit.theory.DilemmaResult`) at the chosen one.

    Notes
    -----
    The figure is made once and then updated in place (:func:`coursekit.plots.theory.dilemma_figure` with
    ``fig=``), and its PNG redraws only the changing artists over a cached background
    (:func:`coursekit.plots.theory.live_png`).
    """

    #: PNG resolution of the live figure (lower than the book's, so an update stays fast).
    dpi = 72

    def make_controls(self) -> dict[str, W.ValueWidget]:
        return {
            name: _slider(theory.DILEMMA_LABELS[name].split(" (")[0], value, 0, 1, 0.05)
            for name, value in theory.DILEMMA_PARAMS.items()
        }

    def compute(self, **values: Any) -> theory.DilemmaCurves:
        return theory.dilemma_curves(**{name: values[name] for name in theory.DILEMMA_PARAMS})

    def draw(self, result: theory.DilemmaCurves, **values: Any) -> Figure:
        return tplots.dilemma_figure(result, fig=self.figure)

    def png(self) -> bytes:
        return tplots.live_png(self.shown_figure(), dpi=self.dpi)


# -------------------------------------------------------------------------------------------------------
# Tactical/strategic checklist
# -------------------------------------------------------------------------------------------------------
CUSTOM = ""
"""Value of the case dropdown for a custom case (features set by hand)."""


@dataclass(frozen=True)
class ChecklistView:
    """What :class:`AllianceChecklist` computed: the current case's classification and all cases'."""

    classification: theory.Classification
    cases: pd.DataFrame
    case_id: str
    name: str

    @property
    def label(self) -> str:
        """The current case's label (tactical, strategic or mixed)."""
        return self.classification.label

    @property
    def score(self) -> float:
        """The current case's tactical score."""
        return self.classification.score


class AllianceChecklist(_BatchedExplorer):
    """Score an alliance on the features of a tactical alliance, beside the cases in the course data.

    Choosing a case in the dropdown sets the seven feature sliders to its coded values; moving a slider turns
    the case into a custom one. The weights (in the "Feature weights" section) apply to every case; they start
    at :data:`coursekit.theory.DEFAULT_FEATURE_WEIGHTS` (the chapter's definition: 1 for the five defining
    features, 0 for asymmetry and a formal treaty).

    Parameters
    ----------
    cases : pandas.DataFrame, optional
        The alliance cases (columns as :func:`coursekit.data.load_alliance_cases`). Default: that table.
    case : str, optional
        ``case_id`` to start from; default the first case ("" for a custom case).
    **initial
        Starting values for other controls: the seven features (0–1) and ``w_<feature>`` weights.

    Attributes
    ----------
    result : ChecklistView or None
        The classification of the current case and of all cases.
    """

    #: PNG resolution of the live figure (lower than the book's, so an update stays fast).
    dpi = 72

    selector = "case"

    def __init__(
        self, cases: pd.DataFrame | None = None, case: str | None = None, **initial: Any
    ) -> None:
        if cases is None:
            from coursekit import data

            cases = data.load_alliance_cases()
        missing = [c for c in ("case_id", "name", *theory.FEATURES) if c not in cases.columns]
        if missing:
            raise ValueError(f"the alliance-cases table is missing column(s) {missing}")
        self.cases = cases.reset_index(drop=True)
        ids = [str(x) for x in self.cases["case_id"]]
        if case is None:
            case = ids[0] if ids else CUSTOM
        if case != CUSTOM and case not in ids:
            raise ValueError(
                f"case = {case!r} is not in the alliance cases; choose one of {ids} or ''"
            )
        self._start = case
        super().__init__(**initial)
        # A feature given explicitly makes the case custom.
        if any(name in initial for name in theory.FEATURES) and self._start != CUSTOM:
            self._batching = True
            self.controls["case"].value = CUSTOM
            self._batching = False
            self.update()

    def _row(self, case_id: str) -> pd.Series:
        return self.cases.loc[self.cases["case_id"].astype(str) == case_id].iloc[0]

    def make_controls(self) -> dict[str, W.ValueWidget]:
        options = [("Custom case", CUSTOM)] + [
            (str(row["name"]), str(row["case_id"])) for _, row in self.cases.iterrows()
        ]
        controls: dict[str, W.ValueWidget] = {
            "case": W.Dropdown(
                options=options,
                value=self._start,
                description="Case",
                style=_SLIDER_STYLE,
                layout=W.Layout(width="70%"),
            )
        }
        start = self._row(self._start) if self._start != CUSTOM else None
        for feature in theory.FEATURES:
            value = float(start[feature]) if start is not None else 0.5
            controls[feature] = _slider(theory.FEATURE_LABELS[feature], value, 0, 1, 0.25)
        for feature in theory.FEATURES:
            controls[f"w_{feature}"] = _slider(
                f"Weight: {theory.FEATURE_LABELS[feature]}",
                theory.DEFAULT_FEATURE_WEIGHTS[feature],
                0,
                3,
                0.25,
            )
        return controls

    def layout_controls(self) -> W.Widget:
        c = self.controls
        weights = W.VBox([c[f"w_{f}"] for f in theory.FEATURES])
        tabs = W.Accordion(children=[weights], titles=("Feature weights",))
        tabs.selected_index = None
        return W.VBox([c["case"], W.VBox([c[f] for f in theory.FEATURES]), tabs])

    def apply_selection(self, value: str) -> None:
        if value == CUSTOM:
            return
        row = self._row(value)
        for feature in theory.FEATURES:
            self.controls[feature].value = float(row[feature])

    def after_manual_change(self, name: str) -> None:
        case = self.controls["case"].value
        if name in theory.FEATURES and case != CUSTOM:
            row = self._row(case)
            if any(float(row[f]) != self.controls[f].value for f in theory.FEATURES):
                self.controls["case"].value = CUSTOM

    def compute(self, **values: Any) -> ChecklistView:
        features = {f: values[f] for f in theory.FEATURES}
        weights = {f: values[f"w_{f}"] for f in theory.FEATURES}
        try:
            classification = theory.classify_alliance(features, weights)
        except ValueError as exc:
            if "all weights are 0" in str(exc):
                raise ValueError(
                    "All feature weights are 0: raise at least one weight to score the case."
                ) from exc
            raise
        case_id = str(values["case"])
        name = str(self._row(case_id)["name"]) if case_id != CUSTOM else "Custom case"
        return ChecklistView(
            classification=classification,
            cases=theory.classify_cases(self.cases, weights),
            case_id=case_id,
            name=name,
        )

    def draw(self, result: ChecklistView, **values: Any) -> Figure:
        return tplots.checklist_figure(
            result.classification,
            name=result.name,
            cases=result.cases,
            highlight=result.case_id or None,
            fig=self.figure,
        )

    def png(self) -> bytes:
        return tplots.live_png(self.shown_figure(), dpi=self.dpi)
