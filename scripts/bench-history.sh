#!/usr/bin/env bash
# bench-history.sh GITDIR RANGE [RUNS]: `flaglint history --revs RANGE` on the repository GITDIR
# against `git grep -c` over the same release tags, restricted to flaglint's prefilter tokens and
# to the files its frontends read (the tokens and globs of scripts/bench-lib.sh), run alternately
# RUNS times (default 5). Prints each median, the ratio and flaglint's peak memory.
#   scripts/bench-history.sh /path/to/gitlab-ce.git v10.0.0..v11.7.0
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/bench-lib.sh
gitdir=$1 range=$2 runs=${3:-5}
cargo build --release --quiet
bin=$PWD/target/release/flaglint
from=${range%%..*} to=${range##*..}
# The release tags vX.Y.0 from..to, by version (what `--revs A..B` reads).
tags=$(git --git-dir="$gitdir" tag -l | grep -E '^v?[0-9]+\.[0-9]+\.0$' | sort -V |
    awk -v a="$from" -v b="$to" '$0 == a { on = 1 } on { print } $0 == b { exit }')
echo "tags: $(echo "$tags" | wc -l) ($(echo $tags | tr ' ' ' '))"
# git grep takes rg's -e/-i/-F/-c and pathspecs instead of -g globs.
eval "set -- $(rg_token_args)"
grep_args=() pathspecs=()
while (($#)); do
    case $1 in
    -g) pathspecs+=(":(glob)**/$2"); shift 2 ;;
    --hidden) shift ;;
    *) grep_args+=("$1"); shift ;;
    esac
done
flaglint_cmd() { "$bin" history --quiet --no-config "$gitdir" --revs "$range" --format json >/dev/null; }
grep_cmd() { git --git-dir="$gitdir" grep "${grep_args[@]}" $tags -- "${pathspecs[@]}" >/dev/null || true; }
ms() { local t0 t1; t0=$(date +%s%N); "$@"; t1=$(date +%s%N); echo $(((t1 - t0) / 1000000)); }
median() { sort -n | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
flaglint_cmd; grep_cmd  # warm the page cache
f=() g=()
for ((r = 0; r < runs; r++)); do
    f+=("$(ms flaglint_cmd)")
    g+=("$(ms grep_cmd)")
done
fm=$(printf '%s\n' "${f[@]}" | median) gm=$(printf '%s\n' "${g[@]}" | median)
peak=$( { /usr/bin/time -f '%M' "$bin" history --quiet --no-config "$gitdir" --revs "$range" --format json >/dev/null; } 2>&1 | tail -1)
echo "flaglint history: ${fm} ms (median of $runs; ${f[*]})"
echo "git grep -c:      ${gm} ms (median of $runs; ${g[*]})"
awk -v a="$fm" -v b="$gm" 'BEGIN { printf "ratio: %.3f (flaglint / git grep)\n", a / b }'
echo "flaglint peak RSS: $((peak / 1024)) MB"
"$bin" history --no-config "$gitdir" --revs "$range" --format json 2>/dev/null | python3 -c '
import json, sys
s = json.load(sys.stdin)["summary"]
print("flaglint read %(blobs)d distinct blobs of %(files)d files in %(revisions)d revisions, parsed %(parsed)d" % s)'
