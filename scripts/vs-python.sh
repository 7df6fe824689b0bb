#!/usr/bin/env bash
# This project against the official Huawei Cloud Python SDK and Python's JSON Schema
# validators, measured in the same run, as ratios. Not run by CI (it takes a minute or two,
# and its figures are only meaningful on an idle machine).
#
#   scripts/vs-python.sh            # ROUNDS=20 whole-process rounds each
#
# 1. Whole process: `cce-kubeconfig --dry-run` (release build) against the official SDK
#    making the same call (conformance/python/vs_python.py call), both against one mock-cce,
#    alternating, median wall time of each.
# 2. Validation: validations per second of the documented response against the JSON Schema
#    the suite derives from the spec, ours (`cargo bench --bench validate -- --ratio-only`)
#    against `jsonschema` and `jsonschema_rs` in Python, every error collected.
set -euo pipefail
cd "$(dirname "$0")/.."
ROUNDS=${ROUNDS:-20}

skip() {
  echo "vs-python.sh: the Python side could not be installed ($1)" >&2
  exit 1
}
# shellcheck source=conformance/python/common.sh
. conformance/python/common.sh

sdk_setup jsonschema jsonschema-rs
echo "installed: $(py -c 'from importlib.metadata import version as v
print(", ".join("%s %s" % (p, v(p)) for p in ("huaweicloudsdkcce", "jsonschema", "jsonschema-rs")))')"

cargo build -q --release -p clustercert-cli -p clustercert-conformance
mock_start --release

# 1. Whole process. The CLI reads credentials from the environment and merges into an empty
#    kubeconfig of its own; HOME is a scratch folder for both (the SDK writes an id there).
mkdir -p "$WORK/home"
: >"$WORK/kubeconfig"
echo
HOME="$WORK/home" HUAWEICLOUD_SDK_AK=MOCKAKEXAMPLE0000001 \
  HUAWEICLOUD_SDK_SK=mock-sk-example-not-a-secret \
  py conformance/python/vs_python.py processes --rounds "$ROUNDS" \
  -- target/release/cce-kubeconfig --endpoint "$URL" --project-id mock-project \
  --cluster-id cluster-internal --duration 30 --kubeconfig "$WORK/kubeconfig" --dry-run \
  -- "$PY" conformance/python/vs_python.py call --endpoint "$URL"
mock_stop

# 2. Validation.
target/release/clustercert-conformance schema response --status 200 >"$WORK/schema.json"
py -c 'import json, sys
case = json.load(open("conformance/cases/documented-example/case.json"))
json.dump(case["response"]["body"], open(sys.argv[1], "w"))' "$WORK/body.json"
ours=$(cargo bench -q -p clustercert-conformance --bench validate -- --ratio-only 2>/dev/null \
  | sed -n 's|^ *validate (parsed value) *\([0-9]*\) /s$|\1|p')
[ -n "$ours" ] || { echo "vs-python.sh: the validate bench printed no figure" >&2; exit 1; }
echo
py conformance/python/vs_python.py validate --schema "$WORK/schema.json" \
  --body "$WORK/body.json" --ours "$ours"
