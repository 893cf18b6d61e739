"""Tests of coursekit.theory.security_autonomy and coursekit.theory.altfeld."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from coursekit import theory as t

ROOT = Path(__file__).resolve().parents[1]


def factors(power=5.0, proximity=5.0, offensive=5.0, intentions=5.0):
    return {
        "power": power,
        "proximity": proximity,
        "offensive": offensive,
        "intentions": intentions,
    }


# --------------------------------------------------------------------------------------------------------
# Security–autonomy model
# --------------------------------------------------------------------------------------------------------
class TestAllianceGains:
    def test_defaults_form_an_alliance(self):
        result = t.alliance_gains()
        assert result.forms
        assert result.weak_net == pytest.approx(
            result.weak_security_gain - result.weak_autonomy_loss
        )
        assert result.strong_net == pytest.approx(
            result.strong_autonomy_gain - result.strong_security_cost
        )
        assert result.strong_benefit == result.strong_autonomy_gain
        assert result.strong_security_gain == 0
        assert result.mode == "asymmetric"
        assert result.verdict == "Both partners gain: the alliance forms."

    def test_equations(self):
        p = t.AllianceParams(
            weak_capability=2,
            strong_capability=8,
            weak_threat=10,
            strong_threat=5,
            commitment=4,
            concessions=3,
            autonomy_price=0.5,
            concession_value=1.0,
        )
        r = t.alliance_gains(p)
        assert r.weak_security_gain == pytest.approx(10 * 0.4 * 0.8)
        assert r.weak_autonomy_loss == pytest.approx(1.5)
        assert r.strong_autonomy_gain == pytest.approx(3.0)
        # The patron's cost grows with the mean of both threats: its own (5) and the client's (10).
        assert r.strong_security_cost == pytest.approx(4 * (1 + (5 + 10) / 20) / 8)
        assert r.concession_range == pytest.approx((0.875 / 1.0, 3.2 / 0.5))

    def test_symmetric_equations(self):
        p = t.AllianceParams(
            weak_capability=4,
            strong_capability=6,
            weak_threat=8,
            strong_threat=10,
            commitment=5,
            concessions=4.5,
            autonomy_price=0.5,
            concession_value=2.0,
        )
        r = t.alliance_gains(p, mode="symmetric")
        assert r.mode == "symmetric"
        assert r.weak_security_gain == pytest.approx(8 * 0.5 * 0.6)
        assert r.strong_autonomy_gain == 0
        assert r.strong_security_gain == pytest.approx(10 * 0.45 * 0.4)  # the client has 4 of 10
        assert r.strong_benefit == r.strong_security_gain
        assert r.strong_security_cost == pytest.approx(5 * (1 + 18 / 20) / 6)
        assert r.forms
        least, most = r.concession_range
        assert least == pytest.approx(r.strong_security_cost / (10 / 10 * 0.4))
        assert most == pytest.approx(r.weak_security_gain / 0.5)

    def test_symmetric_alliance_of_equals_facing_threats_can_form(self):
        equals = dict(
            weak_capability=5,
            strong_capability=5,
            weak_threat=10,
            strong_threat=10,
            concessions=4.5,
        )
        assert t.alliance_gains(equals, mode="symmetric").forms
        # ... but a weak partner adds too little security for the patron to gain.
        assert not t.alliance_gains({**equals, "weak_capability": 1}, mode="symmetric").forms

    def test_patron_pays_for_entrapment(self):
        costs = [
            t.alliance_gains({"weak_threat": float(v)}).strong_security_cost for v in range(11)
        ]
        assert np.all(np.diff(costs) > 0)

    def test_no_concessions_no_alliance(self):
        result = t.alliance_gains({"concessions": 0})
        assert not result.forms
        assert result.strong_net < 0
        assert "stronger partner" in result.verdict

    def test_no_threat_no_alliance(self):
        result = t.alliance_gains({"weak_threat": 0})
        assert not result.forms
        assert "weaker partner" in result.verdict

    def test_exactly_zero_gain_does_not_form(self):
        # strong_net = 0.5 * k - 5 * 1.0 / 5 = 0 at k = 2 (no threat on either side)
        result = t.alliance_gains(
            {
                "concessions": 2,
                "commitment": 5,
                "strong_capability": 5,
                "strong_threat": 0,
                "weak_threat": 0,
            }
        )
        assert result.strong_net == pytest.approx(0)
        assert not result.forms

    @pytest.mark.parametrize(
        ("param", "side", "direction"),
        [
            ("weak_threat", "weak_net", +1),
            ("commitment", "weak_net", +1),
            ("strong_capability", "weak_net", +1),
            ("weak_capability", "weak_net", -1),
            ("concessions", "weak_net", -1),
            ("autonomy_price", "weak_net", -1),
            ("concessions", "strong_net", +1),
            ("concession_value", "strong_net", +1),
            ("strong_capability", "strong_net", +1),
            ("commitment", "strong_net", -1),
            ("strong_threat", "strong_net", -1),
            ("weak_threat", "strong_net", -1),
        ],
    )
    def test_monotone(self, param, side, direction):
        lo, hi = t.PARAM_RANGES[param]
        # Keep the weaker partner no stronger than the patron over the whole sweep.
        base = {"strong_capability": 10.0} if param == "weak_capability" else {}
        if param == "strong_capability":
            base = {"weak_capability": 0.5}
        gains = [
            getattr(t.alliance_gains({**base, param: float(v)}), side)
            for v in np.linspace(lo, hi, 12)
        ]
        steps = np.diff(gains) * direction
        assert np.all(steps > 0), (
            f"{side} should {'rise' if direction > 0 else 'fall'} with {param}"
        )

    def test_concession_range_matches_forms(self):
        base = t.AllianceParams()
        lo, hi = t.alliance_gains(base).concession_range
        assert 0 < lo < hi < 10
        for k in np.linspace(0, 10, 41):
            result = t.alliance_gains({"concessions": float(k)})
            assert result.forms == (lo < k < hi)

    def test_invalid_parameters(self):
        with pytest.raises(ValueError, match=r"strong_capability.*0\.5–10"):
            t.alliance_gains({"strong_capability": 0})
        with pytest.raises(ValueError, match=r"weak_threat.*= 11"):
            t.AllianceParams(weak_threat=11)
        with pytest.raises(ValueError, match=r"unknown parameter\(s\) \['bases'\]"):
            t.alliance_gains({"bases": 3})
        with pytest.raises(ValueError, match="AllianceParams or a mapping"):
            t.alliance_gains([1, 2, 3])

    def test_degenerate_parameters_name_the_parameter(self):
        with pytest.raises(ValueError, match=r"weak_capability = 9 is above strong_capability = 8"):
            t.alliance_gains({"weak_capability": 9})
        with pytest.raises(ValueError, match="autonomy_price and concession_value are both 0"):
            t.alliance_gains({"autonomy_price": 0, "concession_value": 0})
        with pytest.raises(
            ValueError, match=r"commitment \(AllianceParams\) = nan is not a finite"
        ):
            t.alliance_gains({"commitment": math.nan})
        with pytest.raises(ValueError, match="concessions.*must be a number"):
            t.alliance_gains({"concessions": "4"})
        with pytest.raises(ValueError, match="mode = 'mutual' is not a kind of alliance"):
            t.alliance_gains(mode="mutual")

    def test_one_price_zero_gives_an_open_range(self):
        free = t.alliance_gains({"autonomy_price": 0})
        assert free.concession_range[1] == math.inf
        assert t.alliance_gains({"concession_value": 0}).concession_range[0] == math.inf


class TestFormationRegion:
    def test_shape_and_consistency_with_alliance_gains(self):
        region = t.formation_region(t.AllianceParams(), "concessions", "weak_threat", grid=21)
        assert region.forms.shape == (21, 21)
        assert region.x[0] == 0 and region.x[-1] == 10
        for i, j in [(0, 0), (5, 7), (20, 3), (14, 14), (10, 20)]:
            point = t.alliance_gains({"concessions": region.x[j], "weak_threat": region.y[i]})
            assert region.weak_net[i, j] == pytest.approx(point.weak_net)
            assert region.strong_net[i, j] == pytest.approx(point.strong_net)
            assert bool(region.forms[i, j]) == point.forms
        assert region.point == (4.0, 7.0)
        assert 0 < region.share < 1

    def test_forming_concessions_are_an_interval_at_each_threat(self):
        region = t.formation_region(grid=51)
        for row in region.forms:
            idx = np.flatnonzero(row)
            if idx.size:
                assert np.all(np.diff(idx) == 1)

    def test_more_threat_widens_the_bargaining_range_with_default_prices(self):
        # The client's valuation grows faster than the patron's entrapment cost at the default prices.
        widths = []
        for v in np.linspace(0, 10, 21):
            low, high = t.alliance_gains({"weak_threat": float(v)}).concession_range
            widths.append(high - low)
        assert np.all(np.diff(widths) > 0)
        region = t.formation_region(grid=51)
        counts = region.forms.sum(axis=1)
        assert counts[-1] > counts[0]

    def test_entrapment_can_shrink_the_range_when_concessions_are_cheap_for_the_patron(self):
        # With concessions worth little to the patron, its entrapment cost rises faster than the client's
        # valuation: a more threatened client is harder to help.
        cheap = {"concession_value": 0.05, "autonomy_price": 2.0, "strong_capability": 2.0}
        low1, high1 = t.alliance_gains({**cheap, "weak_threat": 2}).concession_range
        low2, high2 = t.alliance_gains({**cheap, "weak_threat": 4}).concession_range
        assert (high2 - low2) < (high1 - low1)

    def test_invalid_grid_points_are_marked_and_never_form(self):
        region = t.formation_region(x_axis="weak_capability", y_axis="strong_capability", grid=21)
        assert region.invalid is not None
        xx, yy = np.meshgrid(region.x, region.y)
        assert np.array_equal(region.invalid, xx > yy)
        assert not region.forms[region.invalid].any()
        assert np.isnan(region.weak_net[region.invalid]).all()
        assert 0 < region.share < 1
        assert region.share == pytest.approx(region.forms[~region.invalid].mean())

    def test_custom_range(self):
        region = t.formation_region(
            x_axis="commitment", y_axis="strong_threat", grid=5, x_range=(2, 6)
        )
        assert list(region.x) == [2, 3, 4, 5, 6]

    def test_errors(self):
        with pytest.raises(ValueError, match="both 'commitment'"):
            t.formation_region(x_axis="commitment", y_axis="commitment")
        with pytest.raises(ValueError, match="x_axis = 'bases' is not a parameter"):
            t.formation_region(x_axis="bases")
        with pytest.raises(ValueError, match="grid = 1"):
            t.formation_region(grid=1)
        with pytest.raises(ValueError, match="grid"):
            t.formation_region(grid=10.5)
        with pytest.raises(ValueError, match="low must be below high"):
            t.formation_region(x_range=(5, 5))
        with pytest.raises(ValueError, match=r"x_range\[1\] for concessions"):
            t.formation_region(x_range=(0, 12))


class TestCompareModes:
    @pytest.mark.parametrize(
        ("x_axis", "y_axis"),
        [
            ("concessions", "weak_threat"),
            ("weak_capability", "strong_capability"),
            ("strong_threat", "weak_threat"),
            ("concessions", "commitment"),
        ],
    )
    def test_asymmetric_alliances_form_more_easily(self, x_axis, y_axis):
        comparison = t.compare_modes(t.AllianceParams(), x_axis, y_axis, grid=41)
        assert comparison.asymmetric_easier
        assert comparison.shares["asymmetric"] > comparison.shares["symmetric"]
        assert comparison.asymmetric.mode == "asymmetric"
        assert comparison.symmetric.mode == "symmetric"

    def test_symmetric_forms_somewhere_among_near_equals(self):
        params = {"weak_capability": 5, "strong_capability": 6, "strong_threat": 8}
        comparison = t.compare_modes(params, "weak_capability", "strong_capability", grid=41)
        assert comparison.shares["symmetric"] > 0

    @settings(max_examples=300, deadline=None, database=None)
    @given(
        st.fixed_dictionaries(
            {
                "weak_capability": st.floats(0, 10),
                "strong_capability": st.floats(0.5, 10),
                "weak_threat": st.floats(0, 10),
                "strong_threat": st.floats(0, 10),
                "commitment": st.floats(0, 10),
                "concessions": st.floats(0, 10),
                "autonomy_price": st.floats(0.01, 2),
                "concession_value": st.floats(0.5, 2),
            }
        )
    )
    def test_whatever_forms_symmetrically_forms_asymmetrically(self, params):
        # When a unit of concession is worth at least 0.5 to the patron (the most a unit of the client's
        # military help can be worth), every symmetric alliance that forms would also form asymmetrically.
        if params["weak_capability"] > params["strong_capability"]:
            params["weak_capability"], params["strong_capability"] = (
                params["strong_capability"],
                max(params["weak_capability"], 0.5),
            )
        if t.alliance_gains(params, mode="symmetric").forms:
            assert t.alliance_gains(params, mode="asymmetric").forms


class TestAltfeld:
    def test_utility_and_indifference_curve_agree(self):
        autonomy = np.linspace(1, 10, 10)
        security = t.indifference_curve(4.0, autonomy, security_weight=0.6)
        ok = ~np.isnan(security)
        assert ok.sum() >= 5
        assert np.allclose(t.utility(security[ok], autonomy[ok], 0.6), 4.0)
        assert np.all(np.diff(security[ok]) < 0)  # more autonomy, less security needed

    def test_curve_leaves_out_impossible_points(self):
        curve = t.indifference_curve(8.0, [0.0, 0.5, 10.0])
        assert math.isnan(curve[0]) and math.isnan(curve[1])
        assert curve[2] == pytest.approx(6.4)

    def test_decision(self):
        good = t.altfeld_decision(security=3, autonomy=8, security_gain=4, autonomy_loss=2)
        bad = t.altfeld_decision(security=3, autonomy=8, security_gain=1, autonomy_loss=5)
        assert good.joins and not bad.joins
        assert good.after == (7.0, 6.0)
        assert good.utility_after > good.utility_before

    def test_max_autonomy_loss_is_the_indifference_point(self):
        choice = t.altfeld_decision(security=4, autonomy=8, security_gain=3, autonomy_loss=1)
        edge = t.altfeld_decision(4, 8, 3, choice.max_autonomy_loss)
        assert edge.utility_after == pytest.approx(edge.utility_before)
        assert not t.altfeld_decision(4, 8, 3, choice.max_autonomy_loss + 0.01).joins
        assert t.altfeld_decision(4, 8, 3, choice.max_autonomy_loss - 0.01).joins

    def test_security_minded_states_give_up_more(self):
        losses = [t.altfeld_decision(4, 8, 3, 1, w).max_autonomy_loss for w in (0.2, 0.5, 0.8)]
        assert losses[0] < losses[1] < losses[2]

    def test_errors(self):
        for w in (0, 1, 1.5, -0.2):
            with pytest.raises(ValueError, match="security_weight"):
                t.utility(5, 5, w)
        with pytest.raises(ValueError, match=r"security_gain.*0–4"):
            t.altfeld_decision(6, 5, 5, 1)
        with pytest.raises(ValueError, match=r"autonomy_loss.*0–5"):
            t.altfeld_decision(6, 5, 1, 6)
        with pytest.raises(ValueError, match="autonomy = 0"):
            t.altfeld_decision(6, 0, 1, 0)
        with pytest.raises(ValueError, match="autonomy must be between 0 and 10"):
            t.utility(5, 11)


class TestArmsOrAlliance:
    def test_pays_in_what_it_has_most_of(self):
        kwargs = dict(
            arms_security=3, arms_wealth_cost=2, alliance_security=3, alliance_autonomy_cost=2
        )
        rich = t.arms_or_alliance(3, 3, 8, **kwargs)
        proud = t.arms_or_alliance(3, 8, 3, **kwargs)
        assert rich.best == "arms"
        assert proud.best == "alliance"
        assert proud.positions["alliance"] == (6.0, 6.0, 3.0)
        assert proud.positions["both"] == (9.0, 6.0, 1.0)
        for option in t.OPTIONS:
            assert proud.utilities[option] == pytest.approx(
                t.altfeld_utility(*proud.positions[option])
            )

    def test_weights_change_the_choice(self):
        kwargs = dict(
            arms_security=3, arms_wealth_cost=2, alliance_security=3, alliance_autonomy_cost=2
        )
        # A state that prizes autonomy arms; one that prizes wealth allies; a fearful one does both.
        assert t.arms_or_alliance(2, 5, 5, **kwargs, weights=[1, 5, 1]).best == "arms"
        assert t.arms_or_alliance(2, 5, 5, **kwargs, weights=[1, 1, 5]).best == "alliance"
        assert t.arms_or_alliance(2, 5, 5, **kwargs, weights=[6, 1, 1]).best == "both"

    def test_nothing_worth_buying(self):
        choice = t.arms_or_alliance(
            9,
            5,
            5,
            arms_security=0,
            arms_wealth_cost=3,
            alliance_security=0,
            alliance_autonomy_cost=3,
        )
        assert choice.best == "neither"

    def test_errors_name_the_parameter(self):
        kwargs = dict(
            arms_security=3, arms_wealth_cost=2, alliance_security=3, alliance_autonomy_cost=2
        )
        with pytest.raises(ValueError, match=r"arms_wealth_cost.*0–1"):
            t.arms_or_alliance(5, 5, 1, **kwargs)
        with pytest.raises(ValueError, match=r"alliance_autonomy_cost.*0–1"):
            t.arms_or_alliance(5, 1, 5, **kwargs)
        with pytest.raises(ValueError, match="wealth = nan"):
            t.arms_or_alliance(5, 5, math.nan, **kwargs)
        with pytest.raises(ValueError, match="all weights are 0"):
            t.arms_or_alliance(5, 5, 5, **kwargs, weights=[0, 0, 0])


class TestClientAltfeldChoice:
    def test_reads_the_client_gain_as_a_move(self):
        gains = t.alliance_gains(t.CAR_RUSSIA_EXAMPLE)
        choice = t.client_altfeld_choice(gains, security=2, autonomy=6)
        assert choice.after[0] == pytest.approx(2 + gains.weak_security_gain)
        assert choice.after[1] == pytest.approx(6 - gains.weak_autonomy_loss)

    def test_curves_can_refuse_what_points_accept(self):
        # The points say yes (weak_net > 0); with little autonomy left, the bent curves say no.
        gains = t.alliance_gains(t.CAR_RUSSIA_EXAMPLE)
        assert gains.weak_net > 0
        assert not t.client_altfeld_choice(gains, security=6, autonomy=3).joins
        assert t.client_altfeld_choice(gains, security=1, autonomy=9).joins

    def test_errors(self):
        with pytest.raises(ValueError, match="result of alliance_gains"):
            t.client_altfeld_choice({"weak_net": 1}, 2, 6)
        with pytest.raises(ValueError, match="autonomy_loss"):
            t.client_altfeld_choice(t.alliance_gains(t.CAR_RUSSIA_EXAMPLE), 2, 1)
