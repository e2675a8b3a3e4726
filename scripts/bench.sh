#!/usr/bin/env bash
# Benchmark flaglint on synthetic GitLab-scale corpora (scripts/gen-corpus.py, seed 1) against
# ripgrep searching the same files for flaglint's prefilter tokens (the command of
# scripts/bench-tree.sh), warm cache.
#
# Usage: scripts/bench.sh [--runs N] [--scales "1 2 4"] [--keep] [--extra]
#   --runs N       timed runs per command (default 5, after 2 warm-up runs)
#   --scales LIST  corpus scales (default "1 2 4"; 1 is always included, the ratios are against it)
#   --keep         keep the corpora in target/bench-corpus/ for the next run (default: delete them)
#   --extra        also time one 5 MB Ruby file with thousands of toggles and a tree of 200,000
#                  one-line Ruby files (target/bench-corpus/big-file/, target/bench-corpus/tiny/)
#
# Scale 1: flaglint check at 1 and 2 threads, list, list --no-prefilter (parses every file) and rg
# at 1 and 2 threads; larger scales: check and rg at 2 threads; peak RSS of every check. A corpus
# is reused when its stamp (target/bench-corpus/scale-K.stamp) records the same seed and scale and
# the generator's sha256. Results are printed and written to target/bench-results.txt.
# Uses hyperfine when installed (BENCH_NO_HYPERFINE=1 forces the bash-loop fallback).
set -euo pipefail

usage() { sed -n '2,/^set -euo/p' "${BASH_SOURCE[0]}" | sed '$d; s/^# \{0,1\}//'; }
runs=5 scales="1 2 4" keep=0 extra=0
while [[ $# -gt 0 ]]; do
    case $1 in
        --runs | --scales) [[ $# -ge 2 ]] || { echo "error: $1 needs a value" >&2; exit 2; }
            if [[ $1 == --runs ]]; then runs=$2; else scales=$2; fi
            shift 2 ;;
        --runs=*) runs=${1#*=}; shift ;;
        --scales=*) scales=${1#*=}; shift ;;
        --keep) keep=1; shift ;;
        --extra) extra=1; shift ;;
        -h | --help) usage; exit 0 ;;
        *) echo "error: unknown argument '$1'" >&2; usage >&2; exit 2 ;;
    esac
done
[[ $runs =~ ^[1-9][0-9]*$ ]] || { echo "error: --runs must be a positive integer" >&2; exit 2; }
for k in $scales; do
    [[ $k =~ ^[1-9][0-9]*$ ]] || { echo "error: --scales takes positive integers, not '$k'" >&2; exit 2; }
done
scales=$(printf '%s\n' 1 $scales | sort -nu | tr '\n' ' ')
for tool in python3 rg; do
    command -v "$tool" >/dev/null || { echo "error: $tool is required" >&2; exit 2; }
done

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"
# shellcheck source=scripts/bench-lib.sh
source scripts/bench-lib.sh
echo "building flaglint (cargo build --release)..." >&2
cargo build --release -q
bin=$root/target/release/flaglint
gen=$root/scripts/gen-corpus.py
corpora=$root/target/bench-corpus
seed=1
mkdir -p "$corpora"

