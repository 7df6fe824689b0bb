#!/usr/bin/env bash
# Build cost of the client crate a user depends on, against progenitor's output for the same
# spec with TLS, measured in the same run: a clean `cargo build --release` of each (its own
# target dir, same machine, one after the other) and the number of distinct crates
# `cargo tree -e normal` lists. Not run by CI (it takes minutes and needs cargo-progenitor).
#
#   scripts/build-cost.sh            # installs cargo-progenitor 0.15.1 if missing
#   RUNS=3 scripts/build-cost.sh     # repeat the timed builds, report each run
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
work="$root/target/build-cost"
runs="${RUNS:-1}"
progenitor_version="0.15.1"
rm -rf "$work" && mkdir -p "$work"

if ! command -v cargo-progenitor >/dev/null 2>&1; then
  cargo install cargo-progenitor --version "$progenitor_version" --locked
fi

# A consumer of `clustercert` (default features), as a user would write it.
mkdir -p "$work/ours/src"
cat > "$work/ours/Cargo.toml" <<TOML
[package]
name = "consumer-of-clustercert"
version = "0.1.0"
edition = "2021"
publish = false

[dependencies]
clustercert = { path = "$root/generated" }

[workspace]
TOML
cat > "$work/ours/src/main.rs" <<'RS'
fn main() {
    let client = clustercert::Client::builder().endpoint("http://127.0.0.1:1").build();
    println!("{}", client.is_ok());
}
RS
cp "$root/Cargo.lock" "$work/ours/Cargo.lock"

# progenitor's crate for the same spec, twice: with reqwest's own rustls TLS (reqwest 0.13's
# `rustls` feature, provider aws-lc-rs: what a progenitor user gets by turning TLS on) and
# with rustls on ring (`rustls-no-provider` plus rustls with `ring`: the provider our runtime
# uses), so the comparison is made both ways.
# progenitor (typify) names both `error_code` and `errorCode` of ErrorResponse `error_code` and
# emits a struct that does not compile (it ignores `x-rust-name`), so it is given a copy of the
# spec without the `errorCode` property: one optional string field less, no other change.
python3 - "$root/spec/openapi.yaml" "$work/progenitor-spec.yaml" <<'PY'
import re, sys
text = open(sys.argv[1]).read()
fixed, n = re.subn(r"\n        errorCode:\n(?:          [^\n]*\n)+", "\n", text, count=1)
if n != 1:
    sys.exit("build-cost.sh: ErrorResponse.errorCode not found in the spec; update the workaround")
open(sys.argv[2], "w").write(fixed)
PY
cargo progenitor -i "$work/progenitor-spec.yaml" -o "$work/progenitor" -n cce-progenitor -v 0.1.0 >/dev/null
cp -r "$work/progenitor" "$work/progenitor-ring"
add_tls() {
  python3 - "$1" "$2" <<'PY'
import re, sys
path, variant = sys.argv[1], sys.argv[2]
text = open(path).read()
feature = "rustls" if variant == "default" else "rustls-no-provider"
def add(match):
    line = match.group(0)
    if "features" in line:
        return re.sub(r'features\s*=\s*\[', f'features = ["{feature}", ', line)
    version = line.split("=", 1)[1].strip()
    return f'reqwest = {{ version = {version}, default-features = false, features = ["{feature}"] }}'
text = re.sub(r'^reqwest\s*=.*$', add, text, flags=re.M)
if variant == "ring":
    text = text.replace("[dependencies]\n", '[dependencies]\nrustls = { version = "0.23", default-features = false, features = ["ring", "std", "tls12"] }\n', 1)
if "[workspace]" not in text:
    text += "\n[workspace]\n"
open(path, "w").write(text)
PY
}
add_tls "$work/progenitor/Cargo.toml" default
add_tls "$work/progenitor-ring/Cargo.toml" ring

count_crates() {
  (cd "$1" && cargo tree -e normal --prefix none 2>/dev/null | sed 's/ (\*)//; s/ (proc-macro)//' | awk '{print $1, $2}' | sort -u | wc -l)
}

build_seconds() {
  local dir="$1" target="$2"
  rm -rf "$target"
  local start end
  start=$(date +%s.%N)
  # A failed build must not report a time (set -e does not reach into $(...)).
  (cd "$dir" && CARGO_TARGET_DIR="$target" cargo build --release --quiet) ||
    { echo "build-cost.sh: the build in $dir failed" >&2; exit 1; }
  end=$(date +%s.%N)
  python3 -c "print(f'{$end - $start:.1f}')"
}

ours_crates=$(count_crates "$work/ours")
theirs_crates=$(count_crates "$work/progenitor")
ring_crates=$(count_crates "$work/progenitor-ring")
echo "distinct crates (cargo tree -e normal): clustercert $ours_crates, progenitor+rustls(aws-lc-rs) $theirs_crates, progenitor+rustls(ring) $ring_crates"
for run in $(seq 1 "$runs"); do
  ours=$(build_seconds "$work/ours" "$work/target-ours")
  theirs=$(build_seconds "$work/progenitor" "$work/target-progenitor")
  ring=$(build_seconds "$work/progenitor-ring" "$work/target-progenitor-ring")
  echo "run $run: clean release build: clustercert ${ours}s, progenitor+rustls(aws-lc-rs) ${theirs}s (ratio $(python3 -c "print(f'{$ours / $theirs:.2f}')")), progenitor+rustls(ring) ${ring}s (ratio $(python3 -c "print(f'{$ours / $ring:.2f}')"))"
done
