# Shared by run_sdk_e2e.sh and scripts/vs-python.sh (sourced, not run): the official Python
# SDK in a venv, and mock-cce on a random port.
#
#   sdk_setup [extra pip packages…]   installs the SDK (and extras), defines `py`; calls
#                                      `skip REASON` (the caller's) when it cannot
#   mock_start [cargo build flags…]    builds and starts mock-cce, sets URL
#   mock_stop                          stops it (also on exit, through the trap set here)
#
# Environment: HWSDK_VERSION (default 3.1.219, the version the signing vectors were made
# with), SDK_E2E_VENV (default target/sdk-e2e/venv), PYTHON (default python3).

HWSDK_VERSION=${HWSDK_VERSION:-3.1.219}
VENV=${SDK_E2E_VENV:-target/sdk-e2e/venv}
PYTHON=${PYTHON:-python3}
WORK=$(mktemp -d)
SERVER_PID=
URL=

mock_stop() {
  if [ -n "$SERVER_PID" ]; then
    # The server runs in its own process group (setsid), so this stops exactly it.
    kill -- "-$SERVER_PID" 2>/dev/null || kill "$SERVER_PID" 2>/dev/null || true
    wait "$SERVER_PID" 2>/dev/null || true
    SERVER_PID=
  fi
}
common_cleanup() {
  mock_stop
  rm -rf "$WORK"
}
trap common_cleanup EXIT
trap 'exit 130' INT TERM

# The SDK, in a venv of its own; where Python has no working venv module (Debian without
# python3-venv), in a plain directory put on PYTHONPATH instead.
sdk_setup() {
  command -v "$PYTHON" >/dev/null 2>&1 || skip "$PYTHON not found"
  local packages=("huaweicloudsdkcore==$HWSDK_VERSION" "huaweicloudsdkcce==$HWSDK_VERSION" cryptography "$@")
  venv_ready() { "$VENV/bin/python" -m pip --version >/dev/null 2>&1; }
  if ! venv_ready; then
    # A venv left half-made by a failed run (no pip in it) is recreated.
    [ -f "$VENV/pyvenv.cfg" ] && rm -rf "$VENV"
    mkdir -p "$(dirname "$VENV")"
    "$PYTHON" -m venv "$VENV" >"$WORK/venv.log" 2>&1 || true
  fi
  SITE=
  local target_args=()
  if venv_ready; then
    PY="$VENV/bin/python"
  else
    echo "no usable venv ($(tail -n 1 "$WORK/venv.log" 2>/dev/null)); installing with --target instead"
    PY="$PYTHON"
    SITE="$(dirname "$VENV")/site"
    target_args=(--upgrade --target "$SITE")
  fi
  "$PY" -m pip install --quiet --disable-pip-version-check "${target_args[@]}" "${packages[@]}" \
    >"$WORK/pip.log" 2>&1 \
    || { tail -n 20 "$WORK/pip.log" >&2; skip "pip install ${packages[*]} failed"; }
}
py() { PYTHONPATH="$SITE${PYTHONPATH:+:$PYTHONPATH}" "$PY" "$@"; }

# mock-cce on a random port. Built first, so that waiting for its URL does not include
# compile time.
mock_start() {
  cargo build -q "$@" -p clustercert-conformance --bin mock-cce
  local setsid=
  command -v setsid >/dev/null 2>&1 && setsid=setsid
  $setsid cargo run -q "$@" -p clustercert-conformance --bin mock-cce -- --port 0 \
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
}
