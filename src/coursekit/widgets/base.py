"""The shared shape of every course widget.

A widget is a small object with

* ``controls``: a dict of name → ipywidgets control;
* ``result``: the value the last update computed (through a pure function of :mod:`coursekit.theory` or
  :mod:`coursekit.case`), or ``None`` when the inputs were invalid;
* ``figure``: the last figure (from :mod:`coursekit.plots`), or ``None``;
* ``message``: a sentence for the reader when the inputs are invalid or the selection is empty (never a
  traceback), otherwise ``""``;
* ``widget``: the ipywidgets box to display.

Subclasses implement :meth:`Explorer.make_controls`, :meth:`Explorer.compute` and :meth:`Explorer.draw`;
they never compute anything themselves beyond calling those functions.
"""

from __future__ import annotations

from typing import Any

import ipywidgets as W
from IPython.display import Image, display
from matplotlib.figure import Figure

from coursekit.plots.style import to_png


class Explorer:
    """Base class: wire controls to a pure computation and a pure figure."""

    #: PNG resolution for the live figure (kept modest so an update stays fast).
    dpi: int = 80

    def __init__(self, **initial: Any) -> None:
        self.controls: dict[str, W.ValueWidget] = self.make_controls()
        for name, value in initial.items():
            if name not in self.controls:
                raise ValueError(
                    f"{type(self).__name__} has no control named {name!r}; "
                    f"choose from {sorted(self.controls)}"
                )
            self.controls[name].value = value
        self.result: Any = None
        self.figure: Figure | None = None
        self.message: str = ""
        self._message_box = W.HTML()
        self._output = W.Output()
        self.widget = W.VBox(
            [self.layout_controls(), self._message_box, self._output],
            layout=W.Layout(width="100%"),
        )
        for control in self.controls.values():
            control.observe(self._on_change, names="value")
        self.update()

    # -- to implement -------------------------------------------------------------------------------
    def make_controls(self) -> dict[str, W.ValueWidget]:  # pragma: no cover - abstract
        raise NotImplementedError

    def compute(self, **values: Any) -> Any:  # pragma: no cover - abstract
        """Call the pure function(s) that produce the result; raise ``ValueError`` for invalid input."""
        raise NotImplementedError

    def draw(self, result: Any, **values: Any) -> Figure:  # pragma: no cover - abstract
        """Call the pure figure function for ``result``."""
        raise NotImplementedError

    def layout_controls(self) -> W.Widget:
        """Arrange the controls (override for a custom layout)."""
        return W.VBox(list(self.controls.values()))

    # -- machinery ----------------------------------------------------------------------------------
    @property
    def values(self) -> dict[str, Any]:
        """The current value of every control."""
        return {name: control.value for name, control in self.controls.items()}

    def _on_change(self, _change: dict[str, Any]) -> None:
        self.update()

    def update(self) -> None:
        """Recompute the result and redraw; on invalid input show a message instead of a traceback."""
        values = self.values
        try:
            result = self.compute(**values)
            figure = self.draw(result, **values)
        except ValueError as exc:
            self.result, self.figure, self.message = None, None, str(exc)
        else:
            self.result, self.figure, self.message = result, figure, ""
        self._render()

    def _render(self) -> None:
        self._message_box.value = (
            f'<div role="alert" style="color:#a04000;font-weight:600">{self.message}</div>'
            if self.message
            else ""
        )
        self._output.clear_output(wait=True)
        if self.figure is not None:
            with self._output:
                display(Image(self.png()))

    def shown_figure(self) -> Figure:
        """The figure on screen; ``png()`` is only called when there is one (not after invalid settings)."""
        if self.figure is None:
            raise RuntimeError(
                f"no figure to show: {self.message or 'the widget has not drawn yet'}"
            )
        return self.figure

    def png(self) -> bytes:
        """The PNG shown for the current figure (a subclass may use a faster renderer)."""
        return to_png(self.shown_figure(), dpi=self.dpi)

    def _ipython_display_(self) -> None:  # pragma: no cover - display hook
        display(self.widget)
