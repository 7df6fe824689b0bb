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

# 1. The SDK, in a venv of its own; where Python has no working venv module (Debian without
#    python3-venv), in a plain directory put on PYTHONPATH instead.
command -v "$PYTHON" >/dev/null 2>&1 || skip "$PYTHON not found"
PACKAGES=("huaweicloudsdkcore==$HWSDK_VERSION" "huaweicloudsdkcce==$HWSDK_VERSION" cryptography)
venv_ready() { "$VENV/bin/python" -m pip --version >/dev/null 2>&1; }
if ! venv_ready; then
  # A venv left half-made by a failed run (no pip in it) is recreated.
  [ -f "$VENV/pyvenv.cfg" ] && rm -rf "$VENV"
  mkdir -p "$(dirname "$VENV")"
  "$PYTHON" -m venv "$VENV" >"$WORK/venv.log" 2>&1 || true
fi
SITE=
if venv_ready; then
  PY="$VENV/bin/python"
  PIP_TARGET_ARGS=()
else
  echo "no usable venv ($(tail -n 1 "$WORK/venv.log" 2>/dev/null)); installing with --target instead"
  PY="$PYTHON"
  SITE="$(dirname "$VENV")/site"
  PIP_TARGET_ARGS=(--upgrade --target "$SITE")
fi
"$PY" -m pip install --quiet --disable-pip-version-check "${PIP_TARGET_ARGS[@]}" "${PACKAGES[@]}" \
  >"$WORK/pip.log" 2>&1 \
  || { tail -n 20 "$WORK/pip.log" >&2; skip "pip install ${PACKAGES[*]} failed"; }
py() { PYTHONPATH="$SITE${PYTHONPATH:+:$PYTHONPATH}" "$PY" "$@"; }
echo "installed: $(py -c 'from importlib.metadata import version as v
print(", ".join("%s %s" % (p, v(p)) for p in ("huaweicloudsdkcore", "huaweicloudsdkcce", "cryptography")))')"

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
HOME="$WORK" py conformance/python/sdk_e2e.py --endpoint "$URL" || status=$?
if [ "$status" -ne 0 ]; then
  echo "--- mock-cce stderr ---" >&2
  tail -n 50 "$WORK/mock.err" >&2
fi
exit "$status"
