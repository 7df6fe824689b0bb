#!/usr/bin/env bash
# The official Huawei Cloud Python SDK against mock-cce, end to end.
#
# Installs huaweicloudsdkcore, huaweicloudsdkcce and cryptography from PyPI into a venv under
# target/. If they cannot be installed, it prints SKIP and exits 0, and only then. It checks
# that the SDK outputs recorded for the Rust tests (signing vectors, region resolution) are
# still what this SDK produces. It then builds and starts mock-cce on a random port, runs
# sdk_e2e.py against it, stops the server, and exits with the script's status.
#
#   bash conformance/python/run_sdk_e2e.sh
#
# Environment: see common.sh (HWSDK_VERSION, SDK_E2E_VENV, PYTHON).
set -euo pipefail
cd "$(dirname "$0")/../.."

skip() {
  echo "SKIP: the official Python SDK could not be installed ($1); the SDK-against-mock test did not run."
  exit 0
}
# shellcheck source=conformance/python/common.sh
. conformance/python/common.sh

# 1. The SDK.
sdk_setup
echo "installed: $(py -c 'from importlib.metadata import version as v
print(", ".join("%s %s" % (p, v(p)) for p in ("huaweicloudsdkcore", "huaweicloudsdkcce", "cryptography")))')"

# 2. The recorded SDK outputs the Rust tests compare with (signing vectors, region
#    resolution) are what this SDK version produces.
HOME="$WORK" py runtime/tests/data/signing/make_vectors.py --check
HOME="$WORK" py conformance/tests/data/regions/make_regions.py --check

# 3. The mock server.
mock_start

# 4. The SDK against it. HOME is a scratch directory because importing the SDK writes
#    ~/.huaweicloud/application_id.
status=0
HOME="$WORK" py conformance/python/sdk_e2e.py --endpoint "$URL" || status=$?
if [ "$status" -ne 0 ]; then
  echo "--- mock-cce stderr ---" >&2
  tail -n 50 "$WORK/mock.err" >&2
fi
exit "$status"
