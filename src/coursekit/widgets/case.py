"""Explorers for Part II: ipywidgets controls wired to :mod:`coursekit.case` and :mod:`coursekit.plots.case`.

* :class:`TimelineExplorer`: filter the events by dimension, phase, actor and years; pick one event to read
  its date, description and sources beside the figure.
* :class:`VoteExplorer`: choose UN General Assembly resolutions and countries (or a group: the CAR's
  neighbours, the African Union, the Sahel states with Russian security partners, the whole Assembly); see
  the vote matrix, or for a large group the spread of agreement, with each country's agreement with a
  reference country (Russia, the United States, France, China, South Africa or any other member) and where
  the CAR ranks.
* :class:`DurabilityScorecard`: one weight slider per durability indicator; see the weighted score and what
  each indicator contributes.

Each explorer loads the course data itself (:mod:`coursekit.data`) unless tables are passed in, which is how
the tests drive them with small tables. Nothing here computes: every number comes from :mod:`coursekit.case`.

Example
-------
>>> from coursekit.widgets.case import VoteExplorer  # doctest: +SKIP
>>> w = VoteExplorer()                                # doctest: +SKIP
>>> w.controls["method"].value = "lijphart"           # doctest: +SKIP
>>> w.result.agreement                                 # doctest: +SKIP
"""

from __future__ import annotations

import html
from collections import OrderedDict
from collections.abc import Callable, Mapping
from typing import Any

import ipywidgets as W
import pandas as pd
from matplotlib.figure import Figure

from coursekit import case
from coursekit.plots import case as case_plots
from coursekit.widgets.base import Explorer

_WIDE = W.Layout(width="98%")


def _load(name: str) -> pd.DataFrame:
    """Load one course table through :mod:`coursekit.data` (imported late so tests can pass tables)."""
    from coursekit import data

    return getattr(data, name)()


class _Remembered:
    """The last few values of a pure function of the controls, least recently used dropped first.

    A student toggles between a few settings; the view of a setting seen before is taken from here instead of
    being computed again (the functions are pure, so the value is the same). Errors are not remembered.
    """

    def __init__(self, size: int) -> None:
        self.size = size
        self._items: OrderedDict[tuple[Any, ...], Any] = OrderedDict()

    def get(self, values: dict[str, Any], make: Callable[[], Any]) -> Any:
        key = tuple(sorted(values.items()))
        if key in self._items:
            self._items.move_to_end(key)
            return self._items[key]
        value = make()
        self._items[key] = value
        if len(self._items) > self.size:
            self._items.popitem(last=False)
        return value

    def clear(self) -> None:
        self._items.clear()


class _LiveExplorer(Explorer):
    """An explorer whose figure is updated in place: the figure function gets the last figure (``fig=``).

    Its PNG redraws only the artists that changed over the cached axes
    (:func:`coursekit.plots.case.live_png`); a figure that cannot be updated is drawn anew.
    """

    def __init__(self, **initial: Any) -> None:
        self._views = _Remembered(32)
        self._live: Figure | None = None
        super().__init__(**initial)

    def png(self) -> bytes:
        return case_plots.live_png(self.shown_figure(), dpi=self.dpi)

    def forget(self) -> None:
        """Drop the remembered views (the next settings are computed afresh, as on first use)."""
        self._views.clear()


# -- timeline ----------------------------------------------------------------------------------------------


