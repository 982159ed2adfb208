"""What a chat widget shows for an answer, and the two checks a web site needs beyond the guide.

``widget_state`` (with ``--widget``): a 2xx answer that the widget cannot map to a state shows the
visitor an error, on every page, until they reload; that is a failure of the server for this site even
where the guide allows the value (responseType 3 is documented, the widget in ECE_NOTES does not know
it). A non-2xx is left to ``status_code`` and ``not_a_server_error``.

``cors`` (with ``--origin``): the answer must let a page on that origin read it. The guide is silent on
cross-origin use, so this runs only when the user names the site's origin.
"""

from __future__ import annotations

from ecekit import operations, widgets
from ecekit.checks import guards
from ecekit.checks.base import Observation, Violation, register
from ecekit.checks.values import raw_values, typed
from ecekit.client import Exchange
from ecekit.target import Target
from ecekit.widgets import State, Widget


def _value_text(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def state_of(obs: Observation, widget: Widget) -> tuple[State, str]:
    """(state, why) for one answer as ``widget`` would read it."""
    ex = obs.exchange
    if ex.error is not None:
        return State.ERROR, f"no answer ({ex.error.value})"
    if ex.elapsed > widget.timeout:
        return State.ERROR, f"answered after {ex.elapsed:.1f} s, past the widget's {widget.timeout:g} s timeout"
    if ex.status is None or not 200 <= ex.status < 300:
        return State.ERROR, f"HTTP {ex.status}"
    if not any(m in ex.media_type for m in ("xml",)):
        return State.ERROR, f"content type {ex.content_type or '(none)'} is not XML"
    parsed = obs.parsed
    if parsed.root is None or parsed.root.tag != obs.operation.response_root:
        return State.ERROR, "the body is not the documented XML"
    raw = raw_values(parsed.root, obs.operation)
    values: dict[str, str] = {}
    for f in obs.operation.fields:
        try:
            values[f.name] = _value_text(typed(f, raw[f.name]))
        except ValueError:
            continue
    for rule in widget.rules:
        if rule.field in values and rule.value in ("*", values[rule.field]):
            shown = ", ".join(values[n] for n in widget.show if n in values)
            return rule.state, shown or f"{rule.field}={values[rule.field]}"
    return State.ERROR, f"no rule of widget {widget.name!r} maps {values or raw}"


def _widget_operation(obs: Observation) -> bool:
    widget = obs.context.target.chosen_widget()
    return widget is not None and obs.operation is widget.operation


def _wants_widget(target: Target, op: operations.Operation) -> bool:
    widget = target.chosen_widget()
    return widget is not None and op is widget.operation


def _wants_cors(target: Target, op: operations.Operation) -> bool:
    return target.origin is not None and op.is_status


@register("widget_state", guards.success, _widget_operation, wanted=_wants_widget)
def widget_state(obs: Observation) -> list[Violation]:
    """a 2xx answer makes the site's chat widget show an error"""
    widget = obs.context.target.chosen_widget()
    state, why = state_of(obs, widget)
    if state is not State.ERROR:
        return []
    usable = ", ".join(s for s in widgets.STATES if s != State.ERROR)
    return [obs.violation("widget_state", f"the {widget.name} widget would show an error: {why}",
                          expected=f"an answer the widget maps to one of {usable}",
                          actual=why,
                          remedy=f"visitors on a page with this widget see a broken chat box; fix the answer, or "
                          f"give the widget a rule for it ({widget.description or 'see docs/widgets.md'})")]


def allowed_origin(ex: Exchange, origin: str) -> bool:
    value = ex.response_headers.get("access-control-allow-origin", "").strip()
    return value == "*" or value.rstrip("/") == origin


@register("cors", guards.answered, guards.status_operation, wanted=_wants_cors)
def cors(obs: Observation) -> list[Violation]:
    """a page on the site's origin (--origin) cannot read the answer cross-origin"""
    origin = obs.context.target.origin
    if origin is None or allowed_origin(obs.exchange, origin):
        return []
    got = obs.exchange.response_headers.get("access-control-allow-origin")
    return [obs.violation("cors", f"a page on {origin} cannot read this answer: the browser blocks it",
                          expected=f"Access-Control-Allow-Origin: {origin} (or *)",
                          actual=f"Access-Control-Allow-Origin: {got}" if got else "no Access-Control-Allow-Origin",
                          remedy="allow the site's origin in the web server or proxy in front of ECE "
                          "(the widget then shows its error state to every visitor)")]
