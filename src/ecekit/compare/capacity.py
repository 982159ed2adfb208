"""Two capacity searches compared: did the limit move?

A search does not measure its limit, it brackets it: the highest rate held and the lowest rate
breached above it. The limit moved up when the new bracket lies wholly above the old one (what the
old server breached, the new one holds), down when wholly below; the same bracket is ``same`` (the
limit lies in the same interval); overlapping brackets, or a side whose search did not end on the
server (the generator ran out, --max was reached, nothing settled), cannot say.
"""

from __future__ import annotations

from typing import Any

from ecekit.compare.sides import SideRuns

MOVED_UP, MOVED_DOWN, SAME, INCONCLUSIVE = "moved up", "moved down", "same", "inconclusive"


def bracket(data: Any) -> tuple[float | None, float | None]:
    """(highest rate held, lowest rate breached above it); None where the search found none."""
    return data.get("max_sustainable_rate"), data.get("first_breach")


def compare(before: SideRuns, after: SideRuns) -> dict[str, Any]:
    assert before.capacity is not None and after.capacity is not None
    sides: dict[str, dict[str, Any]] = {}
    for name, side in (("before", before), ("after", after)):
        data: Any = side.capacity
        held, breached = bracket(data)
        sides[name] = {"path": str(side.path), "max_sustainable_rate": held, "bracket": [held, breached],
                       "limited_by": data.get("limited_by")}
    (hb, bb), (ha, ba) = bracket(before.capacity), bracket(after.capacity)
    notes: list[str] = []
    limits = {n: s["limited_by"] for n, s in sides.items()}
    verdict = INCONCLUSIVE
    if ha is not None and bb is not None and ha >= bb:
        verdict = MOVED_UP  # the new server holds a rate the old one breached
    elif hb is not None and ba is not None and hb >= ba:
        verdict = MOVED_DOWN
    elif any(limit != "server" for limit in limits.values()):
        notes += [f"{n}: the search ended limited by {limit}, not by the server: its limit is not bracketed"
                  for n, limit in limits.items() if limit != "server"]
    elif (hb, bb) == (ha, ba):
        verdict = SAME
    else:
        notes.append("the brackets overlap: search both with a finer --step or more --refine to decide")
    if verdict in (MOVED_UP, MOVED_DOWN):
        notes.append("the limit lies in " + ", ".join(
            f"{n} [{s['bracket'][0]}, {s['bracket'][1]}]" for n, s in sides.items()) + " page views/s")
    return {"kind": "compare-capacity", "verdict": verdict, **sides, "notes": notes}