class TimelineExplorer(_LiveExplorer):
    """Explore the event data: filter by dimension, phase, actor and years; select an event to read it.

    Parameters
    ----------
    events, phases : DataFrame, optional
        The event and phase tables; default ``data.load_events()`` and ``data.load_phases()``.
    **initial
        Starting values for controls: ``dimensions`` (tuple of ids), ``phases`` (tuple of ids),
        ``actor`` (text), ``years`` ((first, last)), ``event`` (an ``event_id`` or None).

    Attributes
    ----------
    result : coursekit.case.TimelineView or None
        The filtered events, their counts and the selected event's details.
    details : str
        The HTML shown beside the figure for the selected event ("" when none is selected).
    """

    dpi = 76

    def __init__(
        self, events: pd.DataFrame | None = None, phases: pd.DataFrame | None = None, **initial: Any
    ):
        self._events = events if events is not None else _load("load_events")
        self._phases = phases if phases is not None else _load("load_phases")
        self._syncing = False
        self.details = ""
        self._details_box = W.HTML(
            layout=W.Layout(width="300px", min_width="240px", padding="0 0 0 10px")
        )
        super().__init__(**initial)
        figure_row = W.HBox(
            [self._output, self._details_box],
            layout=W.Layout(flex_flow="row wrap", align_items="flex-start"),
        )
        self.widget = W.VBox(
            [self.layout_controls(), self._message_box, figure_row], layout=W.Layout(width="100%")
        )

    def make_controls(self) -> dict[str, W.ValueWidget]:
        dims_present = list(case.DIMENSIONS)
        years = pd.to_datetime(self._events["date"]).dt.year
        first, last = (int(years.min()), int(years.max())) if len(years) else (2014, 2025)
        phase_options = [
            (case_plots.short_phase_label(label), str(pid))
            for pid, label in zip(
                self._phases["phase"].astype(str), self._phases["label"], strict=True
            )
        ]
        return {
            "dimensions": W.SelectMultiple(
                options=[(case.DIMENSION_LABELS[d], d) for d in dims_present],
                value=tuple(dims_present),
                rows=5,
                description="Dimensions",
                style={"description_width": "80px"},
            ),
            "phases": W.SelectMultiple(
                options=phase_options,
                value=tuple(pid for _, pid in phase_options),
                rows=5,
                description="Phases",
                style={"description_width": "80px"},
            ),
            "actor": W.Text(
                value="",
                placeholder="e.g. Wagner, Touadéra, MINUSCA",
                description="Actor",
                continuous_update=False,
                style={"description_width": "80px"},
            ),
            "years": W.IntRangeSlider(
                value=(first, last),
                min=first,
                max=last,
                step=1,
                description="Years",
                continuous_update=False,
                style={"description_width": "80px"},
            ),
            "event": W.Select(
                options=self._event_options(self._events),
                value=None,
                rows=6,
                description="Event",
                layout=W.Layout(width="95%"),
                style={"description_width": "80px"},
            ),
        }

    @staticmethod
    def _event_options(events: pd.DataFrame) -> list[tuple[str, str]]:
        """``(label, event_id)`` pairs for the event list, in date order."""
        ordered = events.sort_values(["date", "event_id"], kind="stable")
        return [
            (f"{case.format_event_date(d, str(p))} – {t}", str(i))
            for d, p, t, i in zip(
                ordered["date"],
                ordered["date_precision"],
                ordered["title"],
                ordered["event_id"],
                strict=True,
            )
        ]

    def layout_controls(self) -> W.Widget:
        c = self.controls
        left = W.VBox([c["dimensions"], c["phases"]])
        right = W.VBox([c["actor"], c["years"], c["event"]], layout=W.Layout(width="55%"))
        return W.HBox([left, right], layout=W.Layout(flex_flow="row wrap"))

    def compute(self, **values: Any) -> case.TimelineView:
        if not values["dimensions"]:
            raise ValueError("No dimension is selected: tick at least one dimension to see events.")
        if not values["phases"]:
            raise ValueError("No phase is selected: tick at least one phase to see events.")
        view = self._views.get(
            values,
            lambda: case.timeline_view(
                self._events,
                dimensions=values["dimensions"],
                phases=values["phases"],
                actor=values["actor"],
                years=values["years"],
                selected=values["event"],
            ),
        )
        if view.empty:
            raise ValueError(
                "No event matches this selection (dimensions, phases, actor "
                f"{values['actor']!r}, years {values['years'][0]}–{values['years'][1]}): "
                "widen the years, clear the actor text or tick more dimensions or phases."
            )
        return view

    def draw(self, result: case.TimelineView, **values: Any) -> Figure:
        self._live = case_plots.timeline_figure(
            result.events, self._phases, result.counts, selected=values["event"], fig=self._live
        )
        return self._live

    def _on_change(self, change: dict[str, Any]) -> None:
        if not self._syncing:
            self.update()

    def update(self) -> None:
        super().update()
        self._sync_event_list()

    def _sync_event_list(self) -> None:
        """List the filtered events in the ``event`` control, keeping the selection if it is still listed."""
        control = self.controls["event"]
        view: case.TimelineView | None = self.result
        options = self._event_options(view.events) if view is not None else []
        current = control.value
        self._syncing = True
        try:
            if list(control.options) != options:
                control.options = options
            control.value = current if current in {i for _, i in options} else None
        finally:
            self._syncing = False

    def _render(self) -> None:
        super()._render()
        view: case.TimelineView | None = self.result
        selected = view.selected if view is not None else None
        self.details = _event_html(selected) if selected else ""
        self._details_box.value = self.details or (
            "<p style='color:#555'>Select an event in the list to read its date, description and sources.</p>"
            if view is not None
            else ""
        )


