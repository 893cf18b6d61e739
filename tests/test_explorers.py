"""The in-page explorers' Python side: specifications, the HTML block, the vendored bundle and the Sphinx glue.

The numbers the explorers compute in the browser are checked against coursekit.case in
``test_explorers_browser.py``; here the parts that need no browser.
"""

from __future__ import annotations

import json
import re

import pandas as pd
import pytest

from coursekit import case, data
from coursekit.explorers import assets
from coursekit.explorers import case as ex
from coursekit.explorers import theory as tex
from coursekit.explorers.page import Column, InPageExplorer, find_mark_data
from coursekit.sphinxext import dedupe_scripts

SPEC = re.compile(
    r'<script type="application/json" class="coursekit-explorer-spec">(.*?)</script>', re.S
)
META = re.compile(
    r'<script type="application/json" class="coursekit-explorer-meta">(.*?)</script>', re.S
)


CASE = ("timeline", "votes", "durability")
THEORY = ("threats", "dilemma", "security-autonomy", "checklist")
ALL = (*CASE, *THEORY)


@pytest.fixture(scope="module")
def explorers():
    made = {name: ex.explorer_for(name) for name in CASE}
    made.update({name: tex.explorer_for(name) for name in THEORY})
    return made


def bound_params(explorer: InPageExplorer) -> dict[str, dict]:
    return {s["name"]: s["bind"] for s in explorer.vega.get("signals", []) if "bind" in s}


@pytest.mark.parametrize("name", ALL)
def test_html_block_carries_spec_meta_and_accessible_parts(explorers, name):
    block = explorers[name].html()
    spec = json.loads(SPEC.search(block)[1])
    meta = json.loads(META.search(block)[1])
    assert spec["$schema"].endswith("vega/v6.json") or "vega" in spec["$schema"]
    assert find_mark_data(spec, meta["table"]["view"]) and find_mark_data(
        spec, meta["summary"]["view"]
    )
    assert f'id="explorer-{name}"' in block
    assert 'role="status"' in block and 'aria-live="polite"' in block  # the live summary
    assert "<details" in block and "(data table)" in block  # a table a reader can open
    assert 'role="img"' in block and f'aria-labelledby="explorer-{name}-takeaway"' in block
    assert "with JavaScript on" in block  # said when the script cannot run
    assert "cdn." not in block and "https://cdn" not in block


@pytest.mark.parametrize("name", ALL)
def test_every_control_has_a_readable_label(explorers, name):
    binds = bound_params(explorers[name])
    assert binds, f"{name}: no control"
    for param, bind in binds.items():
        assert bind.get("name") and bind["name"] != param, f"{name}: control {param} has no label"


def test_durability_has_one_weight_slider_per_indicator(explorers):
    indicators = data.load_durability_indicators()
    binds = bound_params(explorers["durability"])
    assert set(binds) == {ex.param_name("w", i) for i in indicators["indicator"]}
    assert all(b["input"] == "range" and b["min"] == 0 and b["max"] == 5 for b in binds.values())


def test_vote_explorer_offers_every_resolution_and_country(explorers):
    votes = data.load_votes()
    binds = bound_params(explorers["votes"])
    ticks = [p for p in binds if re.fullmatch(r"r_\d+", p)]
    assert len(ticks) == votes["resolution"].nunique()
    assert sorted(binds["reference"]["options"]) == sorted(votes["iso3"].astype(str).unique())
    assert binds["method"]["options"] == list(case.AGREEMENT_METHODS)


def test_vote_groups_are_the_car_and_the_models_groups():
    votes = data.load_votes()
    car = case.resolve_country(votes, case.CAR_ISO3)
    for group in case.VOTE_GROUPS:
        countries = ex.vote_group_countries(votes, group)
        assert countries[0] == car and countries.count(car) == 1
        assert set(countries[1:]) | {car} == set(case.group_members(votes, group)) | {car}
    with pytest.raises(ValueError, match="unknown group 'asia'"):
        ex.vote_group_countries(votes, "asia")


def test_timeline_ships_every_event_with_its_year():
    events = data.load_events()
    explorer = ex.timeline_explorer()
    values = next(d for d in explorer.vega["data"] if d.get("values"))["values"]
    assert len(values) == len(events)
    first = values[0]
    assert set(first) >= {
        "event_id",
        "date",
        "when",
        "year",
        "title",
        "dimension",
        "phase",
        "actors",
    }
    assert all(v["year"] == int(v["date"][:4]) for v in values)


def test_explorers_build_from_small_tables():
    indicators = pd.DataFrame(
        {"indicator": ["a-b", "c"], "label": ["A", "C <b>"], "score": [0.2, 0.9]}
    )
    explorer = ex.durability_explorer(indicators)
    block = explorer.html()
    assert "w_a_b" in bound_params(explorer)
    assert "<b>" not in SPEC.search(block)[1]  # escaped inside the script element


