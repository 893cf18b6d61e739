"""Unit tests for coursekit.theory: the Part I models."""

from __future__ import annotations

import math
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

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
# threat_score
# --------------------------------------------------------------------------------------------------------
class TestThreatScore:
    def test_default_is_the_plain_mean(self):
        assert t.threat_score(8, 10, 6, 9) == pytest.approx(8.25)

    def test_weights_are_normalised(self):
        a = t.threat_score(
            2, 4, 6, 8, weights={"power": 1, "proximity": 1, "offensive": 1, "intentions": 1}
        )
        b = t.threat_score(
            2, 4, 6, 8, weights={"power": 5, "proximity": 5, "offensive": 5, "intentions": 5}
        )
        assert a == pytest.approx(b) == pytest.approx(5.0)

    def test_single_weight_picks_that_factor(self):
        only_proximity = {"power": 0, "proximity": 3, "offensive": 0, "intentions": 0}
        assert t.threat_score(1, 9, 2, 3, weights=only_proximity) == pytest.approx(9.0)

    def test_sequence_weights_follow_factor_order(self):
        assert t.threat_score(1, 9, 2, 3, weights=[0, 0, 0, 1]) == pytest.approx(3.0)

    @pytest.mark.parametrize("factor", t.FACTORS)
    def test_monotone_in_each_factor(self, factor):
        base = factors(4, 4, 4, 4)
        scores = []
        for value in np.linspace(0, 10, 11):
            values = dict(base, **{factor: float(value)})
            scores.append(t.threat_score(**values))
        assert all(b > a for a, b in zip(scores, scores[1:], strict=False))

    def test_zero_weight_factor_has_no_effect(self):
        w = {"power": 1, "proximity": 1, "offensive": 0, "intentions": 1}
        assert t.threat_score(5, 5, 0, 5, weights=w) == t.threat_score(5, 5, 10, 5, weights=w)

    def test_bounds(self):
        assert t.threat_score(0, 0, 0, 0) == 0
        assert t.threat_score(10, 10, 10, 10) == pytest.approx(10)

    @pytest.mark.parametrize("bad", [-0.1, 10.5, math.nan, math.inf])
    def test_out_of_range_factor_names_parameter_and_range(self, bad):
        with pytest.raises(ValueError, match=r"proximity.*0–10"):
            t.threat_score(5, bad, 5, 5)

    @pytest.mark.parametrize("bad", ["high", None, True])
    def test_non_number_factor(self, bad):
        with pytest.raises(ValueError, match="offensive"):
            t.threat_score(5, 5, bad, 5)

    def test_all_zero_weights(self):
        with pytest.raises(ValueError, match="all weights are 0"):
            t.threat_score(
                5, 5, 5, 5, weights={"power": 0, "proximity": 0, "offensive": 0, "intentions": 0}
            )

    def test_negative_weight(self):
        with pytest.raises(ValueError, match=r"weights\['power'\]"):
            t.threat_score(
                5, 5, 5, 5, weights={"power": -1, "proximity": 1, "offensive": 1, "intentions": 1}
            )

    def test_missing_and_unknown_weights(self):
        with pytest.raises(ValueError, match="missing"):
            t.threat_score(5, 5, 5, 5, weights={"power": 1})
        with pytest.raises(ValueError, match="unknown"):
            t.threat_score(5, 5, 5, 5, weights=dict(factors(1, 1, 1, 1), ideology=1))
        with pytest.raises(ValueError, match="4 are needed"):
            t.threat_score(5, 5, 5, 5, weights=[1, 1, 1])


