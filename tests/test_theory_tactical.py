"""Tests of coursekit.theory.tactical: the tactical/strategic checklist and the process model."""

from __future__ import annotations

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

    def test_default_weights_follow_the_definition(self):
        weights = t.feature_weights()
        assert weights == t.feature_weights("definition")
        for feature in t.FEATURES:
            if feature in t.DEFINITION_FEATURES:
                assert weights[feature] == pytest.approx(1 / 5)
            else:
                assert weights[feature] == 0
        assert set(t.DEFINITION_FEATURES).isdisjoint({"asymmetric", "formal_treaty"})
        assert t.feature_weights("equal") == {f: pytest.approx(1 / 7) for f in t.FEATURES}
        with pytest.raises(ValueError, match="'even' is not a weighting scheme"):
            t.feature_weights("even")

    def test_contributions_sum_to_score(self):
        features = dict(TACTICAL, personalised=0.5, formal_treaty=0.5, asymmetric=0)
        result = t.classify_alliance(features)
        assert sum(result.contributions.values()) == pytest.approx(result.score)
        assert result.score == pytest.approx(4.5 / 5)
        assert result.contributions["asymmetric"] == 0
        assert result.contributions["formal_treaty"] == 0
        equal = t.classify_alliance(features, "equal")
        assert equal.contributions["formal_treaty"] == pytest.approx(0.5 / 7)

    @pytest.mark.parametrize("feature", t.FEATURES)
    def test_monotone_in_each_feature(self, feature):
        base = {name: 0.5 for name in t.FEATURES}
        low = t.classify_alliance(dict(base, **{feature: 0}))
        high = t.classify_alliance(dict(base, **{feature: 1}))
        if feature in t.DEFINITION_FEATURES:
            assert high.score > low.score
        else:
            assert high.score == low.score  # not part of the definition: no weight by default
        low, high = (t.classify_alliance(dict(base, **{feature: v}), "equal") for v in (0, 1))
        if feature == "formal_treaty":
            assert high.score < low.score  # a treaty points away from a tactical alliance
        else:
            assert high.score > low.score

    def test_cut_offs(self):
        # score = (number of defining features present) / 5 with the default weights
        def with_n_tactical(n):
            features = {f: (1 if i < n else 0) for i, f in enumerate(t.DEFINITION_FEATURES)}
            features.update(asymmetric=1, formal_treaty=1)
            return t.classify_alliance(features)

        assert with_n_tactical(2).label == "strategic"  # 0.4, inclusive
        assert with_n_tactical(3).label == "tactical"  # 0.6, inclusive
        half = {f: 0.5 for f in t.FEATURES}
        assert t.classify_alliance(half).label == "mixed"  # 0.5

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
        # The article's textbook tactical alliance is tactical under the chapter's definition ...
        assert t.classify_alliance(pact).label == "tactical"
        assert t.classify_alliance(pact).score == pytest.approx(0.8)
        # ... but only "mixed" when asymmetry and formality are weighed (the first edition's default).
        assert t.classify_alliance(pact, "equal").label == "mixed"

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
        assert "benchmark" not in result.columns  # no source column: no claim about sources
        contribution_columns = [f"{f}_contribution" for f in t.FEATURES]
        assert np.allclose(result[contribution_columns].sum(axis=1), result["tactical_score"])

    def test_default_weights_apply(self):
        result = t.classify_cases(cases_frame())
        assert result.loc[0, "tactical_score"] == pytest.approx(1.0)
        assert result.loc[1, "tactical_score"] == pytest.approx(0.0)
        equal = t.classify_cases(cases_frame(), "equal")
        assert equal.loc[0, "tactical_score"] == pytest.approx(6.5 / 7)

    def test_benchmark_sources(self):
        frame = cases_frame()
        frame[t.SOURCE_COLUMN] = ["hayrapetyan2022russian", None, "  "]
        result = t.classify_cases(frame)
        assert list(result[t.SOURCE_COLUMN]) == ["hayrapetyan2022russian", "", ""]
        assert list(result["benchmark"]) == [True, False, False]
        labels = t.benchmark_labels(frame)
        assert list(labels.columns) == ["case_id", "name", "label", "source"]
        assert list(labels["case_id"]) == ["car_russia"]
        assert labels.loc[0, "label"] == "tactical"

    def test_benchmark_sources_are_normalised_and_checked(self):
        frame = cases_frame()
        frame[t.SOURCE_COLUMN] = ["a2000x ;b2001y", "c2002z", ""]
        assert list(t.benchmark_labels(frame)["source"]) == ["a2000x; b2001y", "c2002z"]
        frame.loc[1, "classification"] = "friendly"
        with pytest.raises(
            ValueError, match=r"row 2 \(case_id 'nato'\), column 'classification': 'friendly'"
        ):
            t.benchmark_labels(frame)
        with pytest.raises(ValueError, match=r"missing column\(s\) \['classification_source'\]"):
            t.benchmark_labels(cases_frame())

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
