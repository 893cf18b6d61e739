"""ipywidgets wiring only: controls → :mod:`coursekit.theory` / :mod:`coursekit.case` → :mod:`coursekit.plots`.

Submodules: :mod:`coursekit.widgets.theory` (Part I), :mod:`coursekit.widgets.case` (Part II). The shared
widget base class is :class:`coursekit.widgets.base.Explorer`.
"""
