#!/usr/bin/env bash
# Replay GitLab-CE's own "make X mandatory" cleanup commits with `flaglint fix` and score how
# close flaglint's edits come to the engineers' (docs/fix.md).
#
# Usage: scripts/replay-history.sh [MIRROR] [COMMITS]
#   MIRROR   a GitLab-CE git dir with history (default: $GITLAB_CE_MIRROR, else
#            /work/.mirror/ryanfreckleton+gitlab-ce/repo); bare or not
#   COMMITS  the commit list (default: scripts/replay-commits.txt): `SHA flag[,flag...]` per
#            line, `#` starts a comment
# Environment: FLAGLINT (use this binary instead of building), KEEP=1 (keep the temp dir and
#   the fixed trees in it),
#   TMPDIR (where the temp dir goes; default /dev/shm when writable, else /tmp),
#   TSV=FILE (also write the per-file rows as tab-separated values),
#   REPLAY_DIRS (the top directories extracted and scored; default "lib app"; "lib app spec"
#   also scores the specs).
#
# For each commit: the parent's lib/ and app/ are extracted into a temp dir (blobs missing from
# the mirror are skipped), a registry marks the listed flags mandatory, and
# `flaglint fix --write --config REG TREE` runs twice (as is, and with --keep-dead) on copies.
# Then for every file the commit changed under lib/ or app/ and every file flaglint changed:
# `ruby -c` on flaglint's result (.rb files), and the Jaccard similarity of the multisets of
# changed non-blank lines (`-line`/`+line`, trimmed) of flaglint's diff and the engineers'
# (1.0 when both are empty). Nothing from the mirror is written outside the temp dir.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/.." && pwd)
mirror=${1:-${GITLAB_CE_MIRROR:-/work/.mirror/ryanfreckleton+gitlab-ce/repo}}
commits=${2:-$here/replay-commits.txt}

[ -d "$mirror" ] || { echo "replay-history: no mirror at $mirror" >&2; exit 2; }
[ -f "$commits" ] || { echo "replay-history: no commit list at $commits" >&2; exit 2; }
command -v ruby >/dev/null || { echo "replay-history: ruby is needed (ruby -c)" >&2; exit 2; }
command -v python3 >/dev/null || { echo "replay-history: python3 is needed" >&2; exit 2; }

if [ -z "${FLAGLINT:-}" ]; then
  (cd "$root" && cargo build --release -q)
  FLAGLINT=$root/target/release/flaglint
fi

# The trees are written to tmpfs when there is one (creating 7,000 files per tree is slow on
# some disks); TMPDIR overrides.
tmp=${TMPDIR:-/tmp}
if [ -z "${TMPDIR:-}" ] && [ -d /dev/shm ] && [ -w /dev/shm ]; then tmp=/dev/shm; fi
work=$(mktemp -d "$tmp/replay-history.XXXXXX")
if [ "${KEEP:-}" = 1 ]; then
  echo "replay-history: temp dir kept: $work" >&2
else
  trap 'rm -rf "$work"' EXIT
fi

export MIRROR=$mirror FLAGLINT WORK=$work
python3 - "$commits" <<'PY'
import os, re, shutil, subprocess, sys, time
from collections import Counter

MIRROR, FLAGLINT, WORK = os.environ["MIRROR"], os.environ["FLAGLINT"], os.environ["WORK"]
GIT = ["git", "--git-dir=" + MIRROR]
MODES = [("fix", []), ("keep", ["--keep-dead"])]
DIRS = os.environ.get("REPLAY_DIRS", "lib app").split()


def git(*args):
    return subprocess.run(GIT + list(args), check=True, capture_output=True).stdout


def read_list(path):
    out = []
    for n, line in enumerate(open(path), 1):
        line = line.split("#", 1)[0].strip()
        if not line:
            continue
        parts = line.split()
        if len(parts) != 2 or not re.fullmatch(r"[0-9a-f]{7,40}", parts[0]):
            sys.exit(f"replay-history: {path}:{n}: expected `SHA flag[,flag...]`")
        out.append((parts[0], [f for f in parts[1].split(",") if f]))
    return out


