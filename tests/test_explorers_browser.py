"""The in-page explorers, driven in headless Chromium and checked against the Python models.

Each explorer of the built book is opened offline; the test moves its controls (the native inputs Vega makes
from the chart's bound parameters: sliders, checkboxes, drop-downs, a text box) to many parameter points and,
after each change, reads what the reader gets (the summary line and the data table, written from the chart's
own data) and compares the numbers with :mod:`coursekit.case`, the reference, to the precision displayed.

The book comes from the ``built_book`` fixture (or ``COURSE_SITE_HTML=/path/to/_build/html`` while developing).
"""

from __future__ import annotations

import math
import os
import random
from pathlib import Path

import pytest
from browser import chromium, offline_context, require_chromium, serve_directory, wait_until_settled

from coursekit import case, data, theory
from coursekit.explorers import case as ex
from coursekit.explorers.theory import CUSTOM

pytestmark = [pytest.mark.browser, pytest.mark.book]

PAGES = {
    "threats": "chapters/theory-02-balancing",
    "dilemma": "chapters/theory-01-alliances",
    "security-autonomy": "chapters/theory-03-rational-choice",
    "checklist": "chapters/theory-04-tactical",
    "timeline": "chapters/case-03-dimensions",
    "votes": "chapters/case-05-un-votes",
    "durability": "chapters/case-06-assessment",
}
MISSING = "–"


@pytest.fixture(scope="module")
def browser():
    require_chromium()
    with chromium() as browser:
        yield browser


@pytest.fixture(scope="module")
def site_html(request, browser) -> Path:
    override = os.environ.get("COURSE_SITE_HTML")
    if override:
        return Path(override)
    build = request.getfixturevalue("built_book")
    if not (build.html / "index.html").is_file():
        pytest.fail("the book was not built, so there is no site to test:\n" + build.log[-4000:])
    return build.html


class ExplorerPage:
    """One explorer open in the browser: set its controls, read its summary, table and chart data."""

    def __init__(self, page, ident: str) -> None:
        self.page = page
        self.ident = ident
        self.root = f"#explorer-{ident}"

    def updates(self) -> int:
        return self.page.evaluate(f"() => window.coursekitExplorers[{self.ident!r}].updates")

    def control(self, name: str):
        return self.page.locator(f"{self.root}-controls [name='{name}']")

    def set(self, name: str, value) -> None:
        """Set the control bound to parameter ``name`` as a reader would, and wait for the explorer to answer."""
        control = self.control(name)
        assert control.count() == 1, f"{self.ident}: no single control named {name!r}"
        kind = control.evaluate("el => el.type || el.tagName.toLowerCase()")
        before = self.updates()
        if kind == "checkbox":
            if control.is_checked() == bool(value):
                return
            control.set_checked(bool(value))
        elif kind.startswith("select"):
            if control.input_value() == str(value):
                return
            control.select_option(str(value))
        elif kind == "range":
            if float(control.input_value()) == float(value):
                return
            control.fill(f"{float(value):g}")
        else:
            if control.input_value() == str(value):
                return
            control.fill(str(value))
        self.page.wait_for_function(
            f"() => window.coursekitExplorers[{self.ident!r}].updates > {before}", timeout=10_000
        )

    def summary(self) -> str:
        return self.page.inner_text(f"{self.root}-summary").strip()

    def table(self) -> list[dict[str, str]]:
        return self.page.evaluate(
            """(root) => {
              const table = document.querySelector(root + '-table table');
              if (!table) return [];
              const heads = [...table.querySelectorAll('thead th')].map((th) => th.textContent);
              return [...table.querySelectorAll('tbody tr')].map((tr) =>
                Object.fromEntries([...tr.cells].map((td, i) => [heads[i], td.textContent])));
            }""",
            self.root,
        )

    def data_of(self, view: str) -> list[dict]:
        return self.page.evaluate(
            f"() => window.coursekitExplorers[{self.ident!r}].dataOf({view!r})"
            ".map((d) => Object.fromEntries(Object.entries(d)))"
        )