tmp=$(mktemp -d)
made=()  # corpora and stamps to delete at the end without --keep
cleanup() {
    rm -rf "$tmp"
    if [[ $keep == 0 && ${#made[@]} -gt 0 ]]; then rm -rf "${made[@]}"; fi
}
trap cleanup EXIT

ms() { echo $(( ($(date +%s%N) - $1) / 1000000 )); }

# ensure NAME STAMP-KEY COMMAND...: (re)creates $corpora/NAME with COMMAND (which gets the
# directory as its last argument) unless NAME.stamp starts with STAMP-KEY; the command's last
# output line is kept in the stamp and shown.
ensure() {
    local name=$1 key=$2 dir=$corpora/$1 stamp=$corpora/$1.stamp t0 out
    shift 2
    made+=("$dir" "$stamp")
    if [[ -d $dir && -f $stamp && $(head -n 1 "$stamp") == "$key" ]]; then
        echo "$name: reusing $dir: $(sed -n 2p "$stamp")" >&2
        return
    fi
    rm -rf "$dir" "$stamp"
    echo "$name: generating $dir ..." >&2
    t0=$(date +%s%N)
    out=$("$@" "$dir" | tail -n 1)
    printf '%s\n%s\n' "$key" "$out" >"$stamp"
    echo "$name: $out (generated in $(ms "$t0") ms)" >&2
}

gen_sha=$(sha256sum "$gen" | cut -d ' ' -f 1)
gen_corpus() { python3 "$gen" --seed "$seed" --scale "$1" --out "$2"; }
for k in $scales; do
    ensure "scale-$k" "seed=$seed scale=$k gen-sha256=$gen_sha" gen_corpus "$k"
done

# The extra corpora, written by the Python below (argument: big or tiny, then the directory).
extra_py='
import os, sys
kind, out = sys.argv[1], sys.argv[2]
flags = ["find_commit", "tag_names", "ref_exists", "count_commits", "get_blob", "merge_base", "raw_blame"]
if kind == "big":  # one 5 MB file: a toggle method, then a filler method, and again
    os.makedirs(out + "/lib", exist_ok=True)
    parts, size, n = ["module BigToggles\n  class Everything\n"], 0, 0
    while size < 5_000_000:
        f = flags[n % len(flags)]
        parts.append(f"    def toggled_{n}(x)\n      gitaly_migrate(:{f}) do |is_enabled|\n"
                     f"        if is_enabled\n          service.call_{n}(x)\n        else\n"
                     f"          legacy_call_{n}(x)\n        end\n      end\n    end\n\n"
                     f"    def filler_{n}(items)\n      items.map {{ |i| i * {n} }}.select(&:positive?).sum\n    end\n\n")
        size, n = size + len(parts[-1]), n + 1
    with open(out + "/lib/big_toggles.rb", "w") as fh:
        fh.write("".join(parts) + "  end\nend\n")
    print(f"1 file, {size + 40} bytes, {n} toggles")
else:  # 200,000 one-line files in 400 directories, every 100th a toggle
    for i in range(200_000):
        d = f"{out}/lib/d{i // 500}"
        if i % 500 == 0:
            os.makedirs(d, exist_ok=True)
        with open(f"{d}/f{i}.rb", "w") as fh:
            fh.write(f"x{i} = gitaly_migrate(:{flags[i % 7]}) {{ |on| on ? {i} : 0 }}\n" if i % 100 == 0
                     else f"x{i} = [{i}, {i + 1}].sum\n")
    print("200000 files, 2000 toggles")
'
extra_sha=$(printf '%s' "$extra_py" | sha256sum | cut -d ' ' -f 1)
gen_extra() { python3 -c "$extra_py" "$1" "$2"; }
if [[ $extra == 1 ]]; then
    ensure big-file "big-file sha256=$extra_sha" gen_extra big
    ensure tiny "tiny sha256=$extra_sha" gen_extra tiny
fi

# The rg command of scripts/bench-tree.sh (scripts/bench-lib.sh).
rg_args=$(rg_token_args)
rg_cmd() { echo "rg -j $1 $rg_args $(q "$2")"; }   # rg_cmd THREADS TREE
fl_cmd() { echo "$(q "$bin") $1 --threads $2 $(q "$3")"; }   # fl_cmd SUBCOMMAND THREADS TREE

# The benchmarks: name, scale, threads, command; RSS is measured for the rows with rss=1.
names=() bscale=() bthreads=() cmds=() brss=()
add() { names+=("$1"); bscale+=("$2"); bthreads+=("$3"); cmds+=("$4"); brss+=("$5"); }
check='check --color never --fail-on never'
c1=$corpora/scale-1
add "flaglint check" 1 1 "$(fl_cmd "$check" 1 "$c1")" 1
add "flaglint check" 1 2 "$(fl_cmd "$check" 2 "$c1")" 1
add "flaglint list" 1 2 "$(fl_cmd list 2 "$c1")" 0
add "flaglint list --no-prefilter" 1 2 "$(fl_cmd "list --no-prefilter" 2 "$c1")" 0
add "rg (tokens)" 1 1 "$(rg_cmd 1 "$c1")" 0
add "rg (tokens)" 1 2 "$(rg_cmd 2 "$c1")" 0
for k in $scales; do
    [[ $k == 1 ]] && continue
    add "flaglint check" "$k" 2 "$(fl_cmd "$check" 2 "$corpora/scale-$k")" 1
    add "rg (tokens)" "$k" 2 "$(rg_cmd 2 "$corpora/scale-$k")" 0
done
if [[ $extra == 1 ]]; then
    for x in big-file tiny; do
        add "flaglint list" "$x" 2 "$(fl_cmd list 2 "$corpora/$x")" 1
        add "rg (tokens)" "$x" 2 "$(rg_cmd 2 "$corpora/$x")" 0
    done
fi

# Preflight: flaglint must exit 0, rg 0 or 1 (1 = no match); later runs ignore exit codes.
# flaglint's summary line (its last line of output) and any warning are shown.
info=()
for i in "${!cmds[@]}"; do
    rc=0
    eval "${cmds[$i]}" >"$tmp/out" 2>"$tmp/err" || rc=$?
    if [[ $rc -ne 0 && ! (${names[$i]} == rg* && $rc -eq 1) ]]; then
        echo "error: '${names[$i]}' (scale ${bscale[$i]}) exited $rc: ${cmds[$i]}" >&2
        cat "$tmp/err" >&2
        exit 2
    fi
    if [[ ${names[$i]} == flaglint* && ${bthreads[$i]} == 2 ]]; then
        summary=$(cat "$tmp/out" "$tmp/err" | grep -E '^[0-9]+ files walked' | tail -n 1 || true)
        info+=("${names[$i]} (scale ${bscale[$i]}): $summary")
        nwarn=$(grep -c -E '^(warning|note|error)' "$tmp/err" || true)
        [[ $nwarn == 0 ]] || info+=("  $nwarn warning/note lines on stderr, first: $(grep -m 1 -E '^(warning|note|error)' "$tmp/err")")
    fi
done

declare -A med lo hi rss
if [[ ${BENCH_NO_HYPERFINE:-0} != 1 ]] && command -v hyperfine >/dev/null; then
    mode="hyperfine (-w 2 -r $runs)"
else
    mode="bash loop (2 warm-ups, $runs runs)"
fi
for i in "${!cmds[@]}"; do
    key="${names[$i]}|${bscale[$i]}|${bthreads[$i]}"
    echo "timing ${names[$i]}, scale ${bscale[$i]}, ${bthreads[$i]} threads..." >&2
    if [[ $mode == hyperfine* ]]; then
        hyperfine -N -i -w 2 -r "$runs" --style none --export-json "$tmp/hf.json" -n "$key" "${cmds[$i]}" >/dev/null
        read -r m mn mx < <(python3 -c '
import json, sys
r = json.load(open(sys.argv[1]))["results"][0]
print(" ".join("%.2f" % (r[k] * 1000) for k in ("median", "min", "max")))' "$tmp/hf.json")
    else
        read -r m mn mx < <(loop_time "$runs" "${cmds[$i]}")
    fi
    med[$key]=$m lo[$key]=$mn hi[$key]=$mx
    if [[ ${brss[$i]} == 1 && -x /usr/bin/time ]]; then
        eval "/usr/bin/time -f %M -o $(q "$tmp/rss") ${cmds[$i]}" >/dev/null 2>&1 || true
        rss[$key]=$(awk '{ printf "%.1f", $1 / 1024 }' "$tmp/rss")
    fi
done

# ratio A B: A / B with two decimals, n/a when either is missing.
ratio() {
    if [[ -n ${1:-} && -n ${2:-} ]]; then awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; else echo n/a; fi
}
get() { local -n arr=$1; echo "${arr[$2]:-}"; }   # get ARRAY KEY: the value or nothing
{
    echo "flaglint benchmark: $(date -u +%Y-%m-%dT%H:%M:%SZ), commit $(git rev-parse --short HEAD 2>/dev/null || echo '?')," \
        "$(nproc) CPUs, timing: $mode"
    for k in $scales; do echo "corpus scale-$k: $(sed -n 2p "$corpora/scale-$k.stamp")"; done
    if [[ $extra == 1 ]]; then
        for x in big-file tiny; do echo "corpus $x: $(sed -n 2p "$corpora/$x.stamp")"; done
    fi
    printf '%s\n' "${info[@]}"
    echo
    printf '%-30s %8s %7s %10s %10s %10s %8s\n' command scale threads "median ms" "min ms" "max ms" "RSS MB"
    for i in "${!cmds[@]}"; do
        key="${names[$i]}|${bscale[$i]}|${bthreads[$i]}"
        printf '%-30s %8s %7s %10s %10s %10s %8s\n' "${names[$i]}" "${bscale[$i]}" "${bthreads[$i]}" \
            "${med[$key]}" "${lo[$key]}" "${hi[$key]}" "${rss[$key]:--}"
    done
    echo
    echo "flaglint/rg (scale 1, 2 threads): $(ratio "$(get med 'flaglint check|1|2')" "$(get med 'rg (tokens)|1|2')")"
    echo "naive/flaglint: $(ratio "$(get med 'flaglint list --no-prefilter|1|2')" "$(get med 'flaglint list|1|2')")"
    for k in $(printf '%s\n' 2 4 $scales | sort -nu); do
        [[ $k == 1 ]] || echo "scaling ${k}x: $(ratio "$(get med "flaglint check|$k|2")" "$(get med 'flaglint check|1|2')")"
    done
    for k in $(printf '%s\n' 4 $scales | sort -nu); do
        [[ $k == 1 ]] || echo "RSS growth ${k}x: $(ratio "$(get rss "flaglint check|$k|2")" "$(get rss 'flaglint check|1|2')")"
    done
    if [[ $extra == 1 ]]; then
        for x in big-file tiny; do
            echo "$x flaglint/rg: $(ratio "$(get med "flaglint list|$x|2")" "$(get med "rg (tokens)|$x|2")")"
        done
    fi
} | tee "$root/target/bench-results.txt"
