#!/usr/bin/env bash
# The official Huawei Cloud Python SDK against mock-cce, end to end.
#
# Installs huaweicloudsdkcore, huaweicloudsdkcce and cryptography from PyPI into a venv under
# target/. If they cannot be installed, it prints SKIP and exits 0, and only then. It then
# builds and starts mock-cce on a random port, runs sdk_e2e.py against it, stops the server,
# and exits with the script's status.
#
#   bash conformance/python/run_sdk_e2e.sh
#
# Environment: HWSDK_VERSION (default 3.1.219, the version the signing vectors were made
# with), SDK_E2E_VENV (default target/sdk-e2e/venv), PYTHON (default python3).
set -euo pipefail
cd "$(dirname "$0")/../.."

HWSDK_VERSION=${HWSDK_VERSION:-3.1.219}
VENV=${SDK_E2E_VENV:-target/sdk-e2e/venv}
PYTHON=${PYTHON:-python3}
WORK=$(mktemp -d)
SERVER_PID=

cleanup() {
  if [ -n "$SERVER_PID" ]; then
    # The server runs in its own process group (setsid), so this stops exactly it.
    kill -- "-$SERVER_PID" 2>/dev/null || kill "$SERVER_PID" 2>/dev/null || true
    wait "$SERVER_PID" 2>/dev/null || true
  fi
  rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

skip() {
  echo "SKIP: the official Python SDK could not be installed ($1); the SDK-against-mock test did not run."
  exit 0
}

# 1. The SDK, in a venv of its own.
command -v "$PYTHON" >/dev/null 2>&1 || skip "$PYTHON not found"
if [ ! -x "$VENV/bin/python" ]; then
  mkdir -p "$(dirname "$VENV")"
  "$PYTHON" -m venv "$VENV" >"$WORK/venv.log" 2>&1 \
    || { cat "$WORK/venv.log" >&2; skip "$PYTHON -m venv failed"; }
fi
"$VENV/bin/python" -m pip install --quiet --disable-pip-version-check \
  "huaweicloudsdkcore==$HWSDK_VERSION" "huaweicloudsdkcce==$HWSDK_VERSION" cryptography \
  >"$WORK/pip.log" 2>&1 \
  || { tail -n 20 "$WORK/pip.log" >&2; skip "pip install huaweicloudsdkcore huaweicloudsdkcce==$HWSDK_VERSION failed"; }
echo "installed: $("$VENV/bin/python" -m pip list --disable-pip-version-check 2>/dev/null \
  | grep -Ei '^(huaweicloudsdk|cryptography)' | tr -s ' ' | paste -sd, -)"

# 2. The mock server, on a random port. Build first, so that waiting for its URL does not
#    include compile time.
cargo build -q -p clustercert-conformance --bin mock-cce
SETSID=
command -v setsid >/dev/null 2>&1 && SETSID=setsid
$SETSID cargo run -q -p clustercert-conformance --bin mock-cce -- --port 0 \
  >"$WORK/mock.out" 2>"$WORK/mock.err" &
SERVER_PID=$!

URL=
for _ in $(seq 1 300); do
  URL=$(sed -n '1s|.*\(http://[^ ]*\).*|\1|p' "$WORK/mock.out")
  [ -n "$URL" ] && break
  if ! kill -0 "$SERVER_PID" 2>/dev/null; then
    echo "mock-cce exited before printing its URL:" >&2
    cat "$WORK/mock.err" >&2
    exit 1
  fi
  sleep 0.1
done
if [ -z "$URL" ]; then
  echo "mock-cce printed no URL within 30 s; its first line was: $(head -n 1 "$WORK/mock.out")" >&2
  exit 1
fi
echo "mock-cce: $URL"

# 3. The SDK against it. HOME is a scratch directory because importing the SDK writes
#    ~/.huaweicloud/application_id.
status=0
HOME="$WORK" "$VENV/bin/python" conformance/python/sdk_e2e.py --endpoint "$URL" || status=$?
if [ "$status" -ne 0 ]; then
  echo "--- mock-cce stderr ---" >&2
  tail -n 50 "$WORK/mock.err" >&2
fi
exit "$status"