@pytest.fixture(scope="module")
def open_explorer(site_html, browser):
    with serve_directory(site_html) as base:
        context = offline_context(browser)
        page = context.new_page()
        errors: list[str] = []
        page.on("pageerror", lambda e: errors.append(str(e)))

        def opener(ident: str) -> ExplorerPage:
            entry = PAGES[ident]
            if not (site_html / f"{entry}.html").is_file():
                pytest.fail(f"{entry}.html was not built")
            page.goto(f"{base}{entry}.html", wait_until="load")
            wait_until_settled(page)
            state = page.evaluate(
                f"() => {{ const s = (window.coursekitExplorers || {{}})[{ident!r}];"
                " return s ? {updates: s.updates, error: s.error} : null; }"
            )
            assert state is not None, f"{entry}: no in-page explorer {ident!r} started"
            assert not state["error"], f"{entry}: explorer {ident!r} failed: {state['error']}"
            assert state["updates"] > 0
            assert not errors, errors
            return ExplorerPage(page, ident)

        try:
            yield opener
        finally:
            context.close()


def close(shown: str, expected: float, digits: int) -> bool:
    """A number shown with ``digits`` decimals agrees with ``expected`` to that precision."""
    if shown == MISSING:
        return isinstance(expected, float) and math.isnan(expected)
    return abs(float(shown) - expected) <= 0.5 * 10**-digits + 1e-9


# -- durability ---------------------------------------------------------------------------------------------


def durability_points(ids: list[str]) -> list[dict[str, float]]:
    rng = random.Random(16)
    steps = [x / 2 for x in range(11)]
    points = [{i: 1.0 for i in ids}, {i: 0.0 for i in ids}]
    points += [{i: (5.0 if i == one else 0.0) for i in ids} for one in ids[:3]]
    points += [{i: rng.choice(steps) for i in ids} for _ in range(10)]
    return points


def test_durability_scorecard_agrees_with_the_model(open_explorer):
    indicators = data.load_durability_indicators()
    ids = [str(i) for i in indicators["indicator"]]
    explorer = open_explorer("durability")
    for weights in durability_points(ids):
        for ident, weight in weights.items():
            explorer.set(ex.param_name("w", ident), weight)
        summary, table = explorer.summary(), explorer.table()
        if sum(weights.values()) == 0:
            with pytest.raises(ValueError, match="all weights are 0"):
                case.durability_score(indicators, weights)
            assert "Every weight is 0" in summary and table == []
            continue
        result = case.durability_score(indicators, weights)
        shown = float(summary.split("Durability score: ")[1].split(" ")[0])
        assert close(f"{shown}", result.score, 2), (weights, summary, result.score)
        expected = result.contributions.set_index("label")
        assert [r["Indicator"] for r in table] == list(expected.index)
        for row in table:
            ref = expected.loc[row["Indicator"]]
            assert close(row["Weight"], ref["weight"], 1), (weights, row)
            assert close(row["Share of the weight"], ref["share"], 3), (weights, row)
            assert close(row["Contribution"], ref["contribution"], 3), (weights, row)


# -- votes --------------------------------------------------------------------------------------------------


def vote_points(votes, n_resolutions: int) -> list[dict]:
    rng = random.Random(5)
    iso3 = sorted(votes["iso3"].astype(str).unique())
    references = [case.RUSSIA_ISO3, case.CAR_ISO3, *rng.sample(iso3, 3)]
    points = []
    for k, reference in enumerate(references):
        for method in case.AGREEMENT_METHODS:
            group = list(case.VOTE_GROUPS)[(k + len(points)) % len(case.VOTE_GROUPS)]
            ticked = [True] * n_resolutions
            if k % 2:
                ticked = [rng.random() < 0.6 for _ in range(n_resolutions)]
            points.append(
                {"reference": reference, "method": method, "group": group, "ticked": ticked}
            )
    points.append({"reference": "RUS", "method": "simple", "group": "assembly",
                   "ticked": [False] * n_resolutions})  # fmt: skip
    return points


