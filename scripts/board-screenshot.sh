#!/usr/bin/env bash
# board-screenshot.sh TREE GITDIR [OUT.png]: renders `flaglint board --history` of TREE (a GitLab-CE
# tree, e.g. v11.0.0 extracted from the mirror) with the tags of the repository GITDIR, opens the page in
# headless Chromium (Debian's `chromium` package: apt-get install chromium) and writes a PNG screenshot
# (default docs/board.png). The page is written beside it as OUT.html (not committed).
set -euo pipefail
cd "$(dirname "$0")/.."
tree=$1 gitdir=$2 out=${3:-docs/board.png}
cargo build --release --quiet
html=$(mktemp --suffix=.html)
trap 'rm -f "$html"' EXIT
./target/release/flaglint board --quiet --no-config --history="$gitdir" "$tree" --format html --output "$html" \
    --link-base gitlab-ce=https://gitlab.com/gitlab-org/gitlab-ce/blob/v11.0.0/ || [[ $? == 1 ]]
chromium=$(command -v chromium || command -v chromium-browser) ||
    { echo "error: no chromium; apt-get install chromium" >&2; exit 2; }
"$chromium" --headless --no-sandbox --disable-gpu --hide-scrollbars --force-device-scale-factor=1 \
    --window-size="${WIDTH:-1600},${HEIGHT:-1400}" --screenshot="$(realpath -m "$out")" "file://$html" 2>/dev/null
echo "wrote $out ($(stat -c %s "$out") bytes)"
