"""A figure drawn straight to SVG, as matplotlib would draw it on a `plotting.canvas`: points from the
top left, text as text (DejaVu Sans, FONT points), lines, rectangles and polygons in matplotlib's
drawing order (patches, then lines, then text; each in the order added).

For figures with a row per study (the forest plots, the timeline): matplotlib costs about 2 ms a text to lay out
and write, which made render grow with the studies at ~250 ms a study. The text is placed where
matplotlib places it (its vertical centring is measured once, from matplotlib); widths come from
`plotting.text_width`, matplotlib's own measure.
"""

from __future__ import annotations

import re
from functools import lru_cache
from html import escape

import matplotlib.pyplot as plt
from matplotlib.font_manager import FontProperties
from matplotlib.textpath import TextToPath

from evsynth.render.plotting import FONT, INK

Z_PATCH, Z_LINE, Z_TEXT = 1.0, 2.0, 3.0  # matplotlib's default zorders
HALF, PAD = 4.7504, 1.045  # a text's box as matplotlib draws it: half its height, the padding (points)
ANCHOR = {"left": "start", "right": "end", "center": "middle"}


def num(x: float) -> str:
    """A coordinate as matplotlib writes it (up to 6 decimals, no trailing zeros)."""
    return f"{x:f}".rstrip("0").rstrip(".")


@lru_cache(maxsize=4096)
def drawn_width(text: str, bold: bool, italic: bool) -> float:
    """The width matplotlib gives a text's box (its outline's, unhinted: narrower than `text_width`)."""
    props = FontProperties(family="DejaVu Sans", size=FONT, weight="bold" if bold else "normal",
                           style="italic" if italic else "normal")  # fmt: skip
    return float(TextToPath().get_text_width_height_descent(text, props, False)[0])  # type: ignore[no-untyped-call]


@lru_cache(maxsize=4)
def centre_offset(bold: bool) -> float:
    """How far below a text's centre (va='center') matplotlib puts its baseline, in points."""
    fig = plt.figure(figsize=(1, 1))
    fig.text(0, 0.5, "lp", va="center", weight="bold" if bold else "normal", size=FONT)
    out = _svg_text(fig)
    plt.close(fig)
    m = re.search(r'<text[^>]* y="([\d.]+)"', out)
    assert m, "matplotlib wrote no text"
    return float(m.group(1)) - 36.0  # the text's centre is at half the 72-point figure


def _svg_text(fig: object) -> str:
    import io

    buf = io.StringIO()
    fig.savefig(buf, format="svg")  # type: ignore[attr-defined]
    return buf.getvalue()