def test_vote_explorer_agrees_with_the_model(open_explorer):
    votes = data.load_votes()
    explorer = open_explorer("votes")
    labels = explorer.page.evaluate(
        """(root) => [...document.querySelectorAll(root + '-controls input[type=checkbox]')]
             .map((el) => [el.name, el.closest('label').textContent.trim()])""",
        "#explorer-votes",
    )
    symbols = [s for s in dict.fromkeys(votes["resolution"].astype(str))]
    by_short = {s.replace("A/RES/", ""): s for s in symbols}
    tick_params = [name for name, _ in labels]
    resolution_of = {
        name: by_short[label.removeprefix("Include ").split(" (")[0]] for name, label in labels
    }
    for point in vote_points(votes, len(tick_params)):
        for name, ticked in zip(tick_params, point["ticked"], strict=True):
            explorer.set(name, ticked)
        explorer.set("reference", point["reference"])
        explorer.set("method", point["method"])
        explorer.set("group", point["group"])
        chosen = [resolution_of[n] for n, t in zip(tick_params, point["ticked"], strict=True) if t]
        countries = ex.vote_group_countries(votes, point["group"])
        view = case.vote_view(
            votes,
            resolutions=chosen,
            countries=countries,
            reference=point["reference"],
            method=point["method"],
        )
        table = explorer.table()
        expected = view.agreement
        if not chosen:
            assert table == [] and "no resolution is ticked" in explorer.summary(), point
            continue
        assert [r["Country"] for r in table] == list(expected["country"]), point
        for row, ref in zip(table, expected.itertuples(index=False), strict=True):
            assert close(row["Agreement"], float(ref.score), 2), (point, row, ref)
            assert int(row["Votes compared"]) == int(ref.n_compared), (point, row, ref)
        car = case.resolve_country(votes, case.CAR_ISO3)
        summary = explorer.summary()
        if car in set(expected["country"]):
            car_row = expected.loc[expected["country"] == car].iloc[0]
            reference = case.resolve_country(votes, point["reference"])
            assert summary.startswith(f"{car}: agreement "), summary
            assert f"with {reference}, over {int(car_row.n_compared)} comparable" in summary
            shown = summary.split("agreement ")[1].split(" ")[0]
            assert close(shown, float(car_row.score), 2), (point, summary)


# -- timeline -----------------------------------------------------------------------------------------------


def timeline_points(first: int, last: int) -> list[dict]:
    dims = list(case.DIMENSIONS)
    return [
        {"dimensions": dims, "phase": "all", "actor": "", "years": (first, last)},
        {"dimensions": dims[:2], "phase": "all", "actor": "", "years": (first, last)},
        {"dimensions": dims, "phase": "crisis_and_after", "actor": "", "years": (first, last)},
        {"dimensions": dims, "phase": "all", "actor": "wagner", "years": (first, last)},
        {"dimensions": dims, "phase": "all", "actor": "Touadéra", "years": (2018, 2021)},
        {"dimensions": ["resources"], "phase": "all", "actor": "Lobaye", "years": (first, last)},
        {"dimensions": dims[1:], "phase": "after_2022", "actor": "", "years": (2022, 2023)},
        {
            "dimensions": dims,
            "phase": "all",
            "actor": "UN Security Council",
            "years": (first, last),
        },
        {"dimensions": dims, "phase": "all", "actor": "no such actor", "years": (first, last)},
        {"dimensions": [], "phase": "all", "actor": "", "years": (first, last)},
        {"dimensions": dims, "phase": "all", "actor": "", "years": (2021, 2019)},
    ]


def test_timeline_explorer_agrees_with_the_model(open_explorer):
    events = data.load_events()
    years = events["date"].dt.year
    explorer = open_explorer("timeline")
    for point in timeline_points(int(years.min()), int(years.max())):
        for dim in case.DIMENSIONS:
            explorer.set(ex.param_name("d", dim), dim in point["dimensions"])
        explorer.set("phase", point["phase"])
        explorer.set("actor", point["actor"])
        first, last = point["years"]
        explorer.set("year_from", first)
        explorer.set("year_to", last)
        table, summary = explorer.table(), explorer.summary()
        if first > last:
            with pytest.raises(ValueError, match="runs backwards"):
                case.filter_events(events, years=(first, last))
            assert table == [] and "No event matches" in summary, point
            continue
        expected = case.filter_events(
            events,
            dimensions=point["dimensions"],
            phases=None if point["phase"] == "all" else [point["phase"]],
            actor=point["actor"],
            years=(first, last),
        )
        shown = [(r["Date"], r["Event"]) for r in table]
        wanted = [
            (case.format_event_date(d, str(p)), str(t))
            for d, p, t in zip(expected["date"], expected["date_precision"], expected["title"], strict=True)
        ]  # fmt: skip
        assert shown == wanted, point
        if expected.empty:
            assert "No event matches" in summary
        else:
            assert summary.startswith(f"{len(expected)} event(s) match"), (point, summary)
        counts = case.event_counts(expected)
        cells = {
            (c["dimension_label"], c["phase_label"]): c["events"]
            for c in explorer.data_of("phase_counts")
        }
        phases = data.load_phases()
        short = {
            str(p): ex.short_phase_label(str(lab))
            for p, lab in zip(phases["phase"], phases["label"], strict=True)
        }
        wanted_cells = {
            (case.DIMENSION_LABELS[d], short[p]): int(counts.loc[d, p])
            for d in counts.index
            for p in counts.columns
            if counts.loc[d, p]
        }
        assert cells == wanted_cells, point


