"""In-page explorers: interactive charts that run in the reader's browser, with no kernel and no network.

Each explorer is a Vega-Lite chart written in Python with Altair (its controls are bound parameters, its
models calculate and filter transforms), compiled to Vega at build time and rendered by the Vega bundle the
book serves from its own ``_static/`` (:mod:`coursekit.explorers.assets`, :mod:`coursekit.sphinxext`).

* :mod:`coursekit.explorers.page`: the HTML block a page carries (controls, chart, text alternative, live
  summary, data table).
* :mod:`coursekit.explorers.case`: Part II (timeline, votes, durability scorecard).
* :mod:`coursekit.explorers.theory`: Part I (threats, security–autonomy, tactical checklist,
  abandonment–entrapment).

The Python models of :mod:`coursekit.theory` and :mod:`coursekit.case` stay the reference: the browser tests
move each explorer's controls and compare its numbers with them.
"""
