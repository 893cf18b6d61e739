"""The Part II explorers, driven through their controls as a student would move them.

Small tables from test_case.py make the expected numbers checkable by hand; the last tests open each explorer
on the real course data.
"""

from __future__ import annotations

import pytest
from matplotlib.figure import Figure
from test_case import (
    RESOLUTIONS,
    make_events,
    make_indicators,
    make_phases,
    make_resolutions,
    make_votes,
)

from coursekit import case
from coursekit.plots.style import CAR_COLOUR
from coursekit.widgets.case import DurabilityScorecard, TimelineExplorer, VoteExplorer

# -- timeline ----------------------------------------------------------------------------------------------


@pytest.fixture
def timeline() -> TimelineExplorer:
    return TimelineExplorer(events=make_events(), phases=make_phases())


def test_timeline_starts_with_every_event(timeline):
    assert timeline.message == ""
    assert isinstance(timeline.figure, Figure)
    assert len(timeline.result.events) == 10
    assert timeline.result.counts.to_numpy().sum() == 10
    assert len(timeline.controls["event"].options) == 10
    assert timeline.controls["years"].value == (2017, 2022)


def test_timeline_filters_follow_the_controls(timeline):
    timeline.controls["dimensions"].value = ("weapons_delivery",)
    assert set(timeline.result.events["event_id"]) == {"ev001", "ev002", "ev004", "ev006"}
    timeline.controls["years"].value = (2019, 2022)
    assert set(timeline.result.events["event_id"]) == {"ev004", "ev006"}
    timeline.controls["actor"].value = "air force"
    assert list(timeline.result.events["event_id"]) == ["ev006"]
    # the event list shows exactly the filtered events
    assert [value for _, value in timeline.controls["event"].options] == ["ev006"]
    timeline.controls["phases"].value = ("sochi_to_crisis",)
    assert timeline.result.counts.loc["weapons_delivery", "sochi_to_crisis"] == 1


def test_timeline_empty_selection_shows_a_message_not_a_traceback(timeline):
    timeline.controls["actor"].value = "no such actor"
    assert timeline.result is None and timeline.figure is None
    assert "No event matches" in timeline.message and "no such actor" in timeline.message
    assert timeline.controls["event"].options == ()
    timeline.controls["actor"].value = ""
    assert timeline.message == "" and len(timeline.result.events) == 10
    timeline.controls["dimensions"].value = ()
    assert "No dimension is selected" in timeline.message
    timeline.controls["dimensions"].value = ("context",)
    timeline.controls["phases"].value = ()
    assert "No phase is selected" in timeline.message


def test_timeline_selecting_an_event_shows_its_details(timeline):
    timeline.controls["event"].value = "ev008"
    assert timeline.result.selected["event_id"] == "ev008"
    assert "Title of ev008" in timeline.details
    assert "22 Dec 2020" in timeline.details
    assert "srcev008a" in timeline.details and "srcev008b" in timeline.details
    assert "Wagner Group" in timeline.details


def test_timeline_selection_is_cleared_when_the_filter_hides_it(timeline):
    timeline.controls["event"].value = "ev007"
    assert "contested" in timeline.details  # a contested event is flagged
    timeline.controls["dimensions"].value = ("weapons_delivery",)
    assert timeline.controls["event"].value is None
    assert timeline.result.selected is None
    assert timeline.details == ""


def test_timeline_initial_values_and_unknown_control():
    w = TimelineExplorer(
        events=make_events(), phases=make_phases(), dimensions=("context",), event="ev009"
    )
    assert set(w.result.events["event_id"]) == {"ev007", "ev009"}
    assert w.result.selected["event_id"] == "ev009"
    with pytest.raises(ValueError, match="no control named 'dimension'"):
        TimelineExplorer(events=make_events(), phases=make_phases(), dimension=("context",))


# -- votes -------------------------------------------------------------------------------------------------


@pytest.fixture
def votes_widget() -> VoteExplorer:
    return VoteExplorer(votes=make_votes(), resolutions=make_resolutions())


def test_vote_explorer_defaults(votes_widget):
    w = votes_widget
    assert w.message == ""
    assert w.controls["reference"].value == "Russian Federation"
    assert w.controls["resolutions"].value == RESOLUTIONS
    # no neighbour of the CAR in this small table: the CAR first, then every other country
    assert w.controls["countries"].value == (
        "Central African Republic",
        "Eritrea",
        "France",
        "Ghana",
        "Mali",
    )
    # rows: the reference, then by agreement (Eritrea 1.0, Mali 2/3, CAR 1/3, France and Ghana 0)
    assert list(w.result.matrix.index) == [
        "Russian Federation", "Eritrea", "Mali", "Central African Republic", "France", "Ghana",
    ]  # fmt: skip
    car = w.result.agreement.set_index("country").loc["Central African Republic"]
    assert car["score"] == pytest.approx(1 / 3)
    chosen = VoteExplorer(
        votes=make_votes(), resolutions=make_resolutions(), default_countries=["GHA", "MLI"]
    )
    assert chosen.controls["countries"].value == ("Ghana", "Mali")


