"""Pure figure functions: data or parameters in, a :class:`matplotlib.figure.Figure` out.

Submodules: :mod:`coursekit.plots.theory` (Part I models), :mod:`coursekit.plots.case` (Part II data),
:mod:`coursekit.plots.data` (the data appendix); shared look in :mod:`coursekit.plots.style`.
"""
