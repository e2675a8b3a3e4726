#!/usr/bin/env bash
# Benchmark flaglint's full scan of a client tree against ripgrep searching the
# same files for flaglint's prefilter tokens, warm cache: the Ruby tokens of
# src/prefilter.rs (RUBY_TOKENS) and `gitaly` (Go, config, docs and catalog
# sources), in the files flaglint's frontends read (case-insensitive: one rg
# run cannot mix cases per pattern, so rg does slightly more work).
#
# Usage: scripts/bench-tree.sh TREE [RUNS]   (RUNS default 10)
# Uses hyperfine when installed (BENCH_NO_HYPERFINE=1 forces the bash-loop fallback).
set -euo pipefail

if [[ $# -lt 1 || $# -gt 2 ]]; then
    echo "usage: $0 TREE [RUNS]" >&2
    exit 2
fi
tree=$1
runs=${2:-10}
[[ -d $tree ]] || { echo "error: $tree is not a directory" >&2; exit 2; }
[[ $runs =~ ^[1-9][0-9]*$ ]] || { echo "error: RUNS must be a positive integer" >&2; exit 2; }

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"
cargo build --release -q
bin=$root/target/release/flaglint

# shellcheck source=scripts/bench-lib.sh
source scripts/bench-lib.sh
rg_tokens="rg $(rg_token_args) $(q "$tree")"

names=("rg(tokens)" "rg(-i gitaly)" "flaglint check" "flaglint list")
cmds=(
    "$rg_tokens"
    "rg -i -c --hidden gitaly $(q "$tree")"
    "$(q "$bin") check --color never --fail-on never $(q "$tree")"
    "$(q "$bin") list $(q "$tree")"
)

# Preflight: flaglint must exit 0, rg 0 or 1 (1 = no match). Later runs ignore exit codes.
for i in "${!cmds[@]}"; do
    rc=0; eval "${cmds[$i]}" >/dev/null 2>&1 || rc=$?
    if [[ $rc -ne 0 && ! ( ${names[$i]} == rg* && $rc -eq 1 ) ]]; then
        echo "error: '${names[$i]}' exited $rc: ${cmds[$i]}" >&2
        exit 2
    fi
done

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
declare -A med lo hi

if [[ ${BENCH_NO_HYPERFINE:-0} != 1 ]] && command -v hyperfine >/dev/null; then
    mode=hyperfine
    args=()
    for i in "${!cmds[@]}"; do args+=(-n "${names[$i]}" "${cmds[$i]}"); done
    hyperfine -N -i -w 3 -r "$runs" --style none --export-json "$tmp/hf.json" "${args[@]}" >/dev/null
    while IFS=$'\t' read -r name m mn mx; do
        med[$name]=$m; lo[$name]=$mn; hi[$name]=$mx
    done < <(python3 - "$tmp/hf.json" <<'PY'
import json, sys
for r in json.load(open(sys.argv[1]))["results"]:
    print("\t".join([r["command"]] + ["%.2f" % (r[k] * 1000) for k in ("median", "min", "max")]))
PY
)
else
    mode="bash loop"
    for i in "${!cmds[@]}"; do
        read -r m mn mx < <(loop_time "$runs" "${cmds[$i]}")
        med[${names[$i]}]=$m; lo[${names[$i]}]=$mn; hi[${names[$i]}]=$mx
    done
fi

if [[ -x /usr/bin/time ]]; then
    /usr/bin/time -f %M -o "$tmp/rss" "$bin" check --color never --fail-on never "$tree" >/dev/null
    rss="$(awk '{ printf "%d", $1 / 1024 + 0.5 }' "$tmp/rss") MB"
else
    rss="n/a"
fi

echo "tree: $tree  runs: $runs  timing: $mode"
echo "flaglint list: $("$bin" list "$tree" | tail -n 1)"
echo
printf '%-16s %10s %10s %10s\n' command "median ms" "min ms" "max ms"
for n in "${names[@]}"; do
    printf '%-16s %10s %10s %10s\n' "$n" "${med[$n]}" "${lo[$n]}" "${hi[$n]}"
done
echo
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }
echo "ratio check/rg(tokens): $(ratio "${med[flaglint check]}" "${med[rg(tokens)]}")"
echo "ratio check/rg(-i gitaly): $(ratio "${med[flaglint check]}" "${med[rg(-i gitaly)]}")"
echo "peak RSS check: $rss"