def test_vote_explorer_method_and_selection(votes_widget):
    w = votes_widget
    w.controls["method"].value = "lijphart"
    car = w.result.agreement.set_index("country").loc["Central African Republic", "score"]
    assert car == pytest.approx(2 / 3)
    w.controls["resolutions"].value = ("A/RES/ES-11/3",)
    assert list(w.result.matrix.columns) == ["A/RES/ES-11/3"]
    assert w.result.agreement.set_index("country").loc["Central African Republic", "score"] == 1.0
    w.controls["countries"].value = ("Ghana", "Eritrea")
    # on ES-11/3 Ghana scores 0 and Eritrea did not vote (no score), so Eritrea comes last
    assert list(w.result.matrix.index) == ["Russian Federation", "Ghana", "Eritrea"]
    w.controls["reference"].value = "France"
    assert w.result.reference == "France"
    assert w.result.agreement.set_index("country").loc["Ghana", "score"] == 1.0


def test_vote_explorer_groups_rank_and_reference_countries(votes_widget):
    w = votes_widget
    # France is offered first among the reference countries (Russia, the US, France, China, South Africa)
    assert list(w.controls["reference"].options)[:2] == ["Russian Federation", "France"]
    assert "Central African Republic: 3rd of 5" in w._notes.value
    w.controls["group"].value = "african_union"
    assert w.message == ""
    assert set(w.result.matrix.index) == {
        "Russian Federation", "Central African Republic", "Eritrea", "Ghana", "Mali",
    }  # fmt: skip
    assert w.result.rank.position == 3 and w.result.rank.of == 4
    w.controls["group"].value = "sahel"
    assert list(w.result.agreement["country"]) == ["Mali", "Central African Republic"]
    w.controls["group"].value = "neighbours"  # none in this small table: the CAR alone is compared
    assert list(w.result.agreement["country"]) == ["Central African Republic"]
    w.controls["group"].value = "selection"
    assert len(w.result.agreement) == 5


def test_vote_explorer_large_group_draws_the_spread_not_the_matrix():
    w = VoteExplorer(votes=make_votes(), resolutions=make_resolutions())
    w.matrix_limit = 3
    w.controls["group"].value = "assembly"
    assert "Agreement with Russian Federation" in w.figure.axes[0].get_title(loc="left")
    w.matrix_limit = 25
    w.controls["group"].value = "african_union"
    assert len(w.figure.axes) >= 2  # matrix and agreement bars


def test_vote_explorer_shows_the_us_caveat_on_es11_7():
    votes = make_votes()
    votes["resolution"] = votes["resolution"].replace({"A/RES/ES-11/4": "A/RES/ES-11/7"})
    votes["iso3"] = votes["iso3"].replace({"FRA": "USA"})
    resolutions = make_resolutions().replace({"A/RES/ES-11/4": "A/RES/ES-11/7"})
    w = VoteExplorer(votes=votes, resolutions=resolutions)
    assert "United States voted No together with Russia" in w._notes.value
    w.controls["resolutions"].value = ("A/RES/ES-11/1",)
    assert "United States" not in w._notes.value
    w.controls["resolutions"].value = ()
    assert w._notes.value == ""


def test_vote_explorer_highlights_the_car(votes_widget):
    ax = votes_widget.figure.axes[0]
    colours = {t.get_text(): t.get_color() for t in ax.get_yticklabels()}
    assert colours["Central African Republic"] == CAR_COLOUR


def test_vote_explorer_empty_selections_give_messages(votes_widget):
    w = votes_widget
    w.controls["resolutions"].value = ()
    assert w.result is None and w.figure is None and "No resolution is selected" in w.message
    w.controls["resolutions"].value = RESOLUTIONS
    assert w.message == ""
    w.controls["countries"].value = ()
    assert "No country is selected" in w.message
    w.controls["countries"].value = ("Russian Federation",)
    assert "Only the reference country" in w.message


# -- durability --------------------------------------------------------------------------------------------


def test_scorecard_has_one_slider_per_indicator_and_equal_start():
    w = DurabilityScorecard(indicators=make_indicators())
    assert list(w.controls) == ["asymmetry", "distance", "personalisation", "shared_threat"]
    assert w.result.score == pytest.approx((0.2 + 0.0 + 0.3 + 0.9) / 4)
    assert isinstance(w.figure, Figure)


def test_scorecard_weights_change_the_score():
    w = DurabilityScorecard(indicators=make_indicators())
    for name in ("asymmetry", "distance", "personalisation"):
        w.controls[name].value = 0.0
    assert w.result.score == pytest.approx(0.9)
    w.controls["asymmetry"].value = 3.0
    assert w.result.score == pytest.approx((3 * 0.2 + 0.9) / 4)
    contributions = w.result.contributions.set_index("indicator")["contribution"]
    assert contributions.sum() == pytest.approx(w.result.score)


