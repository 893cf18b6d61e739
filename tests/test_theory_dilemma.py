"""Tests of coursekit.theory.alliance_dilemma: Snyder's abandonment–entrapment dilemma."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from coursekit import theory as t

PROPERTY = settings(max_examples=300, deadline=None, database=None)
unit = st.floats(min_value=0, max_value=1, allow_nan=False)


class TestAllianceDilemma:
    def test_equations(self):
        r = t.alliance_dilemma(
            commitment=0.3, dependence=0.8, partner_commitment=0.25, shared_interests=0.6
        )
        assert r.abandonment_risk == pytest.approx(0.75 * 0.7**2)
        assert r.entrapment_risk == pytest.approx(0.4 * 0.3**2)
        assert r.expected_cost == pytest.approx(0.8 * 0.75 * 0.49 + 0.4 * 0.09)
        assert r.best_commitment == pytest.approx(0.6 / (0.6 + 0.4))
        assert r.best_cost == pytest.approx(0.6 * 0.4**2 + 0.4 * 0.6**2)

    def test_defaults_match_the_published_defaults(self):
        assert t.alliance_dilemma() == t.alliance_dilemma(**t.DILEMMA_PARAMS)
        assert set(t.DILEMMA_LABELS) == set(t.DILEMMA_PARAMS)

    def test_the_two_risks_trade_off(self):
        curves = t.dilemma_curves(dependence=0.6, partner_commitment=0.3, shared_interests=0.2)
        assert np.all(np.diff(curves.abandonment_cost) < 0)  # firmer support, less abandonment
        assert np.all(np.diff(curves.entrapment_risk) > 0)  # ... and more entrapment
        assert np.allclose(curves.expected_cost, curves.abandonment_cost + curves.entrapment_risk)
        best = curves.result.best_commitment
        assert curves.commitment[np.argmin(curves.expected_cost)] == pytest.approx(best, abs=0.01)

    def test_verdict_and_dominant_fear(self):
        low = t.alliance_dilemma(
            commitment=0.1, dependence=1, partner_commitment=0, shared_interests=0
        )
        high = t.alliance_dilemma(
            commitment=0.9, dependence=1, partner_commitment=0, shared_interests=0
        )
        right = t.alliance_dilemma(
            commitment=0.5, dependence=1, partner_commitment=0, shared_interests=0
        )
        assert low.dominant_fear == "abandonment" and "risk of abandonment" in low.verdict
        assert high.dominant_fear == "entrapment" and "risk of entrapment" in high.verdict
        assert right.dominant_fear == "balanced" and "about the best" in right.verdict

    def test_no_dilemma_when_neither_risk_can_arise(self):
        r = t.alliance_dilemma(dependence=0, shared_interests=1)
        assert r.best_commitment is None and r.best_cost is None
        assert r.expected_cost == 0
        assert "equally good" in r.verdict

    def test_errors_name_the_input(self):
        with pytest.raises(ValueError, match=r"dependence = 1.5 is outside the allowed range 0–1"):
            t.alliance_dilemma(dependence=1.5)
        with pytest.raises(ValueError, match="shared_interests = nan is not a finite number"):
            t.alliance_dilemma(shared_interests=math.nan)
        with pytest.raises(ValueError, match="partner_commitment must be a number"):
            t.alliance_dilemma(partner_commitment="high")
        with pytest.raises(ValueError, match="grid = 1"):
            t.dilemma_curves(grid=1)


class TestSnyderPropositions:
    @PROPERTY
    @given(unit, unit, unit, unit)
    def test_more_dependence_calls_for_firmer_commitment(self, d, more, p, s):
        a = t.alliance_dilemma(0.5, d, p, s).best_commitment
        b = t.alliance_dilemma(0.5, max(d, more), p, s).best_commitment
        if a is not None and b is not None:
            assert b >= a - 1e-12

    @PROPERTY
    @given(unit, unit, unit, unit)
    def test_a_firmer_partner_allows_a_looser_commitment(self, d, p, more, s):
        a = t.alliance_dilemma(0.5, d, p, s).best_commitment
        b = t.alliance_dilemma(0.5, d, max(p, more), s).best_commitment
        if a is not None and b is not None:
            assert b <= a + 1e-12

    @PROPERTY
    @given(unit, unit, unit, unit)
    def test_diverging_interests_call_for_a_looser_commitment(self, d, p, s, more):
        a = t.alliance_dilemma(0.5, d, p, s).best_commitment
        b = t.alliance_dilemma(0.5, d, p, max(s, more)).best_commitment
        if a is not None and b is not None:
            assert b >= a - 1e-12  # more shared interests: firmer; fewer: looser

    @PROPERTY
    @given(unit, unit, unit, unit)
    def test_the_best_commitment_is_never_beaten(self, c, d, p, s):
        r = t.alliance_dilemma(c, d, p, s)
        if r.best_commitment is not None:
            assert 0 <= r.best_commitment <= 1
            assert r.best_cost <= r.expected_cost + 1e-12
