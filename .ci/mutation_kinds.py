"""Survivors of a mutmut run by kind, for docs/testing.md: run from the checkout root after `tox -e
mutation`, with mutmut's logs (the lines it prints per mutant) as arguments, or none to read
`mutmut results`. Each survivor's change (`mutmut show NAME`) is sorted into one kind by what it
changed; "logic" is what is left: a condition, an operator, a return value, the to-do list."""

from __future__ import annotations

import re
import subprocess
import sys
from collections import Counter, defaultdict
from pathlib import Path

STRINGS = re.compile(r'"[^"]*"|\'[^\']*\'')


def kind(diff: list[str]) -> str:
    minus = " ".join(line[1:] for line in diff if line.startswith("-") and not line.startswith("---"))
    plus = " ".join(line[1:] for line in diff if line.startswith("+") and not line.startswith("+++"))
    before, after = STRINGS.findall(minus), STRINGS.findall(plus)
    if "XX" in plus and "XX" not in minus:
        return "text"
    if len(before) == len(after) and any(a != b and a.lower() == b.lower() for a, b in zip(before, after, strict=True)):
        return "text"
    if re.sub(r"\d+", "N", minus) == re.sub(r"\d+", "N", plus):
        return "number"
    if re.search(r"\b(encoding|errors)=|utf-?8|latin", minus + plus, re.I):
        return "codec"
    if ".get(" in minus and ".get(" in plus:
        return "default"
    if re.search(r"\b(parents|exist_ok|daemon|name)=", minus):
        return "flag"
    if "remedy=" in minus:
        return "text"
    if len(before) != len(after):
        return "argument"
    return "logic"


def survivors(logs: list[str]) -> list[tuple[str, str]]:
    if logs:
        lines = [line for log in logs for line in Path(log).read_text(encoding="utf-8").splitlines()]
    else:
        lines = subprocess.run(["mutmut", "results"], capture_output=True, text=True).stdout.splitlines()
    found = []
    for line in lines:
        if line.startswith(("🙁 ", "🫥 ")):
            found.append((line[0], line.split()[1]))
        elif ": survived" in line or ": no tests" in line:
            name, _, status = line.strip().partition(": ")
            found.append(("🙁" if status == "survived" else "🫥", name))
    return found


def main(logs: list[str]) -> None:
    by_group: dict[str, Counter[str]] = defaultdict(Counter)
    for status, name in survivors(logs):
        group = re.sub(r"\.x[_ǁ].*", "", name)
        if status == "🫥":
            by_group[group]["no test reaches it"] += 1
            continue
        shown = subprocess.run(["mutmut", "show", name], capture_output=True, text=True).stdout.splitlines()
        by_group[group][kind(shown)] += 1
    for group, counts in sorted(by_group.items()):
        print(group, dict(counts.most_common()))


if __name__ == "__main__":
    main(sys.argv[1:])
