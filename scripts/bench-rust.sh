#!/usr/bin/env bash
# Benchmark the Rust frontend on a large Rust tree: every `*.rs` file of the
# cargo registry's sources on this machine (thousands of crates' files that
# name no Gitaly token: the prefilter must keep them unparsed) plus COPIES
# copies of fixtures/rust-client (Gitaly clients, every one parsed), then
# scripts/bench-tree.sh on it (flaglint against rg searching the prefilter's
# tokens).
#
# Usage: scripts/bench-rust.sh DIR [COPIES] [RUNS]   (COPIES default 5, RUNS default 10)
# DIR must not exist; it is left in place for further runs.
set -euo pipefail

if [[ $# -lt 1 || $# -gt 3 ]]; then
    echo "usage: $0 DIR [COPIES] [RUNS]" >&2
    exit 2
fi
dir=$1
copies=${2:-5}
runs=${3:-10}
[[ ! -e $dir ]] || { echo "error: $dir exists" >&2; exit 2; }
[[ $copies =~ ^[0-9]+$ ]] || { echo "error: COPIES must be a number" >&2; exit 2; }
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
registry=${CARGO_HOME:-$HOME/.cargo}/registry/src
[[ -d $registry ]] || { echo "error: no cargo registry sources at $registry" >&2; exit 2; }

mkdir -p "$dir"
(cd "$registry" && find . -name '*.rs' -type f -print0) | while IFS= read -r -d '' f; do
    mkdir -p "$dir/$(dirname "$f")"
    cp "$registry/$f" "$dir/$f"
done
for ((i = 1; i <= copies; i++)); do
    cp -r "$root/fixtures/rust-client" "$dir/client-$i"
done
echo "$(find "$dir" -name '*.rs' | wc -l) Rust files, $(du -sh "$dir" | cut -f1), $copies Gitaly clients"
exec "$root/scripts/bench-tree.sh" "$dir" "$runs"
