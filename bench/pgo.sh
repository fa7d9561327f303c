#!/usr/bin/env bash
# Makes a CPU profile for a profile-guided build of counsel and builds counsel with and
# without it, for measuring side by side (docs/performance.md, "Profile-guided build"): audit
# verify and the CSV and NDJSON exports of 100k sessions, session new 300 times, --help 1000
# times, each run in-process by TestPGOWorkload (cmd/counsel/pgo_test.go) under
# go test -cpuprofile, the profiles merged.
#
#   bench/pgo.sh
#
# The profile is written to $BENCH_DIR/default.pgo, not to cmd/counsel/default.pgo: Go builds
# a main package with the default.pgo in its folder (-pgo=auto), go test included, so a
# profile there changes every build; see the docs for why it is not kept.
#
# Environment: BENCH_DIR (default /tmp/counsel-bench, as bench/run.sh: the 10000 and 100000
# fixtures are taken from $BENCH_DIR/fixtures, made there when missing).
set -euo pipefail
cd "$(dirname "$0")/.."

DIR=${BENCH_DIR:-/tmp/counsel-bench}
mkdir -p "$DIR/bin" "$DIR/fixtures"
for n in 10000 100000; do
  if [ ! -f "$DIR/fixtures/$n.db" ]; then
    go build -o "$DIR/bin/counselbench" ./cmd/counselbench
    "$DIR/bin/counselbench" fill -db "$DIR/fixtures/$n.db" -n "$n"
  fi
done

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
profiles=()
for w in verify export-csv export-ndjson session-new help; do
  echo "== profile: $w"
  COUNSEL_PGO_FIXTURES=$DIR/fixtures go test -pgo=off ./cmd/counsel -run "^TestPGOWorkload$/^$w\$" -count=1 \
    -o "$tmp/counsel.test" -cpuprofile "$tmp/$w.pprof" >/dev/null
  profiles+=("$tmp/$w.pprof")
done
go tool pprof -proto "${profiles[@]}" >"$DIR/default.pgo"
echo "== $DIR/default.pgo: $(stat -c %s "$DIR/default.pgo") bytes"

echo "== builds as the release does, plain and with the profile"
for pgo in off "$DIR/default.pgo"; do
  name=counsel-pgo
  [ "$pgo" = off ] && name=counsel-plain
  start=$(date +%s.%N)
  CGO_ENABLED=0 go build -a -trimpath -ldflags "-s -w" -pgo="$pgo" -o "$DIR/bin/$name" ./cmd/counsel
  echo "$name: $(stat -c %s "$DIR/bin/$name") bytes, built from scratch in $(python3 -c 'import sys,time; print(round(time.time()-float(sys.argv[1]), 1))' "$start") s"
done
echo "== compare them side by side, e.g. farm-bench --vs '$DIR/bin/counsel-plain --help' -- $DIR/bin/counsel-pgo --help"