def _event_html(details: Mapping[str, Any]) -> str:
    esc = html.escape
    sources = ", ".join(f"<code>{esc(str(s))}</code>" for s in details["sources"]) or "none listed"
    actors = "; ".join(esc(str(a)) for a in details["actors"]) or "—"
    status = esc(str(details["status"]))
    flag = "" if status == "confirmed" else f" <b style='color:#a04000'>({status})</b>"
    return (
        f"<h4 style='margin:0 0 4px 0'>{esc(str(details['title']))}</h4>"
        f"<p style='margin:0'><b>{esc(str(details['date']))}</b> · {esc(str(details['dimension']))}{flag}</p>"
        f"<p style='margin:4px 0'>{esc(str(details['description']))}</p>"
        f"<p style='margin:4px 0'><b>Actors:</b> {actors}</p>"
        f"<p style='margin:4px 0'><b>Sources</b> (keys of the bibliography): {sources}</p>"
    )


# -- votes -------------------------------------------------------------------------------------------------


class VoteExplorer(_LiveExplorer):
    """Compare UN General Assembly votes: a vote matrix and an agreement index, the CAR highlighted.

    Parameters
    ----------
    votes, resolutions : DataFrame, optional
        The vote and resolution tables; default ``data.load_votes()`` and ``data.load_resolutions()``.
    default_countries : sequence of str, optional
        Countries selected at start (names or ISO3 codes); default: the CAR and its six neighbours
        (:data:`coursekit.case.CAR_NEIGHBOURS_ISO3`), or every country when the table has none of them.
    **initial
        Starting values for controls: ``resolutions`` (tuple of symbols), ``group`` (``"selection"`` or a
        key of :data:`coursekit.case.VOTE_GROUPS`), ``countries`` (tuple of names, used when ``group`` is
        ``"selection"``), ``reference`` (a name), ``method`` (``"simple"`` or ``"lijphart"``).

    Attributes
    ----------
    result : coursekit.case.VoteView or None
        The vote matrix, the agreement table, the CAR's rank and the caveats that apply.
    """

    dpi = 72
    #: Above this many countries the figure shows the spread of agreement instead of the vote matrix.
    matrix_limit = 25

    def __init__(
        self,
        votes: pd.DataFrame | None = None,
        resolutions: pd.DataFrame | None = None,
        default_countries: list[str] | None = None,
        **initial: Any,
    ):
        self._votes = votes if votes is not None else _load("load_votes")
        self._resolutions = resolutions if resolutions is not None else _load("load_resolutions")
        self._default_countries = default_countries
        self._car = case.resolve_country(self._votes, case.CAR_ISO3)
        #: Figures of the last settings: the vote matrix's layout follows the selection, so a new setting is
        #: drawn anew, but going back to one seen before shows its figure again.
        self._figures = _Remembered(8)
        super().__init__(**initial)

    def _defaults(self) -> tuple[str, ...]:
        """The CAR and its neighbours present in the vote table (else every country but the reference)."""
        votes = self._votes
        if self._default_countries is not None:
            return tuple(case.resolve_country(votes, c) for c in self._default_countries)
        ref = case.resolve_country(votes, case.RUSSIA_ISO3)
        car = case.resolve_country(votes, case.CAR_ISO3)
        present = set(votes["iso3"].astype(str))
        neighbours = [
            case.resolve_country(votes, c) for c in case.CAR_NEIGHBOURS_ISO3 if c in present
        ]
        if neighbours:
            return (car, *neighbours)
        others = sorted(str(c) for c in votes["country"].unique() if c not in (car, ref))
        return (car, *others)

    def make_controls(self) -> dict[str, W.ValueWidget]:
        votes = self._votes
        order = self._resolutions.sort_values("date")
        in_votes = set(votes["resolution"].astype(str))
        res_options = [
            (f"{str(r).replace('A/RES/', '')} ({d:%b %Y})", str(r))
            for r, d in zip(order["resolution"], order["date"], strict=True)
            if str(r) in in_votes
        ]
        countries = sorted(str(c) for c in votes["country"].unique())
        reference = case.resolve_country(votes, case.RUSSIA_ISO3)
        present = set(votes["iso3"].astype(str))
        first = [
            case.resolve_country(votes, c) for c in case.REFERENCE_COUNTRIES_ISO3 if c in present
        ]
        references = [*first, *(c for c in countries if c not in first)]
        style = {"description_width": "90px"}
        return {
            "resolutions": W.SelectMultiple(
                options=res_options,
                value=tuple(v for _, v in res_options),
                rows=8,
                description="Resolutions",
                style=style,
            ),  # fmt: skip
            "group": W.Dropdown(
                options=[
                    ("The countries selected below", "selection"),
                    *((label, key) for key, label in case.VOTE_GROUPS.items()),
                ],
                value="selection",
                description="Compare",
                style=style,
            ),
            "countries": W.SelectMultiple(
                options=countries,
                value=self._defaults(),
                rows=8,
                description="Countries",
                style=style,
            ),
            "reference": W.Dropdown(
                options=references, value=reference, description="Compare with", style=style
            ),
            "method": W.Dropdown(
                options=[
                    ("Share of identical votes", "simple"),
                    ("Lijphart index (abstain = ½)", "lijphart"),
                ],
                value="simple",
                description="Agreement",
                style=style,
            ),
        }

    def layout_controls(self) -> W.Widget:
        c = self.controls
        self._notes = W.HTML()
        return W.VBox(
            [
                W.HBox(
                    [
                        c["resolutions"],
                        c["countries"],
                        W.VBox([c["group"], c["reference"], c["method"]]),
                    ],
                    layout=W.Layout(flex_flow="row wrap"),
                ),
                self._notes,
            ]
        )

    def compute(self, **values: Any) -> case.VoteView:
        if not values["resolutions"]:
            raise ValueError(
                "No resolution is selected: choose at least one resolution (Ctrl/Cmd-click)."
            )
        group = values.get("group", "selection")
        if group == "selection":
            countries = list(values["countries"])
        else:
            countries = [self._car, *case.group_members(self._votes, group)]
        if not countries:
            raise ValueError(
                "No country is selected: choose at least one country (Ctrl/Cmd-click)."
            )
        view = self._views.get(
            {**values, "countries": tuple(countries)},
            lambda: case.vote_view(
                self._votes,
                resolutions=list(values["resolutions"]),
                countries=countries,
                reference=values["reference"],
                method=values["method"],
            ),
        )
        if view.agreement.empty:
            raise ValueError(
                f"Only the reference country ({view.reference}) is selected: choose other countries to compare."
            )
        return view

    def draw(self, result: case.VoteView, **values: Any) -> Figure:
        notes = [result.rank.sentence()] if result.rank is not None else []
        notes += list(result.caveats)
        self._notes.value = "".join(f"<p>{html.escape(n)}</p>" for n in notes)
        return self._figures.get(
            {**values, "matrix_limit": self.matrix_limit}, lambda: self._figure(result)
        )

    def _figure(self, result: case.VoteView) -> Figure:
        if len(result.agreement) + 1 > self.matrix_limit:
            return case_plots.agreement_distribution_figure(
                result.agreement,
                reference=result.reference,
                highlight=self._car,
                method=result.method,
                title=f"Agreement with {result.reference}: {len(result.agreement)} countries",
            )
        return case_plots.vote_matrix_figure(result, highlight=self._car)

    def forget(self) -> None:
        """Drop the remembered views and figures (the next settings are drawn afresh, as on first use)."""
        super().forget()
        self._figures.clear()

    def png(self) -> bytes:
        """The figure's PNG, kept with the figure: a setting seen before is shown without drawing again."""
        figure = self.shown_figure()
        cached = getattr(figure, "_coursekit_png", None)
        if cached is None or cached[0] != self.dpi:
            cached = (self.dpi, case_plots.fast_png(figure, dpi=self.dpi))
            figure._coursekit_png = cached  # type: ignore[attr-defined]  # a cache carried by the figure
        return cached[1]

    def _render(self) -> None:
        if self.message:
            self._notes.value = ""
        super()._render()


