#!/usr/bin/env bash
# The DOCTYPE families against a server that ignores DOCTYPEs (`ecekit serve --survey-parsing lenient`):
# `ecekit check --allow-writes --fuzz-examples 300 --seed S` for S in 1..N (default 20) and one
# `ecekit fuzz` with its default budget; every run must exit 0. Then `ecekit fuzz` and `ecekit check`
# against the embedded server with the fault survey-fetches-dtd, R times (default 5): every run must
# exit 1 with survey_xxe. Prints exit codes, counts and wall time. Run from the repository root.
set -u
SEEDS=${SEEDS:-20}
RUNS=${RUNS:-5}
PORT=${PORT:-18766}
export PYTHONPATH="${SRC:-$PWD/src}" NO_COLOR=1
RUN=(python3 -m ecekit)
ecekit() { "${RUN[@]}" "$@"; }
work=$(mktemp -d)
"${RUN[@]}" serve --port "$PORT" --survey-parsing lenient --surveys "$work/surveys.db" >"$work/serve.log" 2>&1 &
server=$!
trap 'kill "$server" 2>/dev/null; wait "$server" 2>/dev/null; rm -rf "$work"' EXIT
for _ in $(seq 50); do grep -q "listening on" "$work/serve.log" && break; sleep 0.2; done
grep -q "listening on" "$work/serve.log" || { echo "the server did not start:"; cat "$work/serve.log"; exit 2; }
base="http://127.0.0.1:$PORT/system"
roles=(--entry-point 1001 --entry-point 1002 --entry-point 1003 --entry-point 1004 --entry-point 1006 --entry-point 1007 --entry-point 1008
       --inactive-entry-point 1005 --invalid-entry-point 999999)
declare -A codes=()
start=$(date +%s)
for seed in $(seq 1 "$SEEDS"); do
  ecekit check -q --base-url "$base" "${roles[@]}" --allow-writes --fuzz-examples 300 --seed "$seed" \
      --out "$work/check-$seed" >"$work/check-$seed.txt" 2>&1
  code=$?
  codes[$code]=$(( ${codes[$code]:-0} + 1 ))
  findings=$(grep -c "survey_lenient" "$work/check-$seed.txt")
  echo "check seed $seed: exit $code ($(grep -o 'doctype: [a-zA-Z ]*' "$work/check-$seed.txt" | sort -u | tr '\n' ';'))"
  [ "$code" = 0 ] || tail -40 "$work/check-$seed.txt"
done
echo "check against the DOCTYPE-ignoring server: exit codes ${!codes[*]} -> counts ${codes[*]}; $(( $(date +%s) - start ))s for $SEEDS seeds"
t=$(date +%s)
ecekit fuzz -q --base-url "$base" --allow-writes --no-database --out "$work/fuzz" >"$work/fuzz.txt" 2>&1
echo "fuzz (default budget) against it: exit $? in $(( $(date +%s) - t ))s; $(grep -c '^FINDING doctype' "$work/fuzz.txt") doctype finding(s); $(tail -1 "$work/fuzz.txt")"
fails=0
t=$(date +%s)
for run in $(seq 1 "$RUNS"); do
  ecekit fuzz -q --fault survey-fetches-dtd --no-database --max-examples 200 --out "$work/ff-$run" >"$work/ff-$run.txt" 2>&1
  code=$?
  named=$(grep -c "survey_xxe · survey: the server fetched http://127.0.0.1" "$work/ff-$run.txt")
  echo "fuzz --fault survey-fetches-dtd run $run: exit $code, $named fetched URL(s) named"
  [ "$code" = 1 ] && [ "$named" -gt 0 ] || fails=$((fails + 1))
  ecekit check -q --fault survey-fetches-dtd --allow-writes --fuzz-examples 25 -k survey --out "$work/cf-$run" \
      >"$work/cf-$run.txt" 2>&1
  code=$?
  named=$(grep -c "survey_xxe · survey: the server fetched http://127.0.0.1" "$work/cf-$run.txt")
  echo "check --fault survey-fetches-dtd run $run: exit $code, $named fetched URL(s) named"
  [ "$code" = 1 ] && [ "$named" -gt 0 ] || fails=$((fails + 1))
done
echo "fetching fault: $fails of $((2 * RUNS)) runs missed it; $(( $(date +%s) - t ))s"