def test_explorer_controls_work_from_the_keyboard(open_explorer):
    explorer = open_explorer("durability")
    slider = explorer.control(ex.param_name("w", data.load_durability_indicators()["indicator"][0]))
    slider.focus()
    before = explorer.updates()
    start = float(slider.input_value())
    explorer.page.keyboard.press("ArrowRight")
    explorer.page.wait_for_function(
        f"() => window.coursekitExplorers['durability'].updates > {before}", timeout=10_000
    )
    assert float(slider.input_value()) == start + 0.5
    toggle = explorer.page.locator("#explorer-durability .coursekit-explorer-data > summary")
    toggle.focus()
    explorer.page.keyboard.press("Enter")
    assert (
        explorer.page.locator("#explorer-durability .coursekit-explorer-data").get_attribute("open")
        is not None
    )


# -- Part I -------------------------------------------------------------------------------------------------


def test_threat_explorer_agrees_with_the_model(open_explorer):
    from coursekit.explorers.theory import RULE_LABELS

    preset = theory.THREAT_PRESETS["car_2017_2020"]
    actors = list(preset.threats)
    rng = random.Random(1987)
    halves = [i / 2 for i in range(21)]
    defaults = theory.StrategyRules()
    points = [
        {
            "threats": {a: dict(v) for a, v in preset.threats.items()},
            "own_power": float(preset.own_power),
            "ally_support": 10.0,
            "weights": {f: 1.0 for f in theory.FACTORS},
            "rules": {name: float(getattr(defaults, name)) for name in RULE_LABELS},
        }
    ]
    for k in range(16):
        points.append(
            {
                "threats": {a: {f: rng.choice(halves) for f in theory.FACTORS} for a in actors},
                "own_power": rng.choice(halves),
                "ally_support": rng.choice([0.0, *halves[:8]]),
                "weights": {f: rng.choice([0.0, 0.5, 1.0, 2.0]) for f in theory.FACTORS},
                "rules": {name: float(getattr(defaults, name)) + (rng.choice([-2, 0, 1]) if k % 2 else 0)
                          for name in RULE_LABELS},
            }
        )  # fmt: skip
    points.append(dict(points[0], weights={f: 0.0 for f in theory.FACTORS}))
    explorer = open_explorer("threats")
    for point in points:
        for i, actor in enumerate(actors):
            for f in theory.FACTORS:
                explorer.set(f"a{i}_{f}", point["threats"][actor][f])
        explorer.set("own_power", point["own_power"])
        explorer.set("ally_support", point["ally_support"])
        for f in theory.FACTORS:
            explorer.set(f"w_{f}", point["weights"][f])
        for name, value in point["rules"].items():
            explorer.set(name, value)
        table = {r["Actor"]: r for r in explorer.table()}
        if sum(point["weights"].values()) == 0:
            assert table == {} and "Every factor weight is 0" in explorer.summary()
            continue
        result = theory.assess_threats(
            point["threats"],
            weights=point["weights"],
            own_power=point["own_power"],
            ally_support=point["ally_support"],
            rules=theory.StrategyRules(**point["rules"]),
        )
        for actor in actors:
            assert close(table[actor]["Threat score"], result.scores[actor], 2), (point, table)
        assert table[result.most_threatening]["Role"] == "greatest threat", (point, table)
        label = theory.STRATEGY_LABELS[result.strategy]
        assert explorer.summary().endswith(f"prediction: {label}."), (
            point,
            explorer.summary(),
            result,
        )


def test_dilemma_explorer_agrees_with_the_model(open_explorer):
    rng = random.Random(1984)
    steps = [i / 20 for i in range(21)]
    points = [dict(theory.DILEMMA_PARAMS)]
    points.append(
        {"commitment": 0.3, "dependence": 0.0, "partner_commitment": 0.2, "shared_interests": 1.0}
    )
    points += [{name: rng.choice(steps) for name in theory.DILEMMA_PARAMS} for _ in range(14)]
    explorer = open_explorer("dilemma")
    for point in points:
        for name, value in point.items():
            explorer.set(name, value)
        (row,) = explorer.table()
        result = theory.alliance_dilemma(**point)
        assert close(row["Commitment"], result.commitment, 2), point
        assert close(row["Abandonment risk"], result.abandonment_risk, 3), (point, row)
        assert close(row["Entrapment risk"], result.entrapment_risk, 3), (point, row)
        assert close(row["Expected cost"], result.expected_cost, 3), (point, row)
        if result.best_commitment is None:
            assert (
                row["Best commitment"] == MISSING and "neither risk can arise" in explorer.summary()
            )
        else:
            assert close(row["Best commitment"], result.best_commitment, 2), (point, row)
            assert close(row["Cost at the best"], result.best_cost, 3), (point, row)