class Canvas:
    """`width` x `height` points; draw, then `svg(title, desc)`."""

    def __init__(self, width: float, height: float) -> None:
        self.width, self.height = width, height
        self.items: list[tuple[float, int, str]] = []

    def _add(self, z: float, element: str, gid: str | None = None) -> None:
        self.items.append((z, len(self.items), f'<g id="{gid}">{element}</g>' if gid else element))

    def text(self, x: float, y: float, s: str, ha: str = "left", weight: str = "normal", style: str = "normal",
             color: str = INK, box: bool = False) -> None:  # fmt: skip
        """`s` centred on y (va='center'), anchored at x by `ha`; `box`: on white (1 point around it)."""
        bold = weight == "bold"
        base = y + centre_offset(bold)
        if not s:  # matplotlib draws nothing for an empty text
            return
        if box:
            w = drawn_width(s, bold, style == "italic")
            left = {"left": x, "right": x - w, "center": x - w / 2}[ha]
            x0, x1, y0, y1 = left - PAD, left + w + PAD, y + HALF + PAD, y - HALF - PAD  # from the bottom left
            self.polygon([(x0, y0), (x1, y0), (x1, y1), (x0, y1)], "#ffffff", None, 0, z=Z_TEXT)
        css = ("font-weight: 700; " if bold else "") + ("font-style: italic; " if style == "italic" else "")
        css += f"font-size: {num(FONT)}px; font-family: 'DejaVu Sans'; text-anchor: {ANCHOR[ha]}; fill: {color}"
        self._add(Z_TEXT, f'<text style="{css}" x="{num(x)}" y="{num(base)}">{escape(s, quote=False)}</text>')

    def line(self, xs: list[float], ys: list[float], color: str, lw: float, dashed: bool = False,
             butt: bool = False, gid: str | None = None, z: float = Z_LINE) -> None:  # fmt: skip
        d = " ".join(f"{'M' if i == 0 else 'L'} {num(x)} {num(y)}" for i, (x, y) in enumerate(zip(xs, ys, strict=True)))
        width = "" if lw == 1 else f"; stroke-width: {num(lw)}"  # matplotlib leaves out the default width
        if dashed:  # matplotlib's '--': dashes of 3.7 and gaps of 1.6 line widths, butt ends
            dash = f"stroke-dasharray: {num(round(3.7 * lw, 2))},{num(round(1.6 * lw, 2))}; stroke-dashoffset: 0; "
            css = f"fill: none; {dash}stroke: {color}{width}"
        else:  # butt ends are the SVG default; matplotlib's lines project by default
            css = f"fill: none; stroke: {color}{width}" + ("" if butt else "; stroke-linecap: square")
        self._add(z, f'<path d="{d}" style="{css}"/>', gid)

    def polygon(self, points: list[tuple[float, float]], fill: str, edge: str | None, lw: float,
                gid: str | None = None, z: float = Z_PATCH) -> None:  # fmt: skip
        d = " ".join(f"{'M' if i == 0 else 'L'} {num(x)} {num(y)}" for i, (x, y) in enumerate(points)) + " z"
        width = "" if lw == 1 else f"; stroke-width: {num(lw)}"  # matplotlib leaves out the default width
        css = f"fill: {fill}" + (f"; stroke: {edge}{width}; stroke-linejoin: miter" if edge else "")
        self._add(z, f'<path d="{d}" style="{css}"/>', gid)

    def circle(self, x: float, y: float, r: float, fill: str, edge: str | None = None, lw: float = 1,
               z: float = Z_PATCH) -> None:  # fmt: skip
        """A dot of radius `r` points centred on (x, y) (a scatter marker: `r` is half the square root
        of matplotlib's `s`)."""
        width = "" if lw == 1 else f"; stroke-width: {num(lw)}"
        css = f"fill: {fill}" + (f"; stroke: {edge}{width}" if edge else "")
        self._add(z, f'<circle cx="{num(x)}" cy="{num(y)}" r="{num(r)}" style="{css}"/>')

    def rect(self, x: float, y: float, w: float, h: float, fill: str, edge: str | None, lw: float,
             gid: str | None = None, z: float = Z_PATCH) -> None:  # fmt: skip
        self.polygon([(x, y), (x + w, y), (x + w, y + h), (x, y + h)], fill, edge, lw, gid, z)

    def svg(self, title: str, desc: str) -> str:
        """The figure with a <title> and <desc> text alternative, its size in points."""
        w, h = num(self.width), num(self.height)
        head = (
            f'<svg role="img" aria-labelledby="fig-title fig-desc" xmlns:xlink="http://www.w3.org/1999/xlink" '
            f'width="{w}pt" height="{h}pt" viewBox="0 0 {w} {h}" xmlns="http://www.w3.org/2000/svg" version="1.1">'
            f'<title id="fig-title">{escape(title)}</title><desc id="fig-desc">{escape(desc)}</desc>\n'
            ' <defs>\n  <style type="text/css">*{stroke-linejoin: round; stroke-linecap: butt}</style>\n </defs>\n'
            f' <path d="M 0 {h} L {w} {h} L {w} 0 L 0 0 z" style="fill: #ffffff"/>\n'
        )
        body = "".join(f"  {element}\n" for _, _, element in sorted(self.items))
        return head + ' <g id="axes_1">\n' + body + " </g>\n</svg>\n"