# --------------------------------------------------------------------------------------------------------
# assess_threats
# --------------------------------------------------------------------------------------------------------
class TestAssessThreats:
    def test_scores_ranking_and_contributions(self):
        result = t.assess_threats(
            {"far": factors(9, 1, 3, 2), "near": factors(5, 9, 6, 8), "mild": factors(2, 6, 2, 2)},
            own_power=6,
        )
        assert result.most_threatening == "near"
        assert result.ranking == ["near", "far", "mild"]
        for name, parts in result.contributions.items():
            assert sum(parts.values()) == pytest.approx(result.scores[name])
        assert result.top_score == pytest.approx(7.0)
        assert result.strategy == "balance"

    def test_balance_against_threat_not_power(self):
        # Walt's point: the most powerful actor is not necessarily the greatest threat.
        result = t.assess_threats(
            {"superpower": factors(10, 1, 4, 2), "neighbour": factors(6, 10, 7, 8)}
        )
        assert result.most_threatening == "neighbour"

    def test_hedge_when_no_serious_threat(self):
        result = t.assess_threats({"a": factors(3, 3, 3, 3), "b": factors(2, 2, 2, 2)}, own_power=1)
        assert result.strategy == "hedge"
        assert not result.conditions["serious_threat"]
        assert "keeps its options open" in result.reason

    def test_bandwagon_when_isolated_and_weak(self):
        result = t.assess_threats(
            {"giant": factors(9, 9, 8, 5)}, own_power=2, allies_available=False
        )
        assert result.strategy == "bandwagon"
        assert result.conditions["isolated"] and result.conditions["weak"]
        assert "aligns with giant" in result.reason

    def test_isolated_but_strong_and_not_outmatched_balances(self):
        result = t.assess_threats(
            {"rival": factors(6, 5, 6, 6)}, own_power=7, allies_available=False
        )
        assert result.strategy == "balance"

    def test_isolated_outmatched_bandwagons_even_if_not_weak(self):
        result = t.assess_threats(
            {"giant": factors(10, 9, 8, 5)}, own_power=5, allies_available=False
        )
        assert not result.conditions["weak"] and result.conditions["outmatched"]
        assert result.strategy == "bandwagon"

    def test_weak_outmatched_with_allies(self):
        implacable = t.assess_threats({"giant": factors(9, 9, 8, 9)}, own_power=2)
        appeasable = t.assess_threats({"giant": factors(9, 9, 8, 4)}, own_power=2)
        assert implacable.strategy == "balance"
        assert appeasable.strategy == "hedge"

    def test_more_allies_never_push_towards_bandwagoning(self):
        for power in range(0, 11):
            threat = {"x": factors(power, 9, 7, 5)}
            for own in range(0, 11):
                with_allies = t.assess_threats(
                    threat, own_power=own, allies_available=True
                ).strategy
                assert with_allies != "bandwagon"

    def test_custom_rules_change_the_prediction(self):
        threats = {"x": factors(6, 6, 6, 6)}
        assert t.assess_threats(threats, own_power=5).strategy == "balance"
        strict = t.StrategyRules(threat_floor=7)
        assert t.assess_threats(threats, own_power=5, rules=strict).strategy == "hedge"

    def test_tie_keeps_input_order_and_says_so(self):
        result = t.assess_threats({"first": factors(5, 5, 5, 5), "second": factors(5, 5, 5, 5)})
        assert result.most_threatening == "first"
        assert "ties with second" in result.reason

    def test_weights_change_the_most_threatening(self):
        threats = {"strong_far": factors(10, 1, 5, 5), "weak_near": factors(2, 10, 5, 5)}
        power_only = {"power": 1, "proximity": 0, "offensive": 0, "intentions": 0}
        proximity_only = {"power": 0, "proximity": 1, "offensive": 0, "intentions": 0}
        assert t.assess_threats(threats, power_only).most_threatening == "strong_far"
        assert t.assess_threats(threats, proximity_only).most_threatening == "weak_near"

    def test_errors(self):
        with pytest.raises(ValueError, match="threats is empty"):
            t.assess_threats({})
        with pytest.raises(ValueError, match="non-empty name"):
            t.assess_threats({"  ": factors()})
        with pytest.raises(ValueError, match=r"own_power.*0–10"):
            t.assess_threats({"a": factors()}, own_power=12)
        with pytest.raises(ValueError, match=r"threat 'a'.*missing \['intentions'\]"):
            t.assess_threats({"a": {"power": 1, "proximity": 1, "offensive": 1}})
        with pytest.raises(ValueError, match=r"power \(threat 'a'\) = 11"):
            t.assess_threats({"a": factors(power=11)})
        with pytest.raises(ValueError, match="allies_available"):
            t.assess_threats({"a": factors()}, allies_available="yes")
        with pytest.raises(ValueError, match="StrategyRules.weak_below"):
            t.StrategyRules(weak_below=-1)


