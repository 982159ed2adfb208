"""report.html: one self-contained page per run, rendered from the run's own JSON files.

A page must open anywhere a CI artifact is opened (an air-gapped lab, a ticket attachment), so nothing
is fetched: the styles, the data and the charting code are inline. Charts are drawn by uPlot (MIT,
~50 KB minified, canvas, no dependencies; vendored in ``report/assets``): it is the smallest
well-kept library that draws time series and x/y lines with thousands of points quickly, which is all
these reports need. The data is embedded once as JSON and the page's own script draws from it, so
``ecekit report DIR`` (re-rendering an old run after an upgrade) and a live run produce the same page.

Templates are Jinja2 with autoescaping on: every string in a report came from a server or a user.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from functools import cache
from pathlib import Path
from typing import Any

from ecekit.__about__ import __version__
from ecekit.report.views import NONE

_HERE = Path(__file__).resolve().parent
ASSETS = _HERE / "assets"
TEMPLATES = _HERE / "templates"

KINDS = ("check", "load", "fuzz", "capacity", "diff", "compare")


@cache
def _environment() -> Any:
    import jinja2

    # Undefined (not StrictUndefined): a run's JSON from an older ecekit lacks newer keys, and its page
    # must still render, with those parts empty.
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(str(TEMPLATES)), autoescape=True,
                             trim_blocks=True, lstrip_blocks=True)
    env.filters["ms"] = lambda v: _number(v, "{:.3f}")
    env.filters["pct"] = lambda v: _number(v, "{:.2f} %", 100)
    return env


def _number(value: Any, form: str, scale: float = 1) -> str:
    """A number as the page shows it; a dash for one that is missing (an older run's JSON, or a key
    never written) or not a number at all, rather than a page that cannot be rendered."""
    import jinja2

    if value is None or isinstance(value, jinja2.Undefined | bool):
        return NONE
    try:
        return form.format(scale * float(value))
    except (TypeError, ValueError):
        return NONE


@cache
def _asset(name: str) -> str:
    return (ASSETS / name).read_text(encoding="utf-8")


def script_json(data: Any) -> str:
    """JSON that is safe inside a <script> element: no ``</script>`` or ``<!--`` can end it early."""
    text = json.dumps(data, separators=(",", ":"), sort_keys=True, default=str)
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def render(kind: str, data: Mapping[str, Any], *, title: str | None = None) -> str:
    """The whole page for one run of ``kind`` (one of KINDS) from its JSON data."""
    if kind not in KINDS:
        raise ValueError(f"no report for {kind!r}; kinds: {', '.join(KINDS)}")
    from ecekit.report import views

    view = getattr(views, kind)(data)
    template = _environment().get_template(f"{kind}.html.j2")
    return str(template.render(
        title=title or view["title"], kind=kind, view=view, version=__version__,
        uplot_js=_asset("uPlot.iife.min.js"), uplot_css=_asset("uPlot.min.css"),
        charts_js=_asset("charts.js"), style_css=_asset("report.css"),
        data_json=script_json(view.get("chart_data", {})),
    ))


def write(kind: str, data: Mapping[str, Any], directory: str | Path) -> Path:
    """Render and write ``directory/report.html``; returns its path."""
    path = Path(directory) / "report.html"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(render(kind, data), encoding="utf-8")
    return path
