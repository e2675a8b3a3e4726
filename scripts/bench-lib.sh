# Shared by scripts/bench-tree.sh and scripts/bench.sh; source it from the repository root.

# Quote one word for sh (and for hyperfine -N, which splits commands the same way).
q() { local s=${1//\'/\'\\\'\'}; printf "'%s'" "$s"; }

# rg_token_args: rg's arguments to search the files flaglint's frontends read for flaglint's
# prefilter tokens: the RUBY_TOKENS of src/prefilter.rs (Rust string escapes \" and \\ undone)
# and `gitaly` and `featureflag` (the Go tokens of src/prefilter.rs: GO_TOKENS, SERVER_GO_TOKENS,
# all hold one of them) and the Rust frontend's default check functions (`feature_enabled`,
# `is_enabled`), case-insensitive (one rg run cannot mix cases per pattern).
rg_token_args() {
    local tokens args g t
    tokens=$(sed -n '/const RUBY_TOKENS/,/^];/p' src/prefilter.rs |
        sed -n 's/^ *("\(.*\)", \(None\|Some(.*)\)),$/\1/p' | sed 's/\\"/"/g; s/\\\\/\\/g')
    [[ -n $tokens ]] || { echo "error: no RUBY_TOKENS found in src/prefilter.rs" >&2; return 2; }
    args="-i -F -c --hidden"
    for g in '*.rb' '*.rake' '*.ru' '*.gemspec' Gemfile Rakefile Guardfile '*.go' '*.sh' '*.bash' \
        '*.env' '*.json' '*.yml' '*.yaml' '*.md' '*.markdown' '*.txt' '*.adoc' '*.rst' '*.proto' '*.rs'; do
        args+=" -g $(q "$g")"
    done
    while IFS= read -r t; do args+=" -e $(q "$t")"; done <<<"$tokens"
    echo "$args -e gitaly -e featureflag -e feature_enabled -e is_enabled"
}

# loop_time RUNS COMMAND: "median min max" in ms over RUNS runs after 2 warm-ups (the
# fallback when hyperfine is not installed).
loop_time() {
    local runs=$1 cmd=$2 times r t0 t1
    times=$(mktemp)
    for _ in 1 2; do eval "$cmd" >/dev/null 2>&1 || true; done
    for ((r = 0; r < runs; r++)); do
        t0=$(date +%s%N)
        eval "$cmd" >/dev/null 2>&1 || true
        t1=$(date +%s%N)
        echo $(((t1 - t0) / 1000)) >>"$times"   # microseconds
    done
    sort -n "$times" | awk '{ v[NR] = $1 } END {
        m = (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2
        printf "%.2f %.2f %.2f\n", m / 1000, v[1] / 1000, v[NR] / 1000 }'
    rm -f "$times"
}