class TestThreatPresets:
    def test_required_cases_exist(self):
        assert len(t.THREAT_PRESETS) >= 4
        assert "car_2017_2020" in t.THREAT_PRESETS
        car = t.THREAT_PRESETS["car_2017_2020"]
        assert len(car.threats) >= 2
        assert "judgement" in car.note

    @pytest.mark.parametrize("key", list(t.THREAT_PRESETS))
    def test_preset_is_valid_and_reproduces_what_happened(self, key):
        preset = t.THREAT_PRESETS[key]
        result = preset.assess()
        assert result.strategy == preset.observed
        assert preset.sources
        assert len(preset.threats) >= 2

    def test_preset_sources_are_in_the_bibliography(self):
        bib = (ROOT / "references.bib").read_text(encoding="utf-8")
        keys = set(re.findall(r"^@\w+\{([^,]+),", bib, flags=re.M))
        for preset in t.THREAT_PRESETS.values():
            for key in preset.sources:
                assert key in keys, f"{preset.label}: source {key!r} is not in references.bib"


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
        assert r.strong_security_cost == pytest.approx(4 * 1.5 / 8)

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
        # strong_net = 0.5 * k - 5 * 1.0 / 5 = 0 at k = 2
        result = t.alliance_gains(
            {"concessions": 2, "commitment": 5, "strong_capability": 5, "strong_threat": 0}
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
        ],
    )
    def test_monotone(self, param, side, direction):
        lo, hi = t.PARAM_RANGES[param]
        gains = [
            getattr(t.alliance_gains({param: float(v)}), side) for v in np.linspace(lo, hi, 12)
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

    def test_more_threat_widens_the_region(self):
        region = t.formation_region(grid=51)
        counts = region.forms.sum(axis=1)
        assert np.all(np.diff(counts) >= 0)
        assert counts[-1] > counts[0]

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


# --------------------------------------------------------------------------------------------------------
# Tactical vs strategic checklist
# --------------------------------------------------------------------------------------------------------
TACTICAL = dict(
    short_term=1,
    concrete_aim=1,
    opportunistic=1,
    personalised=1,
    no_prior_ties=1,
    asymmetric=1,
    formal_treaty=0,
)
STRATEGIC = dict(
    short_term=0,
    concrete_aim=0,
    opportunistic=0,
    personalised=0,
    no_prior_ties=0,
    asymmetric=0,
    formal_treaty=1,
)


class TestClassifyAlliance:
    def test_extremes(self):
        assert t.classify_alliance(TACTICAL).score == pytest.approx(1.0)
        assert t.classify_alliance(TACTICAL).label == "tactical"
        assert t.classify_alliance(STRATEGIC).score == pytest.approx(0.0)
        assert t.classify_alliance(STRATEGIC).label == "strategic"

    def test_contributions_sum_to_score(self):
        features = dict(TACTICAL, personalised=0.5, formal_treaty=0.5, asymmetric=0)
        result = t.classify_alliance(features)
        assert sum(result.contributions.values()) == pytest.approx(result.score)
        assert result.contributions["asymmetric"] == 0
        assert result.contributions["formal_treaty"] == pytest.approx(0.5 / 7)

    @pytest.mark.parametrize("feature", t.FEATURES)
    def test_monotone_in_each_feature(self, feature):
        base = {name: 0.5 for name in t.FEATURES}
        low = t.classify_alliance(dict(base, **{feature: 0})).score
        high = t.classify_alliance(dict(base, **{feature: 1})).score
        if feature == "formal_treaty":
            assert high < low  # a treaty points away from a tactical alliance
        else:
            assert high > low

    def test_cut_offs(self):
        # score = (number of tactical features) / 7 with equal weights
        def with_n_tactical(n):
            names = [f for f in t.FEATURES if f != "formal_treaty"]
            features = {f: (1 if i < n else 0) for i, f in enumerate(names)}
            features["formal_treaty"] = 1
            return t.classify_alliance(features)

        assert with_n_tactical(2).label == "strategic"  # 2/7 = 0.29
        assert with_n_tactical(3).label == "mixed"  # 0.43
        assert with_n_tactical(4).label == "mixed"  # 0.57
        assert with_n_tactical(5).label == "tactical"  # 0.71

    def test_boundaries_are_inclusive(self):
        weights = {f: 0 for f in t.FEATURES} | {"short_term": 3, "concrete_aim": 2}
        # score = 0.6 * short_term + 0.4 * concrete_aim
        exactly_tactical = t.classify_alliance(dict(STRATEGIC, short_term=1), weights)
        exactly_strategic = t.classify_alliance(dict(STRATEGIC, concrete_aim=1), weights)
        assert exactly_tactical.score == pytest.approx(0.6)
        assert exactly_tactical.label == "tactical"
        assert exactly_strategic.score == pytest.approx(0.4)
        assert exactly_strategic.label == "strategic"

    def test_real_data_style_cases(self):
        # The Molotov–Ribbentrop coding of the course data: a formal treaty between two great powers.
        pact = dict(
            short_term=1,
            concrete_aim=1,
            opportunistic=1,
            personalised=0.5,
            no_prior_ties=0.5,
            asymmetric=0,
            formal_treaty=1,
        )
        assert t.classify_alliance(pact).label == "mixed"
        no_form = {f: 1 for f in t.FEATURES} | {"asymmetric": 0, "formal_treaty": 0}
        assert t.classify_alliance(pact, no_form).label == "tactical"

    def test_weights(self):
        only_treaty = {f: 0 for f in t.FEATURES} | {"formal_treaty": 1}
        assert t.classify_alliance(TACTICAL, only_treaty).score == pytest.approx(1.0)
        assert t.classify_alliance(STRATEGIC, only_treaty).score == pytest.approx(0.0)
        with pytest.raises(ValueError, match="all weights are 0"):
            t.classify_alliance(TACTICAL, {f: 0 for f in t.FEATURES})

    def test_errors(self):
        with pytest.raises(ValueError, match=r"missing \['formal_treaty'\]"):
            t.classify_alliance({k: v for k, v in TACTICAL.items() if k != "formal_treaty"})
        with pytest.raises(ValueError, match=r"unknown \['ideology'\]"):
            t.classify_alliance(dict(TACTICAL, ideology=1))
        with pytest.raises(ValueError, match=r"short_term = 2 is outside the allowed range 0–1"):
            t.classify_alliance(dict(TACTICAL, short_term=2))
        with pytest.raises(ValueError, match="mapping"):
            t.classify_alliance([1, 1, 1, 1, 1, 1, 0])


def cases_frame() -> pd.DataFrame:
    return pd.DataFrame(
        [
            dict(
                case_id="car_russia",
                name="CAR–Russia",
                **dict(TACTICAL, formal_treaty=0.5),
                classification="tactical",
            ),
            dict(
                case_id="nato",
                name="NATO",
                **dict(STRATEGIC, asymmetric=1),
                classification="strategic",
            ),
            dict(
                case_id="odd",
                name="Odd case",
                **{f: 0.5 for f in t.FEATURES},
                classification="tactical",
            ),
        ]
    )


class TestClassifyCases:
    def test_table(self):
        result = t.classify_cases(cases_frame())
        assert list(result["case_id"]) == ["car_russia", "nato", "odd"]
        assert list(result.columns[:6]) == [
            "case_id",
            "name",
            "tactical_score",
            "predicted",
            "classification",
            "agrees",
        ]
        assert list(result["predicted"]) == ["tactical", "strategic", "mixed"]
        assert list(result["agrees"]) == [True, True, False]
        contribution_columns = [f"{f}_contribution" for f in t.FEATURES]
        assert np.allclose(result[contribution_columns].sum(axis=1), result["tactical_score"])

    def test_without_recorded_classification(self):
        result = t.classify_cases(cases_frame().drop(columns="classification"))
        assert "agrees" not in result.columns
        assert len(result) == 3

    def test_categorical_classification_column(self):
        frame = cases_frame()
        frame["classification"] = pd.Categorical(
            frame["classification"], categories=["tactical", "strategic"]
        )
        assert list(t.classify_cases(frame)["agrees"]) == [True, True, False]

    def test_errors_name_row_case_and_column(self):
        frame = cases_frame()
        frame.loc[1, "personalised"] = 3
        with pytest.raises(ValueError, match=r"row 2 \(case_id 'nato'\), column 'personalised'"):
            t.classify_cases(frame)
        frame = cases_frame()
        frame.loc[2, "short_term"] = np.nan
        with pytest.raises(
            ValueError, match=r"row 3 \(case_id 'odd'\), column 'short_term': value is missing"
        ):
            t.classify_cases(frame)
        with pytest.raises(ValueError, match=r"missing column\(s\) \['asymmetric'\]"):
            t.classify_cases(cases_frame().drop(columns="asymmetric"))
        with pytest.raises(ValueError, match="DataFrame"):
            t.classify_cases([TACTICAL])


# --------------------------------------------------------------------------------------------------------
# Process model
# --------------------------------------------------------------------------------------------------------
class TestProcessModel:
    def test_four_steps_in_order(self):
        assert [s.number for s in t.PROCESS_STEPS] == [1, 2, 3, 4]
        assert "non-state" in t.PROCESS_STEPS[1].title

    def test_stages(self):
        assert (
            t.process_model_stage(
                reasons=False, informal_cooperation=False, formal_relations=False
            ).number
            == 0
        )
        assert (
            t.process_model_stage(
                reasons=True, informal_cooperation=False, formal_relations=False
            ).number
            == 1
        )
        stage = t.process_model_stage(
            reasons=True, informal_cooperation=True, formal_relations=True
        )
        assert stage.number == 3 and stage.step.key == "formal" and not stage.skipped
        ended = t.process_model_stage(
            reasons=True, informal_cooperation=True, formal_relations=True, outcome="ended"
        )
        assert ended.number == 4 and "broken up" in ended.description
        upgraded = t.process_model_stage(
            reasons=True, informal_cooperation=True, formal_relations=True, outcome="upgraded"
        )
        assert "strategic alliance" in upgraded.description

    def test_skipped_step_is_reported(self):
        stage = t.process_model_stage(
            reasons=True, informal_cooperation=False, formal_relations=True
        )
        assert stage.number == 3
        assert stage.skipped == ("Informal cooperation with non-state entities",)
        assert "Not observed" in stage.description

    def test_errors(self):
        with pytest.raises(ValueError, match="outcome = 'won'"):
            t.process_model_stage(
                reasons=True, informal_cooperation=True, formal_relations=True, outcome="won"
            )
        with pytest.raises(ValueError, match="reasons must be True or False"):
            t.process_model_stage(reasons="yes", informal_cooperation=True, formal_relations=True)
