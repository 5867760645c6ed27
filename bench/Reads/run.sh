#!/usr/bin/env bash
# Library reads under load: requests/s and latency of GET /api/insights/{id}, GET /api/insights (with filters) and
# GET /api/taxonomy at 50 connections with wrk, against the API (Release build) on its default embedded database:
# with the read model on (also with If-None-Match), on with every request logged at Information, and off
# (ReadModel:Enabled=false), each beside /health/live as the ceiling. See README.md.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
duration=${DURATION:-10}      # seconds per measured round of a route
rounds=${ROUNDS:-3}           # rounds of every route, in turn; the median round is reported
warmup=${WARMUP:-5}           # seconds of load on each route before the first round, not counted
connections=${CONNECTIONS:-50}
threads=${THREADS:-2}
port=${PORT:-5099}
base="http://127.0.0.1:$port"
out=${OUT:-/tmp/optlib-reads-$(date -u +%Y%m%dT%H%M%SZ).md}
data=$(mktemp -d /tmp/optlib-reads-bench-XXXXXX)
api_pid=
churn_pid=

command -v wrk >/dev/null || { echo "wrk is missing: apt-get install wrk" >&2; exit 1; }
command -v jq >/dev/null || { echo "jq is missing: apt-get install jq" >&2; exit 1; }

stop_api() {
    if [[ -n "$api_pid" ]] && kill -0 "$api_pid" 2>/dev/null; then
        kill -TERM "$api_pid" && wait "$api_pid" || true
    fi
    api_pid=
}
finish() {
    local status=$?
    [[ -n "$churn_pid" ]] && kill "$churn_pid" 2>/dev/null
    stop_api
    if [[ $status -eq 0 ]]; then rm -rf "$data"; else echo "failed; the service's logs are in $data" >&2; fi
}
trap finish EXIT

# $1: a label for the log; the rest: settings as NAME=value environment variables.
start_api() {
    local label=$1; shift
    # From the build output, so its appsettings.json applies as it does for `dotnet run` (the content root).
    (cd "$root/src/Api/bin/Release/net10.0" && exec env "$@" ASPNETCORE_URLS="$base" OptLib__DataDirectory="$data/optlib" \
        dotnet OptLib.Api.dll >>"$data/api-$label.log" 2>&1) &
    api_pid=$!
    for _ in $(seq 1 240); do
        if curl -fs "$base/health/ready" >/dev/null 2>&1; then return 0; fi
        kill -0 "$api_pid" 2>/dev/null || { tail -20 "$data/api-$label.log" >&2; exit 1; }
        sleep 1
    done
    echo "the API did not become ready; see $data/api-$label.log" >&2
    exit 1
}

echo "building the API (Release)..." >&2
dotnet build -c Release "$root/src/Api/OptLib.Api.csproj" -nologo -v q >&2

start_api first
admin=$(sed -n 's/^admin_api_key=//p' "$data/optlib/credentials")
A=(-H "X-Api-Key: $admin")

alphaopt=
for dir in "$root/../shared/datasets/alphaopt" "$root/reference-data/alphaopt"; do
    [[ -f "$dir/library/library.json" ]] && { alphaopt=$dir; break; }
done
if [[ -n "$alphaopt" ]]; then
    echo "importing AlphaOPT's library from $alphaopt..." >&2
    curl -fsS "${A[@]}" -F "library=@$alphaopt/library/library.json" -F "taxonomy=@$alphaopt/library/latest_taxonomy_new.json" \
        "$base/api/library/import" >/dev/null
    seeded="AlphaOPT's library (imported through POST /api/library/import)"
else
    echo "no AlphaOPT data: creating 139 insights through POST /api/insights..." >&2
    leaves=$(curl -fsS "${A[@]}" "$base/api/taxonomy" | jq '[.. | objects | select(.depth == 2) | .id]')
    for i in $(seq 1 139); do
        jq -n --argjson leaves "$leaves" --arg i "$i" '{condition: "When a model needs rule \($i): a budget, a capacity or a demand row.",
            explanation: "Write constraint \($i) with one row per resource.", example: "x[\($i)] <= cap", status: "active",
            taxonomyNodeIds: [$leaves[($i | tonumber) % ($leaves | length)]]}' \
            | curl -fsS "${A[@]}" -H 'Content-Type: application/json' -d @- "$base/api/insights" >/dev/null
    done
    seeded="139 insights created through POST /api/insights"