def blobs(rev, paths):
    """{path: bytes} for the blobs of rev under paths; missing blobs are left out."""
    listing = git("ls-tree", "-r", "-z", rev, "--", *paths).split(b"\0")
    entries = []
    for e in listing:
        if not e:
            continue
        meta, path = e.split(b"\t", 1)
        mode, kind, sha = meta.split()
        if kind == b"blob" and mode != b"120000":
            entries.append((sha.decode(), path.decode("utf-8", "surrogateescape")))
    if not entries:
        return {}
    p = subprocess.run(GIT + ["cat-file", "--batch"], check=True, capture_output=True,
                       input=b"".join(s.encode() + b"\n" for s, _ in entries))
    data, pos, out = p.stdout, 0, {}
    for sha, path in entries:
        nl = data.index(b"\n", pos)
        head = data[pos:nl].split()
        pos = nl + 1
        if len(head) < 3 or head[1] == b"missing":
            continue
        size = int(head[2])
        out[path] = data[pos:pos + size]
        pos += size + 1
    return out


def write_tree(dest, files):
    for path, content in files.items():
        full = os.path.join(dest, path)
        os.makedirs(os.path.dirname(full), exist_ok=True)
        with open(full, "wb") as f:
            f.write(content)


def changed_lines(a, b):
    """Multiset of changed non-blank lines between two byte strings (None = no file)."""
    if a == b:
        return Counter()
    da, db = os.path.join(WORK, "a"), os.path.join(WORK, "b")
    open(da, "wb").write(a or b"")
    open(db, "wb").write(b or b"")
    p = subprocess.run(["git", "diff", "--no-index", "--no-color", "-U0", "--", da, db],
                       capture_output=True)
    out = Counter()
    for line in p.stdout.decode("utf-8", "replace").splitlines():
        if line.startswith(("---", "+++", "@@", "diff ", "index ", "\\")):
            continue
        if line[:1] in "+-" and line[1:].strip():
            out[line[0] + line[1:].strip()] += 1
    return out


def jaccard(x, y):
    union = sum((x | y).values())
    return 1.0 if union == 0 else sum((x & y).values()) / union


def ruby_ok(path):
    return subprocess.run(["ruby", "-c", path], capture_output=True).returncode == 0


def tree_files(dest):
    out = {}
    for top in DIRS:
        for d, _, names in os.walk(os.path.join(dest, top)):
            for n in names:
                full = os.path.join(d, n)
                out[os.path.relpath(full, dest)] = full
    return out


