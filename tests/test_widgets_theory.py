"""Tests for the Part I figures (coursekit.plots.theory) and explorers (coursekit.widgets.theory).

The explorers are driven as a reader would: set ``w.controls[name].value`` and read ``w.result``,
``w.message`` and ``w.figure``.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from matplotlib.figure import Figure

from coursekit import paths, theory
from coursekit.plots import theory as tplots
from coursekit.widgets import theory as twidgets


@pytest.fixture(autouse=True)
def _quiet_output(monkeypatch):
    """Outside a kernel an Output widget prints what it displays; keep the test log clean."""
    monkeypatch.setattr("coursekit.widgets.base.display", lambda *args, **kwargs: None)


def titled_and_labelled(ax) -> bool:
    return bool(ax.get_title(loc="left")) and bool(ax.get_xlabel()) and bool(ax.get_ylabel())


# --------------------------------------------------------------------------------------------------------
# Figures
# --------------------------------------------------------------------------------------------------------
class TestFigures:
    def test_threat_figure(self):
        result = theory.THREAT_PRESETS["jordan_1990"].assess()
        fig = tplots.threat_figure(result, state="Jordan")
        assert isinstance(fig, Figure)
        (ax,) = fig.axes
        assert titled_and_labelled(ax)
        assert "bandwagon with Iraq" in ax.get_title(loc="left")
        assert len(ax.patches) == len(theory.FACTORS) * len(result.scores)
        labels = {t.get_text(): t.get_fontweight() for t in ax.get_yticklabels()}
        assert labels["Iraq"] == "bold" and labels["Israel"] == "normal"
        # the top row is the most threatening actor
        assert ax.get_yticklabels()[-1].get_text() == result.most_threatening
        assert any(result.reason[:30] in t.get_text() for t in ax.texts)

    def test_threat_figure_no_alignment_title(self):
        result = theory.assess_threats(
            {"a": {"power": 1, "proximity": 1, "offensive": 1, "intentions": 1}}
        )
        ax = tplots.threat_figure(result).axes[0]
        assert "no alignment needed" in ax.get_title(loc="left")
        assert "hedge" not in ax.get_title(loc="left")
        assert any("no alignment needed if the top score" in t.get_text() for t in ax.texts)

    def test_threat_figure_hedge_title(self):
        result = theory.assess_threats(
            {"Giant": {"power": 10, "proximity": 10, "offensive": 8, "intentions": 5}},
            own_power=2,
        )
        assert result.strategy == "hedge"
        assert "hedge towards Giant" in tplots.threat_figure(result).axes[0].get_title(loc="left")

    def test_gains_figure_with_and_without_region(self):
        gains = theory.alliance_gains()
        one = tplots.gains_figure(gains)
        assert len(one.axes) == 1 and titled_and_labelled(one.axes[0])
        assert "forms" in one.axes[0].get_title(loc="left")
        region = theory.formation_region(grid=21)
        two = tplots.gains_figure(gains, region)
        assert len(two.axes) == 2 and all(titled_and_labelled(ax) for ax in two.axes)
        right = two.axes[1]
        assert right.get_xlabel() == theory.PARAM_LABELS["concessions"]
        image = right.get_images()[0].get_array()
        assert image.shape == region.forms.shape
        assert (image == region.forms).all()
        marker = [line for line in right.get_lines() if line.get_marker() == "o"][0]
        assert (marker.get_xdata()[0], marker.get_ydata()[0]) == region.point

    def test_gains_figure_symmetric_mode(self):
        gains = theory.alliance_gains(
            dict(
                weak_capability=5,
                strong_capability=5,
                weak_threat=10,
                strong_threat=10,
                concessions=4.5,
            ),
            mode="symmetric",
        )
        ax = tplots.gains_figure(gains).axes[0]
        labels = " ".join(t.get_text() for t in ax.get_xticklabels())
        assert "Stronger partner\n(gains security)" in labels
        heights = [p.get_height() for p in ax.patches]
        assert pytest.approx(gains.strong_security_gain) in heights

    def test_region_panel_greys_invalid_points(self):
        region = theory.formation_region(
            x_axis="weak_capability", y_axis="strong_capability", grid=21
        )
        fig = tplots.gains_figure(theory.alliance_gains(), region)
        image = fig.axes[1].get_images()[0].get_array()
        assert (image[region.invalid] == 2).all()
        assert (image[~region.invalid] == region.forms[~region.invalid]).all()

    def test_modes_figure(self):
        comparison = theory.compare_modes(grid=21)
        fig = tplots.modes_figure(comparison)
        left, right = fig.axes
        assert titled_and_labelled(left) and titled_and_labelled(right)
        assert left.get_title(loc="left").startswith("Asymmetric")
        assert f"{comparison.shares['asymmetric']:.0%} forms" in left.get_title(loc="left")
        assert right.get_title(loc="left").startswith("Symmetric")

    def test_arms_alliance_figure(self):
        choice = theory.arms_or_alliance(
            3,
            8,
            3,
            arms_security=3,
            arms_wealth_cost=2,
            alliance_security=3,
            alliance_autonomy_cost=2,
        )
        ax = tplots.arms_alliance_figure(choice).axes[0]
        assert titled_and_labelled(ax)
        assert "alliance is best" in ax.get_title(loc="left")
        assert [p.get_height() for p in ax.patches] == [
            pytest.approx(choice.utilities[o]) for o in theory.OPTIONS
        ]

    def test_dilemma_figure_and_update_in_place(self):
        curves = theory.dilemma_curves(commitment=0.2, dependence=0.9, partner_commitment=0.1)
        fig = tplots.dilemma_figure(curves)
        (ax,) = fig.axes
        assert titled_and_labelled(ax)
        assert "abandonment" in ax.get_title(loc="left")
        lines_before = list(ax.get_lines())
        total = [line for line in lines_before if line.get_label() == "expected cost (sum)"][0]
        assert np.allclose(total.get_ydata(), curves.expected_cost)
        other = theory.dilemma_curves(commitment=0.9, dependence=0.1, partner_commitment=0.9)
        same = tplots.dilemma_figure(other, fig=fig)
        assert same is fig
        texts_before = len(ax.texts)
        assert list(ax.get_lines()) == lines_before  # no new artists
        assert len(ax.texts) == texts_before
        assert np.allclose(total.get_ydata(), other.expected_cost)
        point = [line for line in ax.get_lines() if line.get_marker() == "o"][0]
        assert point.get_xdata()[0] == pytest.approx(0.9)
        assert "entrapment" in ax.get_title(loc="left")
        best = [line for line in ax.get_lines() if line.get_label() == "best commitment"][0]
        assert best.get_xdata()[0] == pytest.approx(other.result.best_commitment)

    def test_dilemma_png_matches_a_full_rendering(self):
        import io

        from PIL import Image

        from coursekit.plots.style import to_png

        fig = tplots.dilemma_figure(theory.dilemma_curves(commitment=0.1))
        first = tplots.dilemma_png(fig, dpi=72)
        tplots.dilemma_figure(theory.dilemma_curves(commitment=0.8, dependence=0.2), fig=fig)
        fast = np.asarray(Image.open(io.BytesIO(tplots.dilemma_png(fig, dpi=72))), dtype=int)
        full = np.asarray(Image.open(io.BytesIO(to_png(fig, dpi=72))), dtype=int)
        assert fast.shape == full.shape
        assert (np.abs(fast - full) > 8).mean() < 0.002  # the same picture, up to anti-aliasing
        assert first != tplots.dilemma_png(fig, dpi=72)  # the update shows
        other = tplots.indifference_figure(theory.altfeld_decision(3, 8, 4, 2))
        assert tplots.dilemma_png(other, dpi=50) == to_png(other, dpi=50)

    def test_threat_figure_updates_in_place_and_live_png_matches(self):
        import io

        from PIL import Image

        from coursekit.plots.style import to_png

        def threats(power):
            return {
                "A": {"power": power, "proximity": 9, "offensive": 7, "intentions": 5},
                "B": {"power": 2, "proximity": 3, "offensive": 2, "intentions": 2},
            }

        first = theory.assess_threats(threats(6), own_power=2)
        fig = tplots.threat_figure(first, state="S")
        ax = fig.axes[0]
        before = tplots.live_png(fig)
        patches, texts = list(ax.patches), list(ax.texts)
        second = theory.assess_threats(threats(9), own_power=2, ally_support=1)
        assert second.strategy != first.strategy
        same = tplots.threat_figure(second, state="S", fig=fig)
        assert same is fig
        assert list(ax.patches) == patches and list(ax.texts) == texts  # no new artists
        assert sum(p.get_width() for p in patches[1::2]) == pytest.approx(second.scores["A"])
        assert "bandwagon with A" in ax.get_title(loc="left")
        assert any(second.reason[:30] in t.get_text() for t in ax.texts)
        fast = np.asarray(Image.open(io.BytesIO(tplots.live_png(fig))), dtype=int)
        full = np.asarray(Image.open(io.BytesIO(to_png(fig, dpi=72))), dtype=int)
        assert fast.shape == full.shape
        assert (np.abs(fast - full) > 8).mean() < 0.002
        assert tplots.live_png(fig) != before
        # A change of ranking (or actors, weights, floor) draws a new figure.
        third = theory.assess_threats(
            {**threats(0), "B": {"power": 9, "proximity": 9, "offensive": 9, "intentions": 9}},
            own_power=2,
        )
        assert third.ranking != second.ranking
        assert tplots.threat_figure(third, state="S", fig=fig) is not fig

    def test_gains_figure_updates_in_place_and_live_png_matches(self):
        import io

        from PIL import Image

        from coursekit.plots.style import to_png

        def view(k):
            return theory.alliance_gains({"concessions": k}), theory.formation_region(
                {"concessions": k}, grid=41
            )

        fig = tplots.gains_figure(*view(4.0))
        left, right = fig.axes
        before = tplots.live_png(fig)
        patches = list(left.patches)
        gains, region = view(4.2)
        assert tplots.gains_figure(gains, region, fig=fig) is fig
        assert list(left.patches) == patches
        assert [p.get_height() for p in patches] == pytest.approx(
            [
                gains.weak_security_gain,
                -gains.weak_autonomy_loss,
                gains.weak_net,
                gains.strong_benefit,
                -gains.strong_security_cost,
                gains.strong_net,
            ]
        )
        assert (right.get_images()[0].get_array() == region.forms).all()
        marker = [line for line in right.get_lines() if line.get_marker() == "o"][0]
        assert (marker.get_xdata()[0], marker.get_ydata()[0]) == region.point
        assert f"({region.share:.0%} of the map)" in right.get_title(loc="left")
        fast = np.asarray(Image.open(io.BytesIO(tplots.live_png(fig))), dtype=int)
        full = np.asarray(Image.open(io.BytesIO(to_png(fig, dpi=72))), dtype=int)
        assert fast.shape == full.shape
        assert (np.abs(fast - full) > 8).mean() < 0.002
        assert tplots.live_png(fig) != before
        # Another mode (or map axes, or bar limits) draws a new figure.
        other = theory.alliance_gains({"concessions": 4.2}, mode="symmetric")
        assert tplots.gains_figure(other, region, fig=fig) is not fig

    def test_checklist_figure_updates_in_place_and_live_png_matches(self):
        import io

        from PIL import Image

        from coursekit.plots.style import to_png

        cases = theory.classify_cases(
            pd.DataFrame(
                [
                    dict(
                        case_id="a",
                        name="Case A",
                        classification="tactical",
                        **dict.fromkeys(theory.FEATURES, 1),
                    ),
                    dict(
                        case_id="b",
                        name="Case B",
                        classification="strategic",
                        **dict.fromkeys(theory.FEATURES, 0),
                    ),
                ]
            )
        )
        low = theory.classify_alliance(dict.fromkeys(theory.FEATURES, 0.25))
        fig = tplots.checklist_figure(low, name="Custom", cases=cases, highlight=None)
        left, right = fig.axes
        bars = list(left.patches)
        before = tplots.live_png(fig)
        high = theory.classify_alliance(dict.fromkeys(theory.FEATURES, 1.0))
        assert tplots.checklist_figure(high, name="Custom", cases=cases, fig=fig) is fig
        assert list(left.patches) == bars
        assert "1.00 → tactical" in left.get_title(loc="left")
        dashed = [line for line in right.get_lines() if line.get_linestyle() == "--"]
        assert dashed[0].get_xdata()[0] == pytest.approx(high.score)
        fast = np.asarray(Image.open(io.BytesIO(tplots.live_png(fig))), dtype=int)
        full = np.asarray(Image.open(io.BytesIO(to_png(fig, dpi=72))), dtype=int)
        assert fast.shape == full.shape
        assert (np.abs(fast - full) > 8).mean() < 0.002
        assert tplots.live_png(fig) != before
        # Other weights change the grey maxima (and every case's score): a new figure.
        equal = theory.classify_alliance(dict.fromkeys(theory.FEATURES, 1.0), "equal")
        assert tplots.checklist_figure(equal, name="Custom", cases=cases, fig=fig) is not fig

    def test_gains_figure_says_who_refuses(self):
        fig = tplots.gains_figure(theory.alliance_gains({"concessions": 0}))
        assert "stronger partner would not gain" in " ".join(
            fig.axes[0].get_title(loc="left").split()
        )

    def test_indifference_figure(self):
        joins = theory.altfeld_decision(3, 8, 4, 2)
        stays = theory.altfeld_decision(3, 8, 1, 5)
        fig = tplots.indifference_figure(joins, extra_levels=[2, 4])
        (ax,) = fig.axes
        assert titled_and_labelled(ax)
        assert "join" in ax.get_title(loc="left")
        assert "stay out" in tplots.indifference_figure(stays).axes[0].get_title(loc="left")
        assert len(ax.get_lines()) >= 4

    def test_checklist_and_cases_figures(self):
        cases = pd.DataFrame(
            [
                dict(
                    case_id="a",
                    name="Case A",
                    classification="tactical",
                    **dict.fromkeys(theory.FEATURES, 1),
                ),
                dict(
                    case_id="b",
                    name="Case B",
                    classification="strategic",
                    **dict.fromkeys(theory.FEATURES, 0),
                ),
            ]
        )
        classified = theory.classify_cases(cases)
        c = theory.classify_alliance(dict.fromkeys(theory.FEATURES, 1))
        single = tplots.checklist_figure(c, name="Case A")
        assert len(single.axes) == 1 and titled_and_labelled(single.axes[0])
        assert "Case A" in single.axes[0].get_title(loc="left")
        both = tplots.checklist_figure(c, name="Case A", cases=classified, highlight="a")
        assert len(both.axes) == 2 and all(titled_and_labelled(ax) for ax in both.axes)
        bold = [
            t.get_text() for t in both.axes[1].get_yticklabels() if t.get_fontweight() == "bold"
        ]
        assert bold == ["Case A"]
        dashed = [line for line in both.axes[1].get_lines() if line.get_linestyle() == "--"]
        assert [line.get_xdata()[0] for line in dashed] == [pytest.approx(c.score)]
        alone = tplots.cases_figure(classified)
        assert titled_and_labelled(alone.axes[0])
        assert [t.get_text() for t in alone.axes[0].get_yticklabels()] == ["Case B", "Case A"]

    def test_process_model_figure(self):
        fig = tplots.process_model_figure(highlight=3, annotations={2: "2017–2018"})
        (ax,) = fig.axes
        assert ax.get_title(loc="left")
        texts = " ".join(t.get_text() for t in ax.texts)
        for step in theory.PROCESS_STEPS:
            assert step.title.split()[0] in texts
        assert "2017–2018" in texts
        with pytest.raises(ValueError, match="highlight = 5"):
            tplots.process_model_figure(highlight=5)
        with pytest.raises(ValueError, match=r"unknown step\(s\) \[0\]"):
            tplots.process_model_figure(annotations={0: "x"})


# --------------------------------------------------------------------------------------------------------
# Threat explorer
# --------------------------------------------------------------------------------------------------------
def count_computes(widget) -> list[int]:
    calls = [0]
    original = widget.compute

    def counting(**values):
        calls[0] += 1
        return original(**values)

    widget.compute = counting
    return calls


class TestThreatExplorer:
    def test_default_is_the_car_preset(self):
        w = twidgets.ThreatExplorer()
        assert w.message == ""
        assert isinstance(w.figure, Figure)
        expected = theory.THREAT_PRESETS["car_2017_2020"].assess()
        assert w.result.scores == expected.scores
        assert w.result.strategy == "balance"
        assert w.controls["name_3"].value == ""  # unused slot

    def test_moving_a_slider_recomputes(self):
        w = twidgets.ThreatExplorer()
        before = w.result.scores["France (as perceived by the regime)"]
        w.controls["proximity_2"].value = 10
        assert w.result.scores["France (as perceived by the regime)"] > before
        w.controls["allies_available"].value = False
        # The armed groups' intentions look implacable: even alone the government resists them.
        assert w.result.strategy == "balance"
        assert "arms and resists alone" in w.result.reason
        w.controls["intentions_1"].value = 5
        assert w.result.strategy == "bandwagon"
        assert isinstance(w.figure, Figure)

    def test_ally_support_and_thresholds_are_controls(self):
        w = twidgets.ThreatExplorer(preset="jordan_1990")
        assert w.result.strategy == "bandwagon"
        w.controls["allies_available"].value = True
        w.controls["ally_support"].value = 2
        assert w.result.ally_support == 2 and w.result.strategy == "bandwagon"
        w.controls["ally_support"].value = 9
        assert w.result.strategy == "hedge"
        w.controls["implacable_from"].value = 5
        assert w.result.rules.implacable_from == 5
        assert w.result.strategy == "balance"
        w.controls["threat_floor"].value = 9
        assert w.result.strategy == "no_alignment"
        w.controls["allies_available"].value = False
        assert w.result.ally_support == 0  # the slider is ignored without allies

    def test_slider_moves_reuse_the_figure_until_the_layout_changes(self):
        w = twidgets.ThreatExplorer()
        fig = w.figure
        w.controls["offensive_1"].value = 7
        assert w.figure is fig
        w.controls["w_power"].value = 2  # the legend shows the weights: a new figure
        assert w.figure is not fig
        assert w.png()[:8] == b"\x89PNG\r\n\x1a\n"

    def test_preset_sets_every_control_with_one_update(self):
        w = twidgets.ThreatExplorer()
        calls = count_computes(w)
        w.controls["preset"].value = "jordan_1990"
        assert calls[0] == 1
        assert w.controls["name_3"].value == "US-led coalition"
        assert w.controls["own_power"].value == 2
        assert w.controls["allies_available"].value is False
        assert w.controls["ally_support"].value == 0
        assert w.result.strategy == "bandwagon" and w.result.most_threatening == "Iraq"
        w.controls["preset"].value = "egypt_1967"
        assert w.controls["name_3"].value == ""
        assert set(w.result.scores) == {"Israel", "United States"}
        assert "Egypt" in w._note.value

    def test_all_weights_zero_shows_a_message_not_a_traceback(self):
        w = twidgets.ThreatExplorer()
        for factor in theory.FACTORS:
            w.controls[f"w_{factor}"].value = 0
        assert w.result is None and w.figure is None
        assert w.message.startswith("All factor weights are 0")
        assert "All factor weights are 0" in w._message_box.value
        w.controls["w_intentions"].value = 1
        assert w.message == "" and w.result is not None

    def test_no_named_threat(self):
        w = twidgets.ThreatExplorer()
        w.controls["name_1"].value = " "
        w.controls["name_2"].value = ""
        assert w.result is None
        assert "No threat is named" in w.message

    def test_duplicate_names(self):
        w = twidgets.ThreatExplorer()
        w.controls["name_2"].value = w.controls["name_1"].value
        assert "both called" in w.message and w.result is None

    def test_third_threat_counts_once_named(self):
        w = twidgets.ThreatExplorer()
        w.controls["power_3"].value = 10
        w.controls["proximity_3"].value = 10
        w.controls["offensive_3"].value = 10
        w.controls["intentions_3"].value = 10
        assert len(w.result.scores) == 2  # still unnamed
        w.controls["name_3"].value = "New rebel coalition"
        assert w.result.most_threatening == "New rebel coalition"

    def test_initial_values_and_errors(self):
        w = twidgets.ThreatExplorer(preset="egypt_1967", own_power=1.0)
        assert w.controls["preset"].value == "egypt_1967"
        assert w.result.own_power == 1.0
        with pytest.raises(ValueError, match="not a threat preset"):
            twidgets.ThreatExplorer(preset="atlantis")
        with pytest.raises(ValueError, match="no control named 'colour'"):
            twidgets.ThreatExplorer(colour="red")


# --------------------------------------------------------------------------------------------------------
# Security–autonomy explorer
# --------------------------------------------------------------------------------------------------------
class TestSecurityAutonomyExplorer:
    def test_default(self):
        w = twidgets.SecurityAutonomyExplorer(grid=21)
        assert w.message == ""
        assert w.result.forms
        assert w.result.gains == theory.alliance_gains(theory.AllianceParams())
        assert isinstance(w.figure, Figure) and len(w.figure.axes) == 2

    def test_sliders_change_the_verdict(self):
        w = twidgets.SecurityAutonomyExplorer(grid=21)
        w.controls["concessions"].value = 0
        assert not w.result.forms
        assert "stronger partner" in w.result.gains.verdict
        w.controls["concessions"].value = 4
        w.controls["weak_threat"].value = 0
        assert not w.result.forms
        assert "weaker partner" in w.result.gains.verdict

    def test_map_axes_follow_the_dropdowns(self):
        w = twidgets.SecurityAutonomyExplorer(grid=21)
        w.controls["x_axis"].value = "commitment"
        w.controls["y_axis"].value = "strong_threat"
        assert (w.result.region.x_axis, w.result.region.y_axis) == ("commitment", "strong_threat")
        assert w.figure.axes[1].get_ylabel() == theory.PARAM_LABELS["strong_threat"]

    def test_same_axis_twice_shows_a_message(self):
        w = twidgets.SecurityAutonomyExplorer(grid=21)
        w.controls["x_axis"].value = "weak_threat"
        assert w.result is None and w.figure is None
        assert "two different parameters" in w.message
        w.controls["y_axis"].value = "commitment"
        assert w.message == "" and w.result is not None

    def test_mode_switch(self):
        w = twidgets.SecurityAutonomyExplorer(grid=21)
        assert w.result.gains.mode == "asymmetric" and w.result.forms
        w.controls["mode"].value = "symmetric"
        assert w.result.gains.mode == "symmetric" and w.result.region.mode == "symmetric"
        assert not w.result.forms  # a weak partner adds too little security for the patron
        assert w.result.gains == theory.alliance_gains(theory.AllianceParams(), mode="symmetric")

    def test_degenerate_inputs_show_a_message(self):
        w = twidgets.SecurityAutonomyExplorer(grid=11)
        w.controls["weak_capability"].value = 9
        assert w.result is None and w.figure is None
        assert "weak_capability = 9" in w.message and "strong_capability" in w.message
        w.controls["weak_capability"].value = 2
        w.controls["autonomy_price"].value = 0
        w.controls["concession_value"].value = 0
        assert "both 0" in w.message
        w.controls["concession_value"].value = 0.5
        assert w.message == "" and w.result.forms

    def test_initial_values(self):
        w = twidgets.SecurityAutonomyExplorer(grid=11, weak_threat=9.0, concessions=6.0)
        assert w.result.gains.params.weak_threat == 9.0
        assert w.result.region.forms.shape == (11, 11)


# --------------------------------------------------------------------------------------------------------
# Checklist
# --------------------------------------------------------------------------------------------------------
def small_cases() -> pd.DataFrame:
    return pd.DataFrame(
        [
            dict(
                case_id="car_russia",
                name="CAR–Russia",
                classification="tactical",
                **dict(dict.fromkeys(theory.FEATURES, 1.0), formal_treaty=0.5),
            ),
            dict(
                case_id="nato",
                name="NATO",
                classification="strategic",
                **dict(dict.fromkeys(theory.FEATURES, 0.0), formal_treaty=1.0, asymmetric=1.0),
            ),
        ]
    )


class TestAllianceChecklist:
    def test_starts_on_the_first_case(self):
        w = twidgets.AllianceChecklist(cases=small_cases())
        assert w.controls["case"].value == "car_russia"
        assert w.result.label == "tactical"
        assert w.result.score == pytest.approx(
            theory.classify_alliance(
                dict(dict.fromkeys(theory.FEATURES, 1.0), formal_treaty=0.5)
            ).score
        )
        assert list(w.result.cases["case_id"]) == ["car_russia", "nato"]
        assert isinstance(w.figure, Figure) and len(w.figure.axes) == 2

    def test_choosing_a_case_sets_the_sliders_in_one_update(self):
        w = twidgets.AllianceChecklist(cases=small_cases())
        calls = count_computes(w)
        w.controls["case"].value = "nato"
        assert calls[0] == 1
        assert w.controls["asymmetric"].value == 1.0 and w.controls["short_term"].value == 0.0
        assert w.result.label == "strategic" and w.result.name == "NATO"

    def test_moving_a_slider_makes_a_custom_case(self):
        w = twidgets.AllianceChecklist(cases=small_cases(), case="nato")
        before = w.result.score
        w.controls["short_term"].value = 1.0
        assert w.controls["case"].value == twidgets.CUSTOM
        assert w.result.name == "Custom case"
        assert w.result.score > before
        after = w.result.score
        w.controls["formal_treaty"].value = 0.0
        assert w.result.score == after  # not part of the definition: weight 0 by default
        w.controls["w_formal_treaty"].value = 1
        assert w.result.score > after

    def test_default_weights_follow_the_definition(self):
        w = twidgets.AllianceChecklist(cases=small_cases())
        for feature in theory.FEATURES:
            assert w.controls[f"w_{feature}"].value == theory.DEFAULT_FEATURE_WEIGHTS[feature]
        assert w.result.classification.weights == theory.feature_weights()

    def test_feature_moves_reuse_the_figure(self):
        w = twidgets.AllianceChecklist(cases=small_cases())
        w.controls["opportunistic"].value = 0.5  # a custom case: no case is highlighted any more
        fig = w.figure
        w.controls["personalised"].value = 0.25
        assert w.figure is fig and w.result.name == "Custom case"
        assert "Custom case" in fig.axes[0].get_title(loc="left")
        w.controls["w_asymmetric"].value = 1
        assert w.figure is not fig

    def test_weights_apply_to_every_case(self):
        w = twidgets.AllianceChecklist(cases=small_cases())
        for feature in theory.FEATURES:
            w.controls[f"w_{feature}"].value = 0
        assert w.result is None and "All feature weights are 0" in w.message
        w.controls["w_asymmetric"].value = 1
        assert w.message == ""
        # only asymmetry counts: both cases are asymmetric, so both score 1
        assert list(w.result.cases["tactical_score"]) == [1.0, 1.0]

    def test_initial_features_make_a_custom_case(self):
        w = twidgets.AllianceChecklist(cases=small_cases(), formal_treaty=1.0)
        assert w.controls["case"].value == twidgets.CUSTOM
        assert w.result.classification.features["formal_treaty"] == 1.0

    def test_errors(self):
        with pytest.raises(ValueError, match="case = 'atlantis'"):
            twidgets.AllianceChecklist(cases=small_cases(), case="atlantis")
        with pytest.raises(ValueError, match=r"missing column\(s\) \['asymmetric'\]"):
            twidgets.AllianceChecklist(cases=small_cases().drop(columns="asymmetric"))


# --------------------------------------------------------------------------------------------------------
# Abandonment–entrapment explorer
# --------------------------------------------------------------------------------------------------------
class TestAbandonmentEntrapmentExplorer:
    def test_default(self):
        w = twidgets.AbandonmentEntrapmentExplorer()
        assert w.message == ""
        expected = theory.dilemma_curves(**theory.DILEMMA_PARAMS)
        assert w.result.result == expected.result
        assert np.allclose(w.result.expected_cost, expected.expected_cost)
        assert isinstance(w.figure, Figure)

    def test_sliders_update_the_same_figure(self):
        w = twidgets.AbandonmentEntrapmentExplorer()
        fig = w.figure
        w.controls["dependence"].value = 1.0
        w.controls["partner_commitment"].value = 0.0
        w.controls["shared_interests"].value = 0.0
        assert w.figure is fig  # updated in place
        assert w.result.result.best_commitment == pytest.approx(0.5)
        w.controls["commitment"].value = 0.9
        assert w.result.result.commitment == 0.9
        assert "entrapment" in w.result.result.verdict
        assert "entrapment" in fig.axes[0].get_title(loc="left")

    def test_no_dilemma_says_so(self):
        w = twidgets.AbandonmentEntrapmentExplorer(
            dependence=0.0, shared_interests=1.0, partner_commitment=0.5
        )
        assert w.result.result.best_commitment is None
        assert "equally good" in " ".join(w.figure.axes[0].get_title(loc="left").split())
        w.controls["dependence"].value = 0.5
        w.controls["shared_interests"].value = 0.5
        assert w.result.result.best_commitment is not None

    def test_initial_values_and_errors(self):
        w = twidgets.AbandonmentEntrapmentExplorer(commitment=0.25)
        assert w.result.result.commitment == 0.25
        with pytest.raises(ValueError, match="no control named 'trust'"):
            twidgets.AbandonmentEntrapmentExplorer(trust=0.5)


@pytest.mark.skipif(
    not (paths.project_root() / "data" / "alliance_cases.csv").is_file(),
    reason="data/alliance_cases.csv is not written yet",
)
def test_checklist_on_the_course_data():
    from coursekit import data

    cases = data.load_alliance_cases()
    w = twidgets.AllianceChecklist()
    assert len(w.result.cases) == len(cases)
    for case_id in cases["case_id"]:
        w.controls["case"].value = str(case_id)
        assert w.message == ""
        assert w.result.case_id == str(case_id)
        assert isinstance(w.figure, Figure)


def test_threat_notes_cite_authors_not_bibliography_keys():
    from coursekit import data, theory

    for key, preset in theory.THREAT_PRESETS.items():
        w = twidgets.ThreatExplorer(preset=key)
        note = w._note.value
        assert not any(k in note for k in preset.sources), (
            f"{key}: the note shows a raw bibliography key"
        )
        first_author = data.short_citations(list(preset.sources)).split(" (")[0]
        assert first_author in note.replace("&amp;", "&")
