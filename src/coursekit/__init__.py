"""coursekit: the helper package of the course *Alliances of Convenience*.

Data flows one way through the package::

    data  ->  theory / case  ->  plots  ->  widgets  ->  chapters and exercises

``coursekit.data`` loads and validates ``data/``; ``coursekit.theory`` holds the pure models of Part I;
``coursekit.case`` the pure computations over the case data of Part II; ``coursekit.plots`` turns
DataFrames and parameters into matplotlib figures; ``coursekit.widgets`` only wires ipywidgets controls to
those functions. ``coursekit.exercises`` is the exercise format (release, self-checks) and
``coursekit.grading`` the batch grader. ``coursekit.cli`` is the ``coursekit`` command.
"""

from __future__ import annotations

from coursekit.paths import data_dir, project_root

__version__ = "0.2.0"

__all__ = ["__version__", "data_dir", "project_root"]