# -- durability ---------------------------------------------------------------------------------------------


class DurabilityScorecard(_LiveExplorer):
    """Weigh the durability indicators and see the alliance's durability score.

    Parameters
    ----------
    indicators : DataFrame, optional
        The durability indicators; default ``data.load_durability_indicators()``.
    **initial
        Starting weights, by indicator id (e.g. ``asymmetry=2.0``).

    Attributes
    ----------
    controls : dict
        One slider (0–5, step 0.5, start 1) per indicator id.
    result : coursekit.case.DurabilityResult or None
        The score and the contributions, or None when every weight is 0.
    """

    def __init__(self, indicators: pd.DataFrame | None = None, **initial: Any):
        self._indicators = (
            indicators if indicators is not None else _load("load_durability_indicators")
        )
        super().__init__(**initial)

    def make_controls(self) -> dict[str, W.ValueWidget]:
        controls: dict[str, W.ValueWidget] = {}
        for ind, label in zip(
            self._indicators["indicator"], self._indicators["label"], strict=True
        ):
            controls[str(ind)] = W.FloatSlider(
                value=1.0, min=0.0, max=5.0, step=0.5, description=str(label), continuous_update=False,
                readout_format=".1f", style={"description_width": "260px"}, layout=W.Layout(width="560px"),
            )  # fmt: skip
        return controls

    def compute(self, **values: Any) -> case.DurabilityResult:
        return self._views.get(values, lambda: case.durability_score(self._indicators, values))

    def draw(self, result: case.DurabilityResult, **values: Any) -> Figure:
        self._live = case_plots.durability_figure(result, fig=self._live)
        return self._live


__all__ = ["DurabilityScorecard", "TimelineExplorer", "VoteExplorer"]
