"""What every figure shares: matplotlib settings, text measurement and wrapping, SVG output.

Figures are laid out in points on a canvas of a fixed width, so that the text size as displayed is
known: a figure `WIDE` points wide shown in a column of C pixels shows text of s points at
s * C / WIDE pixels (the SVG's user unit is the point). WIDE is for the desktop column and the
print page, NARROW for phones (the page switches by a media query).
"""

from __future__ import annotations

import io
import re
from collections.abc import Callable
from functools import lru_cache, partial
from html import escape
from typing import Any

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
from matplotlib.backends.backend_agg import RendererAgg, get_hinting_flag
from matplotlib.font_manager import FontProperties, fontManager, get_font
from matplotlib.ft2font import Kerning

from evsynth.core import escape as untrusted

# Labels come from study files: never read `$...$` as mathtext (it crashes on `$\\frac$`).
plt.rcParams.update(
    {
        "text.parse_math": False,
        "text.usetex": False,
        "svg.hashsalt": "evsynth",
        "svg.fonttype": "none",
        "font.family": "DejaVu Sans",
        "font.size": 9.5,
        "axes.spines.top": False,
        "axes.spines.right": False,
    }
)
WIDE, NARROW = 518.4, 273.6  # canvas widths in points (7.2 and 3.8 inches)
FONT = 9.5  # every text of a figure, in points: >= 11 px when WIDE is shown in a 680 px column
LINE = 14.0  # one line of text, in points
INK, MUTED, RULE = "#1a1a1a", "#5f5f5f", "#b0b0b0"
# White text on each passes WCAG AA (>= 4.5:1), for the evidence map's circles.
GROUP_COLOURS = {"tae": "#1565c0", "tace-tai": "#c62828", "pvp": "#2e7d32", "pvp-tai-tace": "#6a3d9a"}
VARIANTS = ("wide", "narrow")


@lru_cache(maxsize=1)
def _renderer() -> RendererAgg:
    return RendererAgg(100, 100, 72)  # type: ignore[no-untyped-call]  # 72 dpi: one pixel is one point


@lru_cache(maxsize=65536)
def text_width(text: str, bold: bool = False, size: float = FONT) -> float:
    """The width of `text` in points, as matplotlib lays it out in DejaVu Sans (cached: matplotlib's
    text shaping costs about 40 us a character, and a forest plot measures each cell's text twice)."""
    props = FontProperties(family="DejaVu Sans", size=size, weight="bold" if bold else "normal")
    w, _, _ = _renderer().get_text_width_height_descent(text, props, ismath=False)  # type: ignore[no-untyped-call]
    return float(w)


@lru_cache(maxsize=2)
def _font(bold: bool) -> Any:
    """The FT2Font `text_width` measures with (matplotlib's own, shared: sized again before each use)."""
    props = FontProperties(family="DejaVu Sans", size=FONT, weight="bold" if bold else "normal")
    return get_font(fontManager._find_fonts_by_props(props))


# Characters laid out one after another from DejaVu Sans itself, left to right, by advance and kerning
# alone: ASCII, Latin-1 and Latin Extended-A letters (one script: harfbuzz kerns no pair across two),
# common punctuation and signs.
_SIMPLE = re.compile("[\x20-\x7e\xa0-\xac\xae-\u017f\u2013\u2014\u2018\u2019\u201c\u201d"
                     "\u2022\u2026\u2030\u2032\u2033\u2190-\u2193\u2212\u2248\u2260\u2264\u2265\u221e]")  # fmt: skip


def _simple(c: str) -> bool:
    return bool(_SIMPLE.fullmatch(c)) and _font(False).get_char_index(ord(c)) != 0 != _font(True).get_char_index(ord(c))


@lru_cache(maxsize=4096)
def _advance(c: str, bold: bool) -> float | None:
    """The hinted advance of `c` in points (None when `c` is not `_simple`)."""
    if not _simple(c):
        return None
    font = _font(bold)
    font.set_size(FONT, 72)
    flags = get_hinting_flag()  # type: ignore[no-untyped-call]
    return float(font.load_char(ord(c), flags=flags).horiAdvance) / 64


@lru_cache(maxsize=65536)
def _kerning(pair: str, bold: bool) -> float:
    font = _font(bold)
    font.set_size(FONT, 72)
    left, right = (font.get_char_index(ord(c)) for c in pair)
    return float(font.get_kerning(left, right, Kerning.UNFITTED)) / 64


# How far matplotlib's width of a `_simple` text may lie from its advances and kerning summed: up to
# `SLACK` points (the ends of the ink and rounding: at most 0.016 measured), and `LIGATURE` more for
# each f-ligature (ff, fi, fl: ~1.0 narrower, or a little wider, measured). tests/test_figures.py
# checks both on random texts.
SLACK, LIGATURE = 0.25, 1.5
_LIGATURES = re.compile(r"f(?=[fil])")