def test_script_json_cannot_end_the_script_element():
    explorer = InPageExplorer(
        ident="x",
        title="t",
        chart={
            "data": {"values": [{"a": "</script><script>alert(1)</script>"}]},
            "mark": "bar",
            "name": "v",
            "encoding": {"x": {"field": "a", "type": "nominal"}},
        },
        takeaway="k",
        how_to="h",
        table_view="v",
        columns=[Column("a", "A")],
        summary="{_rows}",
    )
    block = explorer.html()
    assert block.count("</script>") == 2  # only the two script elements' own end tags


def test_an_unknown_view_is_refused():
    explorer = InPageExplorer(
        ident="x",
        title="t",
        chart={"data": {"values": [{"a": 1}]}, "mark": "bar", "name": "bars"},
        takeaway="k",
        how_to="h",
        table_view="nothing",
        columns=[Column("a", "A")],
        summary="{_rows}",
    )
    with pytest.raises(ValueError, match="no mark 'nothing_marks'"):
        explorer.html()
    with pytest.raises(ValueError, match="use lower case"):
        InPageExplorer("Bad Id", "t", {}, "k", "h", "v", [], "s")
    with pytest.raises(ValueError, match="no explorer 'maps'"):
        ex.explorer_for("maps")


def test_vega_bundle_is_written_once_and_scoped(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    path = assets.write_vega_bundle(tmp_path / "static")
    cached = list((tmp_path / "cache" / "coursekit").glob("vega-bundle-*.js"))
    assert len(cached) == 1 and cached[0].read_bytes() == path.read_bytes()
    other = assets.write_vega_bundle(tmp_path / "other")  # a second build copies the cached bundle
    assert other.read_bytes() == path.read_bytes()
    text = path.read_text(encoding="utf-8")
    assert text.splitlines()[0] == assets.bundle_header()
    assert "(function () {" in text and "window.vegaEmbed" in text
    assert "cdn.jsdelivr" not in text.split("\n", 1)[0]
    before = path.stat().st_mtime_ns
    assets.write_vega_bundle(tmp_path / "static")
    assert path.stat().st_mtime_ns == before  # same versions: not written again
    path.write_text("/* an old bundle */\n", encoding="utf-8")
    assets.write_vega_bundle(tmp_path / "static")
    assert path.read_text(encoding="utf-8").startswith(assets.bundle_header())


def test_duplicate_inline_scripts_are_dropped():
    from sphinx.builders.html._assets import _JavaScript

    scripts = [
        _JavaScript("_static/a.js"),
        _JavaScript(None, body="const THEBE_JS_URL = 1"),
        _JavaScript("_static/b.js"),
        _JavaScript("", body="const THEBE_JS_URL = 1"),
        _JavaScript("_static/a.js"),
        _JavaScript(None, body="const other = 2"),
    ]
    kept = dedupe_scripts(scripts)
    assert [(s.filename, s.attributes.get("body")) for s in kept] == [
        ("_static/a.js", None),
        (None, "const THEBE_JS_URL = 1"),
        ("_static/b.js", None),
        (None, "const other = 2"),
    ]


def test_part_one_controls_follow_the_models(explorers):
    from coursekit import theory

    assert set(bound_params(explorers["dilemma"])) == set(theory.DILEMMA_PARAMS)
    security = bound_params(explorers["security-autonomy"])
    assert set(security) == {*theory.PARAM_RANGES, "mode"}
    for name, (low, high) in theory.PARAM_RANGES.items():
        assert (security[name]["min"], security[name]["max"]) == (low, high), name
    assert security["mode"]["options"] == list(theory.MODES)
    checklist = bound_params(explorers["checklist"])
    assert set(checklist) == {f"{k}_{f}" for k in ("f", "w") for f in theory.FEATURES}
    threats = bound_params(explorers["threats"])
    actors = list(theory.THREAT_PRESETS["car_2017_2020"].threats)
    assert {f"a{i}_{f}" for i in range(len(actors)) for f in theory.FACTORS} <= set(threats)
    with pytest.raises(ValueError, match="no threat preset 'atlantis'"):
        tex.threat_explorer("atlantis")
    with pytest.raises(ValueError, match="no explorer 'walt'"):
        tex.explorer_for("walt")


def test_bibliography_entries_become_list_items():
    from coursekit import sphinxext

    context = {
        "body": '<div role="list"><div class="citation" role="doc-biblioentry">x</div></div>'
    }
    sphinxext._page_context(None, "p", "page.html", context, None)
    assert 'role="listitem"' in context["body"] and "doc-biblioentry" not in context["body"]
