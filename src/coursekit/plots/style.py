"""The course's figure style: a colour-blind-safe palette and a figure factory without pyplot state.

Figures are made with :class:`matplotlib.figure.Figure` directly (not ``pyplot``), so building one in a widget
callback leaks nothing and a notebook shows each figure once, through :func:`show` or as a cell's last value.
"""

from __future__ import annotations

import io
from typing import Any

from matplotlib.axes import Axes
from matplotlib.figure import Figure

# Okabe & Ito (2008) colour-blind-safe palette.
PALETTE: dict[str, str] = {
    "orange": "#E69F00",
    "sky": "#56B4E9",
    "green": "#009E73",
    "yellow": "#F0E442",
    "blue": "#0072B2",
    "vermillion": "#D55E00",
    "purple": "#CC79A7",
    "black": "#000000",
    "grey": "#999999",
}

# One colour per dimension of the article, used by every figure that shows dimensions.
DIMENSION_COLOURS: dict[str, str] = {
    "military_security": PALETTE["blue"],
    "weapons_delivery": PALETTE["vermillion"],
    "resources": PALETTE["orange"],
    "international_support": PALETTE["green"],
    "context": PALETTE["grey"],
}

CAR_COLOUR = PALETTE["vermillion"]
RUSSIA_COLOUR = PALETTE["blue"]


def new_figure(width: float = 8.0, height: float = 4.5, **kwargs: Any) -> Figure:
    """Return a new, empty figure in the course style (no pyplot state, constrained layout)."""
    fig = Figure(figsize=(width, height), layout="constrained", **kwargs)
    return fig


def style_axes(ax: Axes, *, title: str, xlabel: str, ylabel: str) -> None:
    """Give an axes its title and labelled axes, and the course's light grid."""
    ax.set_title(title, fontsize=12, loc="left")
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    ax.grid(True, alpha=0.3, linewidth=0.6)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)


def to_png(fig: Figure, dpi: int = 100) -> bytes:
    """Render a figure to PNG bytes."""
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=dpi)
    return buffer.getvalue()


def _repr_png_(fig: Figure) -> bytes:  # pragma: no cover - used by IPython
    return to_png(fig)


# A Figure made without pyplot has no PNG repr of its own outside matplotlib-inline; give it one so a cell
# whose last value is a figure shows the image in every front end (JupyterLab, Colab, the book).
if not hasattr(Figure, "_repr_png_"):
    Figure._repr_png_ = _repr_png_  # type: ignore[attr-defined]
