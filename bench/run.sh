#!/usr/bin/env bash
# Reproduces every figure in docs/performance.md, side by side on the same database, and
# writes them to $BENCH_DIR/results.md.
#
#   bench/run.sh                      # all sizes (the 1M fixture, 5.2M events, takes about 30 minutes to fill once)
#   SIZES="10000 100000" bench/run.sh # quicker
#
# Environment: BENCH_DIR (default /tmp/counsel-bench: binaries, fixtures, results; fixtures
# are kept and reused), SIZES (default "10000 100000 1000000"), RUNS (runs per export and
# verify measurement, default 5). The machine is shared and noisy: every figure is a ratio
# of medians taken in one hyperfine run, and the script can simply be run again.
set -euo pipefail
cd "$(dirname "$0")/.."

DIR=${BENCH_DIR:-/tmp/counsel-bench}
SIZES=${SIZES:-"10000 100000 1000000"}
RUNS=${RUNS:-5}

# Tools from Debian's packages, installed when missing.
missing=()
for tool in hyperfine strace sqlite3 python3; do
  command -v "$tool" >/dev/null || missing+=("$tool")
done
[ -x /usr/bin/time ] || missing+=(time)
if [ ${#missing[@]} -gt 0 ]; then
  echo "== installing ${missing[*]}"
  apt-get update -qq && apt-get install -y -qq "${missing[@]}" >/dev/null
fi

mkdir -p "$DIR/bin" "$DIR/fixtures" "$DIR/work" "$DIR/home"
# A private home: no personal config file or database takes part.
# Go keeps its module and build caches where they were (else each run downloads again).
export GOMODCACHE=${GOMODCACHE:-$(go env GOMODCACHE)} GOCACHE=${GOCACHE:-$(go env GOCACHE)}
export HOME=$DIR/home XDG_CONFIG_HOME=$DIR/home/.config XDG_DATA_HOME=$DIR/home/.local/share
unset COUNSEL_CONFIG COUNSEL_DB || true
W=$DIR/work
OUT=$DIR/results.md

echo "== build (as the release does: CGO_ENABLED=0 -trimpath -s -w)"
for cmd in counsel counselbench counselbench/samewrites counselbench/barecli; do
  CGO_ENABLED=0 go build -trimpath -ldflags "-s -w" -o "$DIR/bin/$(basename $cmd)" "./cmd/$cmd"
done
B=$DIR/bin

echo "== fixtures"
for n in $SIZES; do
  [ -f "$DIR/fixtures/$n.db" ] || "$B/counselbench" fill -db "$DIR/fixtures/$n.db" -n "$n"
done

# median FILE INDEX: the median seconds of command INDEX in a hyperfine JSON export; fastest
# the same for the fastest run (short commands on a shared machine: the least disturbed run).
median() { python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["results"][int(sys.argv[2])]["median"])' "$1" "$2"; }
fastest() { python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["results"][int(sys.argv[2])]["min"])' "$1" "$2"; }
# div A B [DIGITS]
div() { python3 -c 'import sys; d = int(sys.argv[3]); r = round(float(sys.argv[1])/float(sys.argv[2]), d); print(int(r) if d == 0 else r)' "$1" "$2" "${3:-2}"; }
ms() { python3 -c 'import sys; print(round(float(sys.argv[1])*1000, 1))' "$1"; }
# hf NAME CMD...: hyperfine without a shell, results in $W/NAME.json.
hf() { local name=$1; shift; hyperfine -N --style basic --export-json "$W/$name.json" "$@" >"$W/$name.txt" 2>&1 || { cat "$W/$name.txt"; exit 1; }; }

{
  echo "# counsel benchmark results"
  echo
  echo "date: $(date -u +%Y-%m-%dT%H:%M:%SZ), commit $(git rev-parse --short HEAD), $(go version | cut -d' ' -f3), $(sqlite3 --version | cut -d' ' -f1-2)"
  echo
  echo '```'
  echo "nproc: $(nproc)"
  lscpu | head -15
  free -h
  uptime
  echo '```'
  echo
} >"$OUT"

# The export's columns, computed as the export computes them (a session's sole participant as
# subject, empty for a group; the number of participants), written two ways for the shell:
# with a correlated subquery per session (sub) and as a join grouped by session (join). Both
# give the same rows; each run takes the faster of the two as the baseline, so counsel is held
# to the best the shell does, not to one way of asking it.
SUBJ="COALESCE((SELECT CASE WHEN count(*) = 1 THEN max(x.person_id) ELSE '' END FROM session_participants x WHERE x.session_id = s.id), '')"
NPART="(SELECT count(*) FROM session_participants n WHERE n.session_id = s.id)"
COLS="s.id, $SUBJ, s.provider_id, s.kind, s.starts_at, s.timezone, s.duration_min, s.place, s.status, s.created_at, COALESCE(s.cancelled_at, ''), $NPART"
JCOLS="s.id AS session_id, $SUBJ AS subject_id, s.provider_id AS provider, s.kind, s.starts_at, s.timezone, s.duration_min, s.place, s.status, s.created_at, COALESCE(s.cancelled_at, '') AS cancelled_at, $NPART AS participants"
GSUBJ="CASE WHEN count(x.id) = 1 THEN max(x.person_id) ELSE '' END"
GCOLS="s.id, $GSUBJ, s.provider_id, s.kind, s.starts_at, s.timezone, s.duration_min, s.place, s.status, s.created_at, COALESCE(s.cancelled_at, ''), count(x.id)"
GJCOLS="s.id AS session_id, $GSUBJ AS subject_id, s.provider_id AS provider, s.kind, s.starts_at, s.timezone, s.duration_min, s.place, s.status, s.created_at, COALESCE(s.cancelled_at, '') AS cancelled_at, count(x.id) AS participants"
SUB_FROM="FROM sessions s ORDER BY s.starts_at, s.id"
JOIN_FROM="FROM sessions s LEFT JOIN session_participants x ON x.session_id = s.id GROUP BY s.id ORDER BY s.starts_at, s.id"

echo "== export: counsel against the sqlite3 shell"
{
  echo "## Export, 1 process each, same database, same columns and order (medians of $RUNS runs)"
  echo
  echo "The shell runs the export's query two ways (a subquery per session; a join grouped by"
  echo "session); the ratio is counsel's median over the faster of the two."
  echo
  echo "| rows | format | sqlite3 sub (s) | sqlite3 join (s) | counsel (s) | counsel / faster shell | rows equal |"
  echo "|---:|---|---:|---:|---:|---:|---|"
} >>"$OUT"
for n in $SIZES; do
  db=$DIR/fixtures/$n.db
  for fmt in csv ndjson; do
    if [ $fmt = csv ]; then
      sub=(sqlite3 -csv -header "$db" "SELECT $COLS $SUB_FROM")
      join=(sqlite3 -csv -header "$db" "SELECT $GCOLS $JOIN_FROM")
    else
      sub=(sqlite3 -json "$db" "SELECT $JCOLS $SUB_FROM")
      join=(sqlite3 -json "$db" "SELECT $GJCOLS $JOIN_FROM")
    fi
    # Same rows? (The shell quotes CSV and frames JSON differently; the rows must match, and
    # the two ways of asking the shell must give the same bytes but for the CSV header.)
    a=$("${sub[@]}" | wc -l)
    b=$("$B/counsel" --db "$db" export sessions --format $fmt 2>/dev/null | wc -l)
    equal=no
    # CSV: header and one line per row on both sides; JSON: one line per row on both sides.
    [ "$a" = "$b" ] && [ "$("${sub[@]}" | tail -n +2 | md5sum)" = "$("${join[@]}" | tail -n +2 | md5sum)" ] && equal=yes
    hf "export-$fmt-$n" -w 1 -r "$RUNS" "$(printf "%q " "${sub[@]}")" "$(printf "%q " "${join[@]}")" "$B/counsel --db $db export sessions --format $fmt"
    s1=$(median "$W/export-$fmt-$n.json" 0)
    s2=$(median "$W/export-$fmt-$n.json" 1)
    c=$(median "$W/export-$fmt-$n.json" 2)
    s=$(python3 -c 'import sys; print(min(float(sys.argv[1]), float(sys.argv[2])))' "$s1" "$s2")
    echo "| $n | $fmt | $(div "$s1" 1 3) | $(div "$s2" 1 3) | $(div "$c" 1 3) | **$(div "$c" "$s")** | $equal ($a/$b lines) |" >>"$OUT"
  done
done

echo "== peak memory of an export"
{
  echo
  echo "## Peak memory of an export (bench/peakmem.py, max of 3 runs, KiB): anonymous / resident"
  echo
  echo "Anonymous: the heap and stacks, what the process holds. Resident: as /usr/bin/time's %M,"
  echo "also the pages of the binary and of any file mapped, which the kernel can drop at any time."
  echo
  echo "| rows | csv | ndjson | json | sqlite3 -csv |"
  echo "|---:|---:|---:|---:|---:|"
} >>"$OUT"
rss() {
  local a=0 r=0 x y
  for _ in 1 2 3; do
    read -r x y < <(python3 bench/peakmem.py "$@")
    [ "$x" -gt "$a" ] && a=$x
    [ "$y" -gt "$r" ] && r=$y
  done
  echo "$a / $r"
}
for n in $SIZES; do
  db=$DIR/fixtures/$n.db
  row="| $n"
  for fmt in csv ndjson json; do
    row="$row | $(rss "$B/counsel" --db "$db" export sessions --format $fmt)"
  done
  echo "$row | $(rss sqlite3 -csv "$db" "SELECT $GCOLS $JOIN_FROM") |" >>"$OUT"
done

echo "== session new against a bare process doing the same writes"
first=${SIZES%% *}
cp "$DIR/fixtures/$first.db" "$W/write.db"
rm -f "$W/write.db-wal" "$W/write.db-shm"
new=("$B/counsel" --db "$W/write.db" session new --client Client-Z --provider sichere-videokonferenz --at "2026-12-03 10:00")
hf session-new -w 5 -r 100 "$(printf "%q " "${new[@]}")" "$B/samewrites $W/write.db"
s=$(median "$W/session-new.json" 1)
c=$(median "$W/session-new.json" 0)
fsyncs() { strace -f -c -e trace=fsync,fdatasync -o "$W/strace.txt" "$@" >/dev/null 2>&1; awk '$NF=="total" {print $4+0}' "$W/strace.txt"; }
fc=$(fsyncs "${new[@]}")
fm=$(fsyncs "$B/samewrites" "$W/write.db")
{
  echo
  echo "## One write as a whole process ($first-session database, medians of 100 runs)"
  echo
  echo "| | same writes (ms) | counsel session new (ms) | ratio of medians | ratio of fastest runs | fsync+fdatasync per command |"
  echo "|---|---:|---:|---:|---:|---|"
  echo "| session new | $(ms "$s") | $(ms "$c") | **$(div "$c" "$s")** | $(div "$(fastest "$W/session-new.json" 0)" "$(fastest "$W/session-new.json" 1)") | counsel $fc, same writes $fm |"
} >>"$OUT"

echo "== --help against a bare cobra+viper+modernc binary"
hf help -w 5 -r 100 "$B/counsel --help" "$B/barecli --help"
c=$(median "$W/help.json" 0)
s=$(median "$W/help.json" 1)
{
  echo
  echo "## Start-up: --help (medians of 100 runs)"
  echo
  echo "| bare binary (ms) | counsel (ms) | ratio of medians | ratio of fastest runs | binary sizes (bytes) |"
  echo "|---:|---:|---:|---:|---|"
  echo "| $(ms "$s") | $(ms "$c") | **$(div "$c" "$s")** | $(div "$(fastest "$W/help.json" 0)" "$(fastest "$W/help.json" 1)") | counsel $(stat -c %s "$B/counsel"), bare $(stat -c %s "$B/barecli") |"
} >>"$OUT"

echo "== audit verify against the sqlite3 shell dumping audit_events as CSV"
{
  echo
  echo "## audit verify against \`sqlite3 -csv\` dumping audit_events, same database (medians of $RUNS runs)"
  echo
  echo "| sessions | events | sqlite3 dump (s) | counsel audit verify (s) | verify / dump | events/s | seconds per 100k events |"
  echo "|---:|---:|---:|---:|---:|---:|---:|"
} >>"$OUT"
for n in $SIZES; do
  db=$DIR/fixtures/$n.db
  events=$(sqlite3 "$db" "SELECT count(*) FROM audit_events")
  "$B/counsel" --db "$db" audit verify >/dev/null # it must pass, or the figure means nothing
  q=$(printf "%q " sqlite3 -csv "$db" "SELECT * FROM audit_events")
  hf "verify-$n" -w 1 -r "$RUNS" "$q" "$B/counsel --db $db audit verify"
  s=$(median "$W/verify-$n.json" 0)
  t=$(median "$W/verify-$n.json" 1)
  echo "| $n | $events | $(div "$s" 1 3) | $(div "$t" 1 3) | **$(div "$t" "$s")** | $(div "$events" "$t" 0) | $(div "$(div "$t" 1 6)" "$(div "$events" 100000 6)" 3) |" >>"$OUT"
done

echo "== a write while an export runs (TestWriteDuringExport)"
{
  echo
  echo "## A write while an export runs (go test ./cmd/counsel -run TestWriteDuringExport -v)"
  echo
  echo '```'
  go test ./cmd/counsel -run TestWriteDuringExport -count=1 -v 2>&1 | grep -E "write lock taken|^(--- |ok|FAIL)" || true
  echo '```'
} >>"$OUT"

echo "load at the end: $(uptime)" >>"$OUT"
echo "== done: $OUT"
cat "$OUT"
