"""What more than one test module of tests/load needs: holding JSON a run wrote against its TypedDict."""

from __future__ import annotations

import types
from typing import Any, Union, get_args, get_origin, get_type_hints, is_typeddict


def mismatches(value: Any, declared: Any, where: str = "$", *, partial: bool = False) -> list[str]:
    """Where ``value`` departs from ``declared``: an undeclared key, a missing required key (unless
    ``partial``: a made-up summary carrying only what its test reads), a value of another type."""
    if declared is Any:
        return []
    if is_typeddict(declared):
        if not isinstance(value, dict):
            return [f"{where}: {type(value).__name__}, not a {declared.__name__}"]
        hints = get_type_hints(declared)
        found = [f"{where}.{k}: not declared in {declared.__name__}" for k in value if k not in hints]
        if not partial:
            found += [f"{where}.{k}: required by {declared.__name__}, missing"
                      for k in sorted(declared.__required_keys__) if k not in value]
        for key, item in value.items():
            if key in hints:
                found += mismatches(item, hints[key], f"{where}.{key}", partial=partial)
        return found
    origin, args = get_origin(declared), get_args(declared)
    if origin in (Union, types.UnionType):
        tries = [mismatches(value, a, where, partial=partial) for a in args]
        return [] if [] in tries else min(tries, key=len)
    if origin is list:
        if not isinstance(value, list):
            return [f"{where}: {type(value).__name__}, not a list"]
        return [m for i, item in enumerate(value) for m in mismatches(item, args[0], f"{where}[{i}]", partial=partial)]
    if origin is dict:
        if not isinstance(value, dict):
            return [f"{where}: {type(value).__name__}, not an object"]
        return [m for k, item in value.items() for m in mismatches(item, args[1], f"{where}.{k}", partial=partial)]
    if declared is type(None):
        return [] if value is None else [f"{where}: {value!r} is not null"]
    accepted = {float: (int, float), int: (int,), bool: (bool,), str: (str,)}[declared]
    if isinstance(value, accepted) and (declared is bool or not isinstance(value, bool)):
        return []
    return [f"{where}: {value!r} is not a {declared.__name__}"]
