"""Layout and live-rendering helpers shared by the figure modules (private to :mod:`coursekit.plots`).

* :func:`wrap`, :func:`shorten`, :func:`text_width`, :func:`text_height`, :func:`fixed_margins`: text and margin
  arithmetic, so live figures need no layout engine;
* :func:`pin_title`, :func:`message_axes`, :func:`letter_cells`: a fixed title height, a message in an empty
  panel, and cell labels of a coded grid drawn as one marker collection (cheap to redraw);
* :func:`make_live` and :func:`live_png`: the explorers' fast path, which redraws only the artists that change
  over a cached background (blitting).
"""

from __future__ import annotations

import io
import textwrap
from collections.abc import Sequence, Set
from functools import lru_cache
from typing import Any

import numpy as np
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.collections import PathCollection
from matplotlib.figure import Figure
from matplotlib.markers import MarkerStyle
from matplotlib.transforms import IdentityTransform
from PIL import Image as PILImage

from coursekit.plots.style import to_png

__all__ = [
    "wrap",
    "shorten",
    "text_width",
    "text_height",
    "fixed_margins",
    "pin_title",
    "message_axes",
    "letter_cells",
    "make_live",
    "live_png",
    "fast_png",
]


def wrap(text: str, width: int) -> str:
    return "\n".join(textwrap.wrap(str(text), width)) or str(text)


def text_width(text: str, fontsize: float) -> float:
    """Generous estimate of the width of a (possibly multi-line) text, in inches."""
    longest = max((len(line) for line in str(text).splitlines()), default=0)
    return longest * 0.55 * fontsize / 72


def text_height(text: str, fontsize: float) -> float:
    """Estimate of the height of a (possibly multi-line) text, in inches."""
    return (str(text).count("\n") + 1) * 1.25 * fontsize / 72


def fixed_margins(
    fig: Figure,
    *,
    left: float,
    right: float,
    bottom: float,
    top: float,
    gap: float = 0.0,
    ncols: int = 1,
) -> None:
    """Place the axes with margins given in inches, instead of running a layout engine.

    The live figures are redrawn on every slider move, and a layout engine costs a full extra drawing pass; the
    margins here are computed from the lengths of the labels, which every figure function keeps bounded.
    """
    width, height = fig.get_size_inches()
    usable = width - left - right
    wspace = None
    if ncols > 1:
        average = (usable - gap * (ncols - 1)) / ncols
        wspace = gap / average
    fig.set_layout_engine(None)
    fig.subplots_adjust(
        left=left / width,
        right=1 - right / width,
        bottom=bottom / height,
        top=1 - top / height,
        wspace=wspace,
    )


def shorten(text: str, width: int) -> str:
    text = str(text)
    return text if len(text) <= width else text[: width - 1].rstrip() + "…"


def pin_title(ax: Axes, fontsize: float = 12) -> None:
    """Fix the height of an axes' left title so that matplotlib skips measuring tick labels to place it.

    Figures that the widgets redraw on every change use this: automatic title placement costs several
    milliseconds per axes and per draw.
    """
    ax.set_title(ax.get_title(loc="left"), loc="left", fontsize=fontsize, y=1.0, pad=6)


def message_axes(ax: Axes, text: str) -> None:
    ax.text(
        0.5,
        0.5,
        text,
        ha="center",
        va="center",
        transform=ax.transAxes,
        fontsize=10,
        color="#555555",
    )


@lru_cache(maxsize=256)
def _letter_marker(letter: str) -> MarkerStyle:
    """The mathtext marker for a cell label, parsed once (parsing costs about a millisecond per marker)."""
    return MarkerStyle("$\\mathrm{" + letter + "}$")


