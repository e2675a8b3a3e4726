#!/usr/bin/env bash
# Cross-checks `flaglint list` against a careful grep on a GitLab-CE tree.
# Usage: scripts/compare-grep.sh TREE
# Prints the toggle sites grep finds in app/ and lib/ (gitaly_migrate, GitalyClient.migrate,
# feature_enabled? calls, comment lines dropped), the sites flaglint reports there, and the
# differences. Wrapper definitions and their bodies (`def gitaly_migrate(method, ...)` passing
# `method` on) are expected on the grep side only.
set -euo pipefail
tree=${1:?usage: scripts/compare-grep.sh TREE}
root=$(cd "$(dirname "$0")/.." && pwd)
cargo build --release -q --manifest-path "$root/Cargo.toml"
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
(cd "$tree" && rg -n --no-heading -g '*.rb' 'gitaly_migrate\(|GitalyClient\.migrate\(|feature_enabled\?\(' app lib || true) |
    grep -Ev '^[^:]+:[0-9]+:\s*#' | awk -F: '{print $1":"$2}' | sort -u > "$tmp/grep"
"$root/target/release/flaglint" list --format json "$tree" > "$tmp/refs.json"
python3 - "$tmp/grep" "$tmp/refs.json" <<'PY'
import json, sys
grep = set(open(sys.argv[1]).read().split())
refs = json.load(open(sys.argv[2]))["references"]
ours = {f"{r['path']}:{r['line']}" for r in refs if r["path"].startswith(("app/", "lib/"))}
print(f"references: {len(refs)} (app/ and lib/ sites: {len(ours)}); grep sites: {len(grep)}")
print("grep only (expect wrapper definitions and bodies):")
for s in sorted(grep - ours):
    print("  ", s)
print("flaglint only:")
for s in sorted(ours - grep):
    print("  ", s)
kinds = {}
for r in refs:
    kinds[(r["kind"], r["form"])] = kinds.get((r["kind"], r["form"]), 0) + 1
print("by kind/form:", ", ".join(f"{k}/{f}: {n}" for (k, f), n in sorted(kinds.items())))
PY
