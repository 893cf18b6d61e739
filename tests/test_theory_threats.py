"""Tests of coursekit.theory.threats: Walt's balance of threat, with property tests of his propositions."""

from __future__ import annotations

import math
import re
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

    def test_no_alignment_when_no_serious_threat(self):
        result = t.assess_threats({"a": factors(3, 3, 3, 3), "b": factors(2, 2, 2, 2)}, own_power=1)
        assert result.strategy == "no_alignment"
        assert result.strategy_label == "no alignment needed"
        assert not result.conditions["serious_threat"]
        assert "No alignment needed" in result.reason

    def test_bandwagon_when_isolated_and_overwhelmed(self):
        result = t.assess_threats(
            {"giant": factors(9, 9, 8, 5)}, own_power=2, allies_available=False
        )
        assert result.strategy == "bandwagon"
        assert result.conditions["isolated"] and result.conditions["overwhelming"]
        assert "aligns with giant" in result.reason

    def test_isolated_but_strong_and_not_outmatched_balances(self):
        result = t.assess_threats(
            {"rival": factors(6, 5, 6, 6)}, own_power=7, allies_available=False
        )
        assert result.strategy == "balance"
        assert "no stronger than the state" in result.reason

    def test_weakness_is_relative_to_the_threat(self):
        # A middling state (own power 5) next to a giant is outmatched; a weak state (2) next to a weaker
        # actor (power 1) is not, however weak it is in absolute terms.
        outmatched = t.assess_threats({"giant": factors(10, 9, 8, 5)}, own_power=5, ally_support=0)
        assert outmatched.conditions["outmatched"] and outmatched.strategy == "bandwagon"
        tiny = t.assess_threats(
            {"militia": factors(1, 10, 9, 6)}, own_power=2, allies_available=False
        )
        assert not tiny.conditions["stronger"] and tiny.strategy == "balance"

    def test_an_equal_is_never_bandwagoned_with_even_with_a_zero_gap(self):
        rules = t.StrategyRules(outmatch_gap=0, close_from=0)
        equal = t.assess_threats(
            {"twin": factors(5, 9, 8, 5)}, own_power=5, ally_support=0, rules=rules
        )
        assert not equal.conditions["stronger"] and equal.strategy == "balance"
        stronger = t.assess_threats(
            {"twin": factors(5.5, 9, 8, 5)}, own_power=5, ally_support=0, rules=rules
        )
        assert stronger.strategy == "bandwagon"

    def test_implacable_aggressor_is_never_appeased(self):
        # Intentions are checked before bandwagoning: even isolated and overwhelmed, the state resists.
        result = t.assess_threats(
            {"conqueror": factors(10, 10, 9, 9)}, own_power=1, allies_available=False
        )
        assert result.strategy == "balance"
        assert "arms and resists alone" in result.reason

    def test_allies_too_weak_or_too_far_leave_bandwagoning(self):
        # Walt's "Finlandization": allies exist, but what they can bring cannot match the neighbour.
        neighbour = {"neighbour": factors(10, 10, 8, 5)}
        weak_allies = t.assess_threats(neighbour, own_power=2, ally_support=3)
        assert weak_allies.allies_available and not weak_allies.conditions["isolated"]
        assert not weak_allies.conditions["allies_sufficient"]
        assert weak_allies.strategy == "bandwagon"
        assert "too weak or too far" in weak_allies.reason
        strong_allies = t.assess_threats(neighbour, own_power=2, ally_support=8)
        assert strong_allies.strategy == "hedge"

    def test_hedge_means_high_stakes_and_uncertainty(self):
        implacable = t.assess_threats({"giant": factors(9, 9, 8, 9)}, own_power=2)
        uncertain = t.assess_threats({"giant": factors(9, 9, 8, 4)}, own_power=2)
        assert implacable.strategy == "balance"
        assert uncertain.strategy == "hedge"
        assert uncertain.conditions["overwhelming"] and not uncertain.conditions["implacable"]
        assert "stakes are high" in uncertain.reason

    def test_distant_giant_is_balanced(self):
        result = t.assess_threats(
            {"far giant": factors(10, 3, 8, 6)}, own_power=2, allies_available=False
        )
        assert result.conditions["outmatched"] and not result.conditions["close"]
        assert result.strategy == "balance"

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
        assert t.assess_threats(threats, own_power=5, rules=strict).strategy == "no_alignment"
        giant = {"x": factors(9, 6, 6, 6)}
        assert t.assess_threats(giant, own_power=2, ally_support=0).strategy == "balance"
        near = t.StrategyRules(close_from=5)
        assert t.assess_threats(giant, own_power=2, ally_support=0, rules=near).strategy == (
            "bandwagon"
        )
        lenient = t.StrategyRules(implacable_from=10)
        implacable = {"x": factors(9, 9, 8, 9)}
        assert t.assess_threats(implacable, own_power=2, ally_support=0).strategy == "balance"
        assert (
            t.assess_threats(implacable, own_power=2, ally_support=0, rules=lenient).strategy
            == "bandwagon"
        )

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
        with pytest.raises(ValueError, match=r"StrategyRules.threat_floor.*not a finite number"):
            t.StrategyRules(threat_floor=math.nan)
        with pytest.raises(ValueError, match=r"ally_support.*0–10"):
            t.assess_threats({"a": factors()}, ally_support=11)
        with pytest.raises(ValueError, match="ally_support = 4 but allies_available is False"):
            t.assess_threats({"a": factors()}, allies_available=False, ally_support=4)
        with pytest.raises(ValueError, match="rules must be a StrategyRules"):
            t.assess_threats({"a": factors()}, rules={"threat_floor": 3})
        with pytest.raises(ValueError, match=r"intentions \(threat 'a'\) = nan"):
            t.assess_threats({"a": factors(intentions=math.nan)})


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
# Walt's propositions as property tests over random inputs
# --------------------------------------------------------------------------------------------------------
# 300 random cases per proposition; no example database, so running the tests writes no .hypothesis folder.
PROPERTY = settings(max_examples=300, deadline=None, database=None)
score = st.floats(min_value=0, max_value=10, allow_nan=False)
threshold = st.floats(min_value=0, max_value=10, allow_nan=False)
one_threat = st.fixed_dictionaries(
    {"power": score, "proximity": score, "offensive": score, "intentions": score}
)
rules_strategy = st.builds(
    t.StrategyRules,
    threat_floor=threshold,
    outmatch_gap=threshold,
    close_from=threshold,
    implacable_from=threshold,
)
support = st.one_of(st.none(), score)