def width_bounds(text: str, bold: bool = False) -> tuple[float, float] | None:
    """Bounds on `text_width(text, bold)` from each character's advance and each pair's kerning (some
    microseconds, not matplotlib's ~0.4 ms of shaping and hinting); None when a character is not simple."""
    total = 0.0
    for c in text:
        a = _advance(c, bold)
        if a is None:
            return None
        total += a
    for i in range(len(text) - 1):
        total += _kerning(text[i : i + 2], bold)
    slack = SLACK + LIGATURE * len(_LIGATURES.findall(text))
    return total - slack, total + slack


def fits(text: str, width: float, bold: bool = False) -> bool:
    """text_width(text, bold) <= width, measured only when the bounds cannot tell."""
    bounds = width_bounds(text, bold) if text else None
    if bounds is not None and bounds[1] <= width:
        return True
    if bounds is not None and bounds[0] > width:
        return False
    return text_width(text, bold) <= width


def widest(texts: list[tuple[str, bool]]) -> float:
    """max(text_width(t, bold) for t, bold in texts), measuring only the texts that could be widest:
    from the highest upper bound down, until the widest measured is at least every bound left."""
    inf = float("inf")
    bounds = sorted((b[1] if (b := width_bounds(t, bold) if t else None) else inf, t, bold) for t, bold in texts)
    best = -inf
    for upper, t, bold in reversed(bounds):
        if upper <= best:
            break
        best = max(best, text_width(t, bold))
    return best


def _estimate(text: str, bold: bool) -> float:
    """A quick width: the sum of each character's own (a guess only; `text_width` decides)."""
    return sum(text_width(c, bold) for c in text)


def _longest(fits: Callable[[int], bool], guess: int, most: int) -> int:
    """The largest k in 1..most with fits(k), from a guess; a text's width never shrinks as it grows,
    so stepping from the guess finds what trying each k in turn would (in two or three measures)."""
    k = min(max(guess, 1), most)
    if fits(k):
        while k < most and fits(k + 1):
            k += 1
        return k
    while k > 1 and not fits(k):
        k -= 1
    return k


def _first_words_fit(words: list[str], width: float, bold: bool, k: int) -> bool:
    return k == 1 or fits(" ".join(words[:k]), width, bold)


def wrap(text: str, width: float, bold: bool = False) -> list[str]:
    """`text` broken at spaces into lines no wider than `width` points (a longer word gets its own line)."""
    words, lines = text.split(), []
    while words:
        guess, room = 0, width
        for w in words:
            room -= _estimate(w if not guess else f" {w}", bold)
            if room < 0:
                break
            guess += 1
        k = _longest(partial(_first_words_fit, words, width, bold), guess, len(words))
        lines.append(" ".join(words[:k]))
        words = words[k:]
    return lines or [""]


def clip(text: str, width: float, bold: bool = False) -> str:
    """`text` cut with an ellipsis to fit `width` points."""
    if fits(text, width, bold):
        return text
    room, guess = width - _estimate("…", bold), 0
    while guess < len(text) and room >= 0:
        room -= text_width(text[guess], bold)
        guess += 1
    # the longest start of `text` that fits with the ellipsis (an empty start when none does)
    k = _longest(lambda k: fits(text[: k - 1] + "…", width, bold), guess, len(text) + 1) - 1
    return text[:k].rstrip() + "…"


def plain(text: Any) -> str:
    """Untrusted text for a figure: one line, no control characters (matplotlib escapes it for XML)."""
    return str(untrusted.one_line(text)).strip()


def canvas(width: float, height: float) -> tuple[Any, Any]:
    """A figure `width` x `height` points with one axes covering it, in points from the top left."""
    fig = plt.figure(figsize=(width / 72, height / 72))
    ax = fig.add_axes((0, 0, 1, 1))
    ax.set_xlim(0, width)
    ax.set_ylim(height, 0)
    ax.axis("off")
    return fig, ax


def svg(fig: Any, title: str, desc: str) -> str:
    """The figure as SVG with a <title> and <desc> text alternative, its size in points (no date)."""
    buf = io.StringIO()
    fig.savefig(buf, format="svg", metadata={"Date": None, "Creator": None})
    plt.close(fig)
    text = buf.getvalue()
    text = text[text.index("<svg") :]
    text = re.sub(r"<svg ", '<svg role="img" aria-labelledby="fig-title fig-desc" ', text, count=1)
    head = f'<title id="fig-title">{escape(title)}</title><desc id="fig-desc">{escape(desc)}</desc>'
    return text.replace(">", ">" + head, 1)


def short_group(title: str) -> str:
    """'Transarterial embolization (TAE)' -> 'TAE'; a title without an abbreviation stays whole."""
    m = re.search(r"\(([^()]+)\)\s*$", title)
    return m.group(1) if m else title