def security_points() -> list[tuple[dict, str]]:
    rng = random.Random(1991)
    points = [(theory.CAR_RUSSIA_EXAMPLE.as_dict(), mode) for mode in theory.MODES]
    for i in range(14):
        values = {}
        for name, (low, high) in theory.PARAM_RANGES.items():
            step = 0.1 if high <= 2 else 0.5
            values[name] = round(low + step * rng.randint(0, round((high - low) / step)), 2)
        points.append((values, theory.MODES[i % 2]))
    invalid = dict(theory.CAR_RUSSIA_EXAMPLE.as_dict(), weak_capability=9.0, strong_capability=3.0)
    no_prices = dict(theory.CAR_RUSSIA_EXAMPLE.as_dict(), autonomy_price=0.0, concession_value=0.0)
    return [*points, (invalid, "asymmetric"), (no_prices, "asymmetric")]


def test_security_autonomy_explorer_agrees_with_the_model(open_explorer):
    explorer = open_explorer("security-autonomy")
    for values, mode in security_points():
        for name, value in values.items():
            explorer.set(name, value)
        explorer.set("mode", mode)
        table = {r["Component"]: r["Points"] for r in explorer.table()}
        try:
            result = theory.alliance_gains(values, mode=mode)
        except ValueError:
            assert table == {} and "Outside the model" in explorer.summary(), values
            continue
        expected = {
            "Weaker partner: security gained": result.weak_security_gain,
            "Weaker partner: autonomy lost": result.weak_autonomy_loss,
            "Weaker partner: net gain": result.weak_net,
            "Stronger partner: benefit": result.strong_benefit,
            "Stronger partner: security cost": result.strong_security_cost,
            "Stronger partner: net gain": result.strong_net,
        }
        assert set(table) == set(expected), table
        for component, value in expected.items():
            assert close(table[component], value, 2), (
                values,
                mode,
                component,
                table[component],
                value,
            )
        summary = explorer.summary()
        assert ("forms: both partners gain" in summary) == result.forms, (values, mode, summary)


def test_checklist_explorer_agrees_with_the_model(open_explorer):
    cases = data.load_alliance_cases()
    rng = random.Random(2022)
    tenths = [i / 10 for i in range(11)]
    halves = [i / 2 for i in range(7)]
    points = [({}, dict(theory.DEFAULT_FEATURE_WEIGHTS))]
    points.append(({}, {f: 1.0 for f in theory.FEATURES}))
    points.append(({}, {f: 0.0 for f in theory.FEATURES}))
    for _ in range(10):
        features = {f: rng.choice(tenths) for f in theory.FEATURES}
        points.append((features, {f: rng.choice(halves) for f in theory.FEATURES}))
    explorer = open_explorer("checklist")
    current = {
        f: float(cases.loc[cases["case_id"] == "car_russia_2017", f].iloc[0])
        for f in theory.FEATURES
    }
    for features, weights in points:
        current.update(features)
        for f in theory.FEATURES:
            explorer.set(f"f_{f}", current[f])
            explorer.set(f"w_{f}", weights[f])
        table = {r["Alliance"]: r for r in explorer.table()}
        if sum(weights.values()) == 0:
            with pytest.raises(ValueError):
                theory.classify_alliance(current, weights)
            assert table == {} and "Every weight is 0" in explorer.summary()
            continue
        expected = {CUSTOM: theory.classify_alliance(current, weights)}
        for _, row in cases.iterrows():
            expected[str(row["name"])] = theory.classify_alliance(
                {f: float(row[f]) for f in theory.FEATURES}, weights
            )
        assert set(table) == set(expected)
        for name, result in expected.items():
            assert close(table[name]["Tactical score"], result.score, 2), (
                name,
                weights,
                table[name],
            )
            assert table[name]["Label"] == result.label, (name, weights, table[name], result.score)
        mine, summary = expected[CUSTOM], explorer.summary()
        assert summary.startswith(f"{CUSTOM}: tactical score ") and summary.endswith(
            f"labelled {mine.label}."
        ), summary
        assert close(summary.split("score ")[1].split(",")[0], mine.score, 2), (summary, mine.score)
