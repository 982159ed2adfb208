"""The page at ``/_widget/``: a chat widget per entry point, live, the way a site embeds one.

Front-end developers point a page at the reference server to see what their visitors would see, and
ecekit's own browser test opens it from another origin to prove that cross-origin reads work (and that
the ``cors-missing`` fault breaks them). The widget's rules come from :mod:`ecekit.widgets` as JSON, so
the page and the load outcomes map answers to states the same way. Query: ``base`` (the server's URL
with its context root; default this server's ``/system``), ``entry_points`` (comma-separated) and
``widget`` (a bundled widget's name).
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path

from ecekit import operations, widgets
from ecekit.server.render import Reply

_TEMPLATE = Path(__file__).resolve().parent / "assets" / "widget.html"


@cache
def html() -> bytes:
    data = {"default": widgets.DEFAULT_WIDGET,
            "widgets": {name: widgets.as_json(w) for name, w in widgets.BUNDLED.items()},
            "paths": {op.name: op.path for op in operations.STATUS_OPERATIONS}}
    text = json.dumps(data, sort_keys=True).replace("<", "\\u003c")
    return _TEMPLATE.read_text(encoding="utf-8").replace("__WIDGETS__", text).encode("utf-8")


def page() -> Reply:
    return Reply(200, content_type=b"text/html; charset=utf-8", body=html())
