"""Charts for the co-production overview and the governance report: static SVG made on the
server with pygal, shown as an <img> with a data: URI. The page's CSP (`style-src 'self'`) would
block the <style> pygal puts inside an inline SVG; inside an image it is the image's own, and an
image never runs script. pygal's config <script> is taken out all the same (js=[] stops it
loading scripts, not writing that one).

Each SVG has a viewBox and no fixed size, so it scales to its column (at 320 px too); labels are
large so that they stay readable when it does. Rendering takes tens of milliseconds, so each SVG
is kept per data set (the labels and values): the figures change only when feedback arrives.
"""

from __future__ import annotations

import base64
import re
import sys
from collections.abc import Sequence

import pygal
from pygal.style import Style

from portal.render_cache import remember

# On import pygal appends a legacy import hook for its map plugins (we use none) to sys.meta_path.
# It has no find_spec, so Python warns (ImportWarning) at every import that falls through to it:
# take it out again.
sys.meta_path[:] = [finder for finder in sys.meta_path if type(finder).__module__ != "pygal"]

KEPT = 64
SHORT = 18  # characters of a bar's label, at most
WIDTH, HEIGHT = 600, 400
SCRIPT = re.compile(r"<script\b.*?</script>", re.DOTALL)
# GOV.UK colours: blue bars and lines on white, black text.
STYLE = Style(
    background="#ffffff",
    plot_background="#ffffff",
    foreground="#0b0c0c",
    foreground_strong="#0b0c0c",
    foreground_subtle="#505a5f",
    colors=("#1d70b8",),
    font_family="arial, sans-serif",
    label_font_size=20,
    major_label_font_size=20,
    value_font_size=20,
    title_font_size=22,
    stroke_width=4,
)


def _svg(kind: str, labels: tuple[str, ...], values: tuple[float | None, ...], maximum: float | None) -> str:
    options = {
        "js": [], "disable_xml_declaration": True, "show_legend": False, "style": STYLE, "width": WIDTH,
        "height": HEIGHT, "margin": 12, "print_values": False, "show_minor_x_labels": True,
        "truncate_label": -1,
    }
    if maximum is not None:
        options["range"] = (0, maximum)
    if kind == "line":
        chart = pygal.Line(**options, x_label_rotation=45, dots_size=6, allow_interruptions=True)
    elif kind == "horizontal":
        # Percentages, the first label at the top, and long labels cut short (the table has them whole).
        chart = pygal.HorizontalBar(**options, y_labels=[0, 50, 100], value_formatter=lambda v: f"{v:.0f}%")
        labels = tuple(label if len(label) <= SHORT else label[: SHORT - 1].rstrip() + "…" for label in labels[::-1])
        values = values[::-1]
    else:
        chart = pygal.Bar(**options, x_label_rotation=45)
    chart.x_labels = labels
    chart.add("", list(values))
    return SCRIPT.sub("", chart.render(is_unicode=True))


def data_uri(kind: str, labels: Sequence[str], values: Sequence[float | None], maximum: float | None = None) -> str:
    """The chart as a data: URI, from the app's cache when this data set was drawn before."""
    key = (kind, tuple(labels), tuple(values), maximum)
    return remember("charts", key, lambda: "data:image/svg+xml;base64," + base64.b64encode(
        _svg(kind, key[1], key[2], maximum).encode()).decode(), kept=KEPT)