fi

viewer=$(curl -fsS "${A[@]}" -H 'Content-Type: application/json' -d '{"name":"reads bench","role":"viewer"}' "$base/api/keys" | jq -r .secret)
V="X-Api-Key: $viewer"
total=$(curl -fsS -H "$V" "$base/api/insights?pageSize=1" | jq .total)
id=$(curl -fsS -H "$V" "$base/api/insights?pageSize=1&page=70" | jq '.items[0].id')
list="/api/insights?stage=formulation&status=active&pageSize=20"
routes=("/health/live" "/api/insights/$id" "$list" "/api/taxonomy")

# The ceiling goes without a key: with one, authentication looks the key up even on an open route.
key_for() { [[ $1 == /health/* ]] && echo "X-Bench: no key" || echo "$V"; }
etag_of() { curl -fsS -D - -o /dev/null -H "$V" "$base$1" | awk 'tolower($1) == "etag:" {print $2}' | tr -d '\r'; }
results="$out.tsv"
: >"$results"
: >"$out.wrk.txt"

# $1: phase, $2: round, $3: route, $4: extra header (or empty). Appends one line to $results.
measure() {
    local phase=$1 round=$2 route=$3 extra=${4:-}
    local h=(-H "$(key_for "$route")")
    [[ -n "$extra" ]] && h+=(-H "$extra")
    local status bytes report
    read -r status bytes < <(curl -s -o /dev/null -w '%{http_code} %{size_download}\n' "${h[@]}" "$base$route")
    report=$(wrk -t"$threads" -c"$connections" -d"${duration}s" --timeout 10s --latency "${h[@]}" "$base$route")
    printf '%s round %s %s %s\n%s\n\n' "$phase" "$round" "$route" "$extra" "$report" >>"$out.wrk.txt"
    local rps p50 p99 bad errors
    rps=$(awk '/^Requests\/sec:/ {printf "%.0f", $2}' <<<"$report")
    p50=$(awk '$1 == "50%" {print $2}' <<<"$report")
    p99=$(awk '$1 == "99%" {print $2}' <<<"$report")
    bad=$(awk '/Non-2xx or 3xx responses:/ {print $5}' <<<"$report")
    errors=$(awk '/Socket errors:/ {gsub(",", ""); print $4 + $6 + $8 + $10}' <<<"$report")
    local what=$route
    [[ -n "$extra" ]] && what="$route, If-None-Match"
    printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$phase" "$what" "$round" "$status" "$rps" "$p50" "$p99" "${bad:-0}" "${errors:-0}" "$bytes" >>"$results"
    echo "$phase round $round $what: $status, $rps/s, p50 $p50, p99 $p99" >&2
}

# $1: phase; then the cases as "route|extra header". Warms every case up, then measures them in turn, $rounds times.
run_phase() {
    local phase=$1; shift
    echo "- $phase: load before $(uptime | sed 's/.*load average/load average/')" >>"$out.load"
    local case
    for case in "$@"; do
        local h=(-H "$(key_for "${case%%|*}")")
        [[ -n "${case#*|}" ]] && h+=(-H "${case#*|}")
        wrk -t"$threads" -c"$connections" -d"${warmup}s" "${h[@]}" "$base${case%%|*}" >/dev/null
    done
    for round in $(seq 1 "$rounds"); do
        for case in "$@"; do measure "$phase" "$round" "${case%%|*}" "${case#*|}"; done
    done
    echo "- $phase: load after $(uptime | sed 's/.*load average/load average/')" >>"$out.load"
}

plain=("/health/live|" "/api/insights/$id|" "$list|" "/api/taxonomy|")
conditional=()
for route in "/api/insights/$id" "$list" "/api/taxonomy"; do
    conditional+=("$route|If-None-Match: $(etag_of "$route")")
done
: >"$out.load"

# A change to the library every second, through the API (a label's definition rewritten), for the churn phase.
leaf=$(curl -fsS -H "$V" "$base/api/taxonomy" | jq -c '[.. | objects | select(.depth == 2)][0] | {id, name, condition}')
churn() {
    local n=0
    while true; do
        n=$((n + 1))
        jq -c --arg d "rewritten $n times" '{name, definition: $d, condition}' <<<"$leaf" \
            | curl -fsS -o /dev/null -X PUT "${A[@]}" -H 'Content-Type: application/json' -d @- "$base/api/taxonomy/nodes/$(jq .id <<<"$leaf")"
        sleep 1
    done
}

phases=${PHASES:-on churn logged off}
if [[ " $phases " == *" on "* ]]; then run_phase "read model on" "${plain[@]}" "${conditional[@]}"; fi
if [[ " $phases " == *" churn "* ]]; then
    churn & churn_pid=$!
    run_phase "read model on, a library change every second" "${plain[@]}"
    kill "$churn_pid"; wait "$churn_pid" 2>/dev/null || true
    churn_pid=
fi
stop_api
if [[ " $phases " == *" logged "* ]]; then
    start_api logged Serilog__MinimumLevel__Override__Serilog.AspNetCore.RequestLoggingMiddleware=Debug
    run_phase "read model on, every request logged" "${plain[@]}"
    stop_api
fi
if [[ " $phases " == *" off "* ]]; then
    start_api bypassed ReadModel__Enabled=false
    run_phase "read model off (ReadModel:Enabled=false)" "${plain[@]}"
    stop_api
fi

# The median round of each case (by requests/s), its latencies, the spread of the rounds, and the ratio to the same
# phase's /health/live.
{
    echo "# Reads bench run $(date -u +%Y-%m-%dT%H:%MZ)"
    echo
    echo "- commit $(git -C "$root" rev-parse --short HEAD)$(git -C "$root" diff --quiet HEAD -- src || echo ' (src/ with local changes)'); library: $seeded, $total insights; insight $id; list \`$list\`"
    echo "- wrk -t$threads -c$connections --timeout 10s; every case warmed up ${warmup} s, then $rounds rounds of ${duration} s each, in turn; $(nproc) cores; .NET $(dotnet --version); the API's Release build on its default embedded database (on disk)"
    cat "$out.load"
    echo
    echo "| phase | route | status | body bytes | requests/s (median round) | rounds' range | of /health/live | p50 | p99 | non-2xx/3xx | socket errors |"
    echo "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
    awk -F'\t' '
        FNR == NR { key = $1 "\t" $2; if (!(key in seen)) { seen[key] = 1; order[++k] = key }; next }
        { key = $1 "\t" $2; n[key]++; row[key, n[key]] = $0 }
        END {
            for (i = 1; i <= k; i++) {
                key = order[i]; split(row[key, int((n[key] + 1) / 2)], f, "\t")
                split(row[key, 1], lo, "\t"); split(row[key, n[key]], hi, "\t")
                line[i] = sprintf("%s\t%s\t%s\t%s\t%s–%s\t%s\t%s\t%s\t%s\t%s", f[1], f[2], f[4], f[5], lo[5], hi[5], f[6], f[7], f[8], f[9], f[10])
                if (f[2] == "/health/live") ceiling[f[1]] = f[5]
            }
            for (i = 1; i <= k; i++) {
                split(line[i], f, "\t")
                ratio = ceiling[f[1]] > 0 ? sprintf("%.2f", f[4] / ceiling[f[1]]) : "-"
                printf "| %s | `%s` | %s | %s | %s | %s | %s | %s | %s | %s | %s |\n", f[1], f[2], f[3], f[10], f[4], f[5], ratio, f[6], f[7], f[8], f[9]
            }
        }' "$results" <(sort -t$'\t' -k1,1 -k2,2 -k5,5n "$results")
} | tee "$out"
rm -f "$out.load"
echo "results in $out (every round in $out.tsv, wrk's output in $out.wrk.txt)" >&2