rows, per_commit, wall, crashes, missing = [], [], {m: 0.0 for m, _ in MODES}, [], []
for sha, flags in read_list(sys.argv[1]):
    full = git("rev-parse", sha + "^{commit}").decode().strip()
    parent = git("rev-parse", full + "^").decode().strip()
    short = full[:10]
    before = blobs(parent, DIRS)
    eng_paths = [p for p in git("diff", "--name-only", "-z", "--no-renames", parent, full,
                                "--", *DIRS).decode().split("\0") if p]
    after_eng = blobs(full, eng_paths) if eng_paths else {}
    reg = os.path.join(WORK, short + ".toml")
    with open(reg, "w") as f:
        for flag in flags:
            f.write(f'[[feature]]\nname = "{flag}"\nstage = "mandatory"\n\n')
    results = {}
    for mode, extra in MODES:
        tree = os.path.join(WORK, short + "-" + mode)
        shutil.rmtree(tree, ignore_errors=True)
        write_tree(tree, before)
        t0 = time.perf_counter()
        p = subprocess.run([FLAGLINT, "fix", "--write", "-q", "--color", "never",
                            "--config", reg, *extra, tree], capture_output=True, text=True)
        wall[mode] += time.perf_counter() - t0
        if p.returncode not in (0, 1):
            crashes.append(f"{short} {mode}: exit {p.returncode}: {p.stderr.strip()[:300]}")
        now = tree_files(tree)
        changed = {}
        for path, fullp in now.items():
            content = open(fullp, "rb").read()
            if content != before.get(path):
                changed[path] = content
        results[mode] = (tree, changed)
    paths = sorted(set(eng_paths) | set(results["fix"][1]) | set(results["keep"][1]))
    commit_rows = []
    for path in paths:
        if path not in before and path not in after_eng:
            missing.append(f"{short} {path}")  # blobs missing from the mirror: not scored
            continue
        # A file the engineers did not change is as it was before.
        eng_after = after_eng.get(path) if path in eng_paths else before.get(path)
        eng = changed_lines(before.get(path), eng_after)
        row = {"commit": short, "path": path, "eng": sum(eng.values())}
        for mode, _ in MODES:
            tree, changed = results[mode]
            mine = changed_lines(before.get(path), changed.get(path, before.get(path)))
            row[mode + "_n"] = sum(mine.values())
            row[mode] = jaccard(mine, eng)
            fp = os.path.join(tree, path)
            if path.endswith(".rb") and path in changed:
                row[mode + "_rb"] = "ok" if ruby_ok(fp) else "FAIL"
            else:
                row[mode + "_rb"] = "-"
        commit_rows.append(row)
    rows += commit_rows
    n = len(commit_rows) or 1
    per_commit.append({"commit": short, "flags": len(flags), "files": len(commit_rows),
                       "fix": sum(r["fix"] for r in commit_rows) / n,
                       "keep": sum(r["keep"] for r in commit_rows) / n})
    if os.environ.get("KEEP") != "1":
        for mode, _ in MODES:
            shutil.rmtree(results[mode][0], ignore_errors=True)

print("Per file (lines: changed non-blank lines; sim: Jaccard with the engineers' diff)")
print(f"{'commit':10}  {'eng':>4} {'fix':>4} {'sim':>5} {'rb':>4}  {'keep':>4} {'sim':>5} {'rb':>4}  file")
for r in rows:
    print(f"{r['commit']:10}  {r['eng']:4} {r['fix_n']:4} {r['fix']:5.2f} {r['fix_rb']:>4}  "
          f"{r['keep_n']:4} {r['keep']:5.2f} {r['keep_rb']:>4}  {r['path']}")
print()
print("Per commit (mean over its files)")
print(f"{'commit':10}  {'flags':>5} {'files':>5}  {'fix':>5}  {'keep':>5}")
for c in per_commit:
    print(f"{c['commit']:10}  {c['flags']:5} {c['files']:5}  {c['fix']:5.2f}  {c['keep']:5.2f}")
print()
nf, nc = len(rows) or 1, len(per_commit) or 1
for mode, label in (("fix", "fix --write"), ("keep", "fix --write --keep-dead")):
    fails = sum(1 for r in rows if r[mode + "_rb"] == "FAIL")
    print(f"{label:26}: mean over {len(rows)} files {sum(r[mode] for r in rows) / nf:.3f}, "
          f"over {len(per_commit)} commits {sum(c[mode] for c in per_commit) / nc:.3f}; "
          f"ruby -c failures {fails}; flaglint wall time {wall[mode]:.2f} s")
for c in crashes:
    print("flaglint error:", c)
for m in missing:
    print("not scored (blob missing from the mirror):", m)
for mode in ("fix", "keep"):
    for r in rows:
        if r[mode + "_rb"] == "FAIL":
            print(f"ruby -c fails ({mode}): {r['commit']} {r['path']}")
if os.environ.get("TSV"):
    with open(os.environ["TSV"], "w") as f:
        f.write("commit\tpath\teng\tfix_n\tfix\tfix_rb\tkeep_n\tkeep\tkeep_rb\n")
        for r in rows:
            f.write("\t".join(str(r[k]) for k in ("commit", "path", "eng", "fix_n", "fix",
                    "fix_rb", "keep_n", "keep", "keep_rb")) + "\n")
PY