def test_scorecard_all_zero_weights_give_a_message():
    w = DurabilityScorecard(
        indicators=make_indicators(), asymmetry=0.0, distance=0.0, personalisation=0.0
    )
    w.controls["shared_threat"].value = 0.0
    assert w.result is None and w.figure is None
    assert "all weights are 0" in w.message
    w.controls["distance"].value = 1.0
    assert w.message == "" and w.result.score == 0.0


# -- the real course data ----------------------------------------------------------------------------------


def test_explorers_open_on_the_real_data():
    from coursekit import data

    timeline = TimelineExplorer()
    assert timeline.message == "" and len(timeline.result.events) == len(data.load_events())
    first = timeline.controls["event"].options[0][1]
    timeline.controls["event"].value = first
    assert timeline.details and "Sources" in timeline.details

    votes = VoteExplorer()
    assert votes.message == ""
    assert votes.result.reference == case.resolve_country(data.load_votes(), "RUS")
    car = case.resolve_country(data.load_votes(), "CAF")
    assert car in set(votes.result.matrix.index)
    # the default comparison group is the CAR and its neighbours
    iso = set(
        data.load_votes().set_index("country").loc[list(votes.controls["countries"].value), "iso3"]
    )
    assert iso == {"CAF", *case.CAR_NEIGHBOURS_ISO3}
    labels = {t.get_text(): t.get_color() for t in votes.figure.axes[0].get_yticklabels()}
    assert labels[car] == CAR_COLOUR

    card = DurabilityScorecard()
    assert card.message == "" and 0.0 <= card.result.score <= 1.0
    assert len(card.controls) == len(data.load_durability_indicators())


def test_real_timeline_empty_year_range_message():
    w = TimelineExplorer()
    years = w.controls["years"]
    w.controls["actor"].value = "a text no actor cell contains, zzzz"
    assert w.result is None and "No event matches" in w.message
    assert years.value == (years.min, years.max)


# -- live figures: updated in place, the same picture as a fresh drawing ----------------------------------------


def _pixels(png: bytes):
    import io

    import numpy as np
    from PIL import Image

    return np.asarray(Image.open(io.BytesIO(png)).convert("RGB")).astype(int)


def _same_picture(live_png: bytes, fresh: Figure, dpi: int) -> bool:
    """The explorer's PNG against a new figure of the same result drawn whole (a few antialiased pixels may differ)."""
    from coursekit.plots.style import to_png

    live, full = _pixels(live_png), _pixels(to_png(fresh, dpi=dpi))
    if live.shape != full.shape:
        return False
    return (abs(live - full).max(axis=2) > 60).mean() < 0.002


def test_timeline_figure_is_updated_in_place_and_shows_the_new_selection(timeline):
    from coursekit.plots import case as case_plots

    first = timeline.figure
    timeline.controls["dimensions"].value = ("weapons_delivery",)
    timeline.controls["event"].value = "ev004"
    assert timeline.figure is first  # same axes, new points
    fresh = case_plots.timeline_figure(
        timeline.result.events, make_phases(), timeline.result.counts, selected="ev004"
    )
    assert _same_picture(timeline.png(), fresh, timeline.dpi)
    # and the picture is not the one of the previous selection
    everything = case.timeline_view(make_events())
    before = case_plots.timeline_figure(everything.events, make_phases(), everything.counts)
    assert not _same_picture(timeline.png(), before, timeline.dpi)


def test_timeline_after_a_message_draws_again(timeline):
    timeline.controls["actor"].value = "no such actor"
    assert timeline.figure is None
    timeline.controls["actor"].value = "air force"
    assert list(timeline.result.events["event_id"]) == ["ev006"]
    assert isinstance(timeline.figure, Figure)


def test_scorecard_figure_is_updated_in_place():
    from coursekit.plots import case as case_plots

    w = DurabilityScorecard(indicators=make_indicators())
    first = w.figure
    w.controls["asymmetry"].value = 4.0
    w.controls["distance"].value = 0.0
    assert w.figure is first
    texts = [t.get_text() for ax in first.axes for t in ax.texts]
    assert f"{w.result.score:.2f}" in texts and "weight 0%" in texts
    assert _same_picture(w.png(), case_plots.durability_figure(w.result), w.dpi)


def test_vote_explorer_remembers_settings_and_forgets_on_request(votes_widget):
    w = votes_widget
    first_view, first_figure, first_png = w.result, w.figure, w.png()
    assert _same_picture(first_png, first_figure, w.dpi)  # the fast PNG is the figure's picture
    w.controls["method"].value = "lijphart"
    assert w.result is not first_view and w.figure is not first_figure
    w.controls["method"].value = "simple"
    assert w.result is first_view and w.figure is first_figure and w.png() == first_png
    w.forget()
    w.controls["method"].value = "lijphart"
    w.controls["method"].value = "simple"
    assert w.result is not first_view
    # a remembered view equals a fresh computation
    fresh = case.vote_view(
        make_votes(),
        resolutions=list(w.controls["resolutions"].value),
        countries=list(w.controls["countries"].value),
        reference=w.controls["reference"].value,
    )
    assert first_view.agreement.equals(fresh.agreement)
