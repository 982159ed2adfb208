"""Issue 24's acceptance on real runs: does `ecekit compare` tell noise from a 1 ms slowdown?

Two reference servers on loopback: BEFORE answers 90 % of requests after 2.0 ms (``latency=mix:2ms@90,
10ms@8,40ms@2``), AFTER after 3.0 ms instead. Group i is `ecekit load --repeat K --ab BEFORE AFTER`
(runs alternating between the two servers, one-call profile, RATE page views/s, DURATION s each);
then `ecekit compare`:

* A/B: group i's BEFORE runs against its AFTER runs: `slower` in at least 9 of 10, and the p50
  change's interval holding +1.0 ms in at least 9 of 10;
* A/A: group i's BEFORE runs against group i+1's BEFORE runs (the same server, K runs against K, made
  minutes apart as a before/after pair is): `same` or `inconclusive` in at least 9 of 10, `slower` in at
  most 1;
* one run a side: each group's first BEFORE run against its first AFTER run (a true 1 ms change):
  never `slower` or `faster`.

    python benchmarks/bench_compare_acceptance.py                 # 11 groups of 5 + 5 runs of 10 s
    python benchmarks/bench_compare_acceptance.py --quick         # 4 groups of 3 + 3 runs of 4 s

The load needs a quiet machine (no other heavy process): a run whose generator fell behind makes compare
refuse the pair, which counts as a failed comparison here. Results: reports/bench-compare/.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from pathlib import Path

import ecekit

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "reports" / "bench-compare"
MIX = "latency=mix:{fast}ms@90,10ms@8,40ms@2"


def server(fast_ms: float, surveys: Path) -> ecekit.ServerHandle:
    """A reference server in a process of its own whose fast answers take ``fast_ms`` (``with``: its URL)."""
    return ecekit.serve(faults=[MIX.format(fast=f"{fast_ms:g}")], subprocess=True, surveys_db=surveys)


def group(name: str, before: str, after: str, args: argparse.Namespace) -> Path | str:
    """K runs of each server, alternating; the directory, or why it failed."""
    out = OUT / name
    load = [sys.executable, "-m", "ecekit", "load", "--profile", "one-call", "--rate", str(args.rate),
            "--duration", str(args.duration), "--repeat", str(args.runs), "--pause", "1", "--ab", before, after,
            "--entry-point", "1001", "--out", str(out), "-q"]
    done = subprocess.run(load, capture_output=True, text=True, timeout=args.runs * 2 * (args.duration + 60))
    return out if done.returncode in (0, 1) else done.stderr.strip()[-400:]


def compare(name: str, a: Path, b: Path) -> dict[str, object]:
    compared = subprocess.run([sys.executable, "-m", "ecekit", "compare", str(a), str(b), "--json",
                               "--out", str(OUT / "compare" / name)], capture_output=True, text=True, timeout=300)
    if compared.returncode not in (0, 1):
        return {"name": name, "error": compared.stderr.strip()[-400:]}
    data = json.loads(compared.stdout)
    p50 = data["operations"]["chatAllowed"]["p50"]
    return {"name": name, "verdict": data["verdict"], "p50_change_ms": p50["change_ms"], "p50_ci95_ms": p50["ci95_ms"],
            "p50_verdict": p50["verdict"], "before_p50_ms": p50["before_ms"], "after_p50_ms": p50["after_ms"],
            "decide": p50["decide"]}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--comparisons", type=int, default=10)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--duration", type=float, default=10.0)
    parser.add_argument("--rate", type=float, default=200.0)
    parser.add_argument("--quick", action="store_true", help="4 groups of 3 + 3 runs of 4 s")
    args = parser.parse_args()
    if args.quick:
        args.comparisons, args.runs, args.duration = 3, 3, 4.0
    OUT.mkdir(parents=True, exist_ok=True)
    results: dict[str, list[dict[str, object]]] = {"aa": [], "ab": [], "one": []}
    groups: list[Path | str] = []
    with server(2.0, OUT / "before.sqlite3") as a, server(3.0, OUT / "after.sqlite3") as b:
        before, after = a.url, b.url
        for i in range(args.comparisons + 1):
            groups.append(group(f"group-{i:02d}", before, after, args))
            current = groups[-1]
            if isinstance(current, str):
                print(json.dumps({"group": i, "error": current}), flush=True)
                continue
            rows = []
            if i < args.comparisons:
                rows.append(("ab", compare(f"ab-{i:02d}", current / "a", current / "b")))
                rows.append(("one", compare(f"one-{i:02d}", current / "a" / "run-01", current / "b" / "run-01")))
            previous = groups[-2] if i else None
            if isinstance(previous, Path):
                rows.append(("aa", compare(f"aa-{i - 1:02d}", previous / "a", current / "a")))
            for kind, row in rows:
                results[kind].append(row)
                print(json.dumps(row), flush=True)
    aa, ab = results["aa"], results["ab"]
    aa_ok = sum(r.get("verdict") in ("same", "inconclusive") for r in aa)
    aa_slower = sum(r.get("verdict") == "slower" for r in aa)
    ab_slower = sum(r.get("verdict") == "slower" for r in ab)
    covered = sum(1 for r in ab if r.get("p50_ci95_ms") and r["p50_ci95_ms"][0] <= 1.0 <= r["p50_ci95_ms"][1])  # type: ignore[index]
    n = args.comparisons
    one_decided = sum(r.get("verdict") in ("slower", "faster") for r in results["one"])
    lines = [f"A/A: same or inconclusive {aa_ok}/{n}, slower {aa_slower}/{n}",
             f"A/B: slower {ab_slower}/{n}, p50 interval holds +1.0 ms {covered}/{n}",
             f"one run a side (a true +1 ms): slower or faster {one_decided}/{len(results['one'])}"]
    print("\n".join(lines))
    (OUT / "results.json").write_text(json.dumps({"settings": vars(args), **results, "lines": lines}, indent=2))
    passed = (aa_ok >= 0.9 * n and aa_slower <= max(1, n // 10) and ab_slower >= 0.9 * n and covered >= 0.9 * n
              and not one_decided)
    print("PASS" if passed else "FAIL")
    return 0 if passed else 1


if __name__ == "__main__":
    sys.exit(main())