def assess(threat, own, ally, rules):
    if ally == 0:
        return t.assess_threats({"T": threat}, own_power=own, allies_available=False, rules=rules)
    return t.assess_threats({"T": threat}, own_power=own, ally_support=ally, rules=rules)


class TestWaltPropositions:
    @PROPERTY
    @given(one_threat, score, support, rules_strategy)
    def test_never_bandwagon_with_an_actor_no_stronger_than_oneself(self, threat, own, ally, rules):
        result = assess(threat, own, ally, rules)
        if threat["power"] <= own:
            assert result.strategy != "bandwagon"

    @PROPERTY
    @given(one_threat, score, support, rules_strategy)
    def test_an_implacable_aggressor_is_never_appeased(self, threat, own, ally, rules):
        result = assess(threat, own, ally, rules)
        if threat["intentions"] >= rules.implacable_from:
            assert result.strategy in ("balance", "no_alignment")

    @PROPERTY
    @given(one_threat, score, support, rules_strategy, score)
    def test_more_aggressive_intentions_never_turn_balancing_into_bandwagoning(
        self, threat, own, ally, rules, more
    ):
        before = assess(threat, own, ally, rules)
        raised = {**threat, "intentions": max(threat["intentions"], more)}
        after = assess(raised, own, ally, rules)
        if before.strategy == "balance":
            assert after.strategy == "balance"

    @PROPERTY
    @given(one_threat, score, support, rules_strategy, score)
    def test_more_own_power_never_turns_balancing_into_bandwagoning(
        self, threat, own, ally, rules, more
    ):
        before = assess(threat, own, ally, rules)
        after = assess(threat, max(own, more), ally, rules)
        if before.strategy == "balance":
            assert after.strategy == "balance"
        if before.strategy != "bandwagon":
            assert after.strategy != "bandwagon"

    @PROPERTY
    @given(one_threat, score, score, rules_strategy, score)
    def test_more_allied_help_never_pushes_towards_bandwagoning(
        self, threat, own, ally, rules, more
    ):
        before = assess(threat, own, ally, rules)
        after = assess(threat, own, max(ally, more), rules)
        if before.strategy != "bandwagon":
            assert after.strategy != "bandwagon"

    @PROPERTY
    @given(st.dictionaries(st.sampled_from(["A", "B", "C"]), one_threat, min_size=1), score)
    def test_no_alignment_exactly_when_nothing_is_threatening(self, threats, own):
        result = t.assess_threats(threats, own_power=own)
        assert (result.strategy == "no_alignment") == (
            max(result.scores.values()) < result.rules.threat_floor
        )
        assert result.strategy in t.STRATEGIES

    @PROPERTY
    @given(one_threat, score, support, rules_strategy)
    def test_hedging_only_under_high_stakes_and_uncertainty(self, threat, own, ally, rules):
        result = assess(threat, own, ally, rules)
        if result.strategy == "hedge":
            c = result.conditions
            assert c["serious_threat"] and c["overwhelming"] and not c["implacable"]
            assert c["allies_sufficient"]

    @PROPERTY
    @given(one_threat, score, rules_strategy)
    def test_isolated_overwhelmed_appeasable_state_bandwagons(self, threat, own, rules):
        result = assess(threat, own, 0, rules)
        c = result.conditions
        if c["serious_threat"] and c["overwhelming"] and not c["implacable"]:
            assert result.strategy == "bandwagon"

    @PROPERTY
    @given(
        st.dictionaries(st.sampled_from(["A", "B", "C"]), one_threat, min_size=1),
        score,
        support,
        rules_strategy,
        score,
    )
    def test_raising_the_top_threats_intentions_among_several_never_turns_balancing_into_bandwagoning(
        self, threats, own, ally, rules, more
    ):
        kwargs = {"own_power": own, "rules": rules}
        kwargs.update({"allies_available": False} if ally == 0 else {"ally_support": ally})
        before = t.assess_threats(threats, **kwargs)
        top = before.most_threatening
        raised = {
            **threats,
            top: {**threats[top], "intentions": max(threats[top]["intentions"], more)},
        }
        after = t.assess_threats(raised, **kwargs)
        assert after.most_threatening == top
        if before.strategy == "balance":
            assert after.strategy == "balance"