def letter_cells(
    ax: Axes,
    codes: np.ndarray,
    letters: Sequence[str],
    *,
    dark: Set[int] = frozenset(),
    size: float = 7.5,
) -> list[Any]:
    """Write a short label in each cell of a coded grid, as one collection of letter-shaped markers (returned).

    Letters drawn as mathtext markers (paths) render far faster than one text object per cell, and one
    collection for the whole grid is far cheaper to make than one per label, which keeps the widgets
    responsive; the grid is read the same way. The cells lie inside the axes' limits, so the collection does
    not take part in autoscaling.
    """
    grid = np.indices(codes.shape)
    rows, cols = grid[0], grid[1]
    paths, sizes, colours, xs, ys = [], [], [], [], []
    for code, letter in enumerate(letters):
        mask = codes == code
        count = int(mask.sum())
        if not count:
            continue
        marker = _letter_marker(letter)
        paths += [marker.get_path().transformed(marker.get_transform())] * count
        sizes += [(size * (1.0 if len(letter) <= 1 else 1.45)) ** 2] * count
        colours += ["white" if code in dark else "black"] * count
        xs.append(cols[mask])
        ys.append(rows[mask])
    if not paths:
        return []
    cells = PathCollection(
        paths, sizes, offsets=np.column_stack([np.concatenate(xs), np.concatenate(ys)]),
        offset_transform=ax.transData, transform=IdentityTransform(), facecolors=colours, linewidths=0, zorder=3,
    )  # fmt: skip
    ax.add_collection(cells, autolim=False)
    return [cells]


def make_live(fig: Figure, ax: Axes, key: object, dynamic: Sequence[Any], **handles: Any) -> None:
    """Mark the artists that change between updates, for :func:`live_png`.

    They are set animated, so a plain canvas draw leaves them out of the cached background; ``savefig`` still
    draws them (axes artists only: a figure-level artist set animated would be lost when saving), so the figure
    prints and saves as usual.
    """
    for artist in dynamic:
        artist.set_animated(True)
    fig._coursekit_live = {  # type: ignore[attr-defined]  # the live state travels with the figure
        "key": key,
        "ax": ax,
        "dynamic": list(dynamic),
        **handles,
    }


def live_png(fig: Figure, dpi: int = 72) -> bytes:
    """PNG of a figure, redrawing only what changes when the figure supports it (blitting).

    Figures from :func:`coursekit.plots.theory.threat_figure` and :func:`coursekit.plots.theory.dilemma_figure` mark the artists that change between
    updates. The rest (axes, grid, labels, legend) is drawn once and cached; each call restores that background,
    draws the changing artists on top and encodes the image with fast PNG compression. Any other figure is
    rendered by :func:`coursekit.plots.style.to_png`.

    Parameters
    ----------
    fig : matplotlib.figure.Figure
        The figure.
    dpi : int, optional
        Resolution. Default 72.

    Returns
    -------
    bytes
        The PNG file.
    """
    live = getattr(fig, "_coursekit_live", None)
    if live is None:
        return to_png(fig, dpi=dpi)
    canvas = fig.canvas if isinstance(fig.canvas, FigureCanvasAgg) else FigureCanvasAgg(fig)
    cache = live.get("blit")
    if cache is None or cache["dpi"] != dpi:
        fig.set_dpi(dpi)
        canvas.draw()  # animated artists are skipped: this is the background
        cache = {"dpi": dpi, "background": canvas.copy_from_bbox(fig.bbox)}
        live["blit"] = cache
    canvas.restore_region(cache["background"])
    for artist in live["dynamic"]:
        live["ax"].draw_artist(artist)
    return _encode(canvas)


def fast_png(fig: Figure, dpi: int = 72) -> bytes:
    """PNG of a whole figure, drawn once and encoded with fast compression.

    The same picture as :func:`coursekit.plots.style.to_png` (a larger file, in less time): for explorers whose
    figure changes its layout with the selection, so that no background can be kept.
    """
    canvas = fig.canvas if isinstance(fig.canvas, FigureCanvasAgg) else FigureCanvasAgg(fig)
    fig.set_dpi(dpi)
    canvas.draw()
    return _encode(canvas)


def _encode(canvas: FigureCanvasAgg) -> bytes:
    """The canvas's pixels as a PNG with fast compression (level 1: a larger file, a fraction of the time)."""
    width, height = canvas.get_width_height(physical=True)
    image = PILImage.frombuffer("RGBA", (width, height), canvas.buffer_rgba(), "raw", "RGBA", 0, 1)
    buffer = io.BytesIO()
    image.save(buffer, format="png", compress_level=1)
    return buffer.getvalue()
