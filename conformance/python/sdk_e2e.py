#!/usr/bin/env python3
"""The official Huawei Cloud Python SDK (huaweicloudsdkcce) against the local mock CCE server.

Calls CreateKubernetesClusterCert with AK/SK signing through the SDK's own CceClient, for the
internal and the external built-in cluster, with durations 30 and -1, and checks that the SDK
parses each answer into a usable kubeconfig. Then checks that the SDK turns the mock's errors
(a wrong SK, an unknown AK, an invalid duration, an unknown cluster) into
ClientRequestException with status, request id and CCE error code.

Run it through run_sdk_e2e.sh, which installs the SDK and starts mock-cce. By hand:

    python3 sdk_e2e.py --endpoint http://127.0.0.1:PORT

Exit status: 0 when every check passed, 1 otherwise. Secrets (the SK, the client key) are
never printed.
"""

import argparse
import base64
import binascii
import datetime
import sys

from huaweicloudsdkcore.auth.credentials import BasicCredentials
from huaweicloudsdkcore.exceptions.exceptions import ClientRequestException, SdkException
from huaweicloudsdkcore.http.http_config import HttpConfig
from huaweicloudsdkcce.v3 import CceClient, ClusterCertDuration, CreateKubernetesClusterCertRequest

try:  # Certificate checks need `cryptography`; run_sdk_e2e.sh installs it.
    from cryptography import x509
    from cryptography.exceptions import InvalidSignature
    from cryptography.hazmat.primitives import serialization
except ImportError:  # pragma: no cover - reported as a skipped group of checks
    x509 = None

# The mock's built-in configuration (clustercert_conformance::mock constants).
DEFAULT_PROJECT_ID = "mock-project"
DEFAULT_AK = "MOCKAKEXAMPLE0000001"
DEFAULT_SK = "mock-sk-example-not-a-secret"
INTERNAL_CLUSTER_ID = "cluster-internal"
EXTERNAL_CLUSTER_ID = "cluster-external"

MAX_DAYS = 1825
UNAUTHORIZED_CODE = "CCE.01401001"
INVALID_REQUEST_CODE = "CCE.01400001"
NOT_FOUND_CODE = "CCE.01404001"


class Checks:
    """Collects named checks; a failed check is reported and makes the run fail."""

    def __init__(self):
        self.passed = 0
        self.failed = []

    def check(self, name, ok, detail=""):
        if ok:
            self.passed += 1
            print("ok   %s" % name)
        else:
            self.failed.append(name)
            print("FAIL %s%s" % (name, (": " + detail) if detail else ""))
        return ok


def client_for(endpoint, ak, sk, project_id):
    config = HttpConfig.get_default_config()
    config.timeout = (5, 60)
    config.user_agent = "clustercert-sdk-e2e"
    return CceClient.new_builder() \
        .with_http_config(config) \
        .with_credentials(BasicCredentials(ak, sk, project_id)) \
        .with_endpoint(endpoint) \
        .build()


def create_cert(client, cluster_id, duration):
    request = CreateKubernetesClusterCertRequest(
        cluster_id=cluster_id, body=ClusterCertDuration(duration=duration))
    return client.create_kubernetes_cluster_cert(request)


def decode_pem(data):
    """base64 text -> PEM bytes, or None when it is not base64 of a PEM block."""
    if not isinstance(data, str) or not data:
        return None
    try:
        pem = base64.b64decode(data, validate=True)
    except (binascii.Error, ValueError):
        return None
    return pem if pem.startswith(b"-----BEGIN ") else None


def check_certificates(checks, label, ca_data, cert_data, key_data, days):
    """The client certificate: X.509 v3, issued by the cluster CA, valid for `days`, and
    matching the client key."""
    if x509 is None:
        print("skip %s: certificate checks (the `cryptography` package is not installed)" % label)
        return
    try:
        ca = x509.load_pem_x509_certificate(decode_pem(ca_data))
        cert = x509.load_pem_x509_certificate(decode_pem(cert_data))
        key = serialization.load_pem_private_key(decode_pem(key_data), password=None)
    except (TypeError, ValueError) as e:
        checks.check("%s: CA, certificate and key parse" % label, False, type(e).__name__)
        return
    checks.check("%s: client certificate is X.509 v3" % label, cert.version == x509.Version.v3)
    try:
        cert.verify_directly_issued_by(ca)
        issued, why = True, ""
    except (InvalidSignature, ValueError, TypeError) as e:
        issued, why = False, "%s %s" % (type(e).__name__, e)
    checks.check("%s: client certificate is signed by the cluster CA" % label, issued, why)
    validity = cert.not_valid_after_utc - cert.not_valid_before_utc
    checks.check("%s: certificate is valid for %d days" % (label, days),
                 datetime.timedelta(days=days) <= validity <= datetime.timedelta(days=days + 1),
                 "validity is %s" % validity)
    same_key = key.public_key().public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo) == \
        cert.public_key().public_bytes(
            serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
    checks.check("%s: client key matches the certificate" % label, same_key)


def check_kubeconfig(checks, label, response, external, days):
    """What the SDK parsed must be CCE's kubeconfig shape for this cluster."""
    checks.check("%s: HTTP 200" % label, response.status_code == 200, str(response.status_code))
    checks.check("%s: kind Config" % label, response.kind == "Config", repr(response.kind))
    checks.check("%s: apiVersion v1" % label, response.api_version == "v1", repr(response.api_version))
    checks.check("%s: Port-ID header parsed" % label, bool(response.port_id), repr(response.port_id))

    clusters = response.clusters or []
    names = [c.name for c in clusters]
    if external:
        checks.check("%s: internalCluster and externalCluster" % label,
                     len(clusters) >= 2 and names.count("internalCluster") == 1
                     and all(n in ("internalCluster", "externalCluster") for n in names), repr(names))
    else:
        checks.check("%s: exactly one cluster, internalCluster" % label, names == ["internalCluster"],
                     repr(names))
    for c in clusters:
        cert = c.cluster
        checks.check("%s: %s has an https server" % (label, c.name),
                     cert is not None and isinstance(cert.server, str) and cert.server.startswith("https://"),
                     repr(cert and cert.server))
        ca_data = cert.certificate_authority_data if cert is not None else None
        if c.name == "internalCluster" or ca_data is not None:
            # An externalCluster may leave the CA out, since it skips TLS verification.
            checks.check("%s: %s has PEM CA data" % (label, c.name), decode_pem(ca_data) is not None)
        if c.name == "externalCluster":
            checks.check("%s: externalCluster skips TLS verification" % label,
                         cert is not None and cert.insecure_skip_tls_verify is True,
                         repr(cert and cert.insecure_skip_tls_verify))

    users = response.users or []
    checks.check("%s: one user named user" % label, [u.name for u in users] == ["user"],
                 repr([u.name for u in users]))
    user = users[0].user if users else None
    checks.check("%s: client certificate present (PEM)" % label,
                 user is not None and decode_pem(user.client_certificate_data) is not None)
    # Only whether the key is there; its value is never printed.
    checks.check("%s: client key present (PEM)" % label,
                 user is not None and decode_pem(user.client_key_data) is not None)

    contexts = response.contexts or []
    context_names = [c.name for c in contexts]
    wanted_current = "external" if external else "internal"
    if external:
        checks.check("%s: contexts internal and external" % label,
                     "internal" in context_names and "external" in context_names, repr(context_names))
    else:
        checks.check("%s: exactly one context, internal" % label, context_names == ["internal"],
                     repr(context_names))
    for c in contexts:
        checks.check("%s: context %s points at a listed cluster and user" % (label, c.name),
                     c.context is not None and c.context.cluster in names and c.context.user == "user",
                     repr(c.context and (c.context.cluster, c.context.user)))
    checks.check("%s: current-context %s" % (label, wanted_current),
                 response.current_context == wanted_current, repr(response.current_context))
    checks.check("%s: current-context names a context" % label, response.current_context in context_names)

    internal = [c for c in clusters if c.name == "internalCluster"]
    if internal and internal[0].cluster is not None and user is not None:
        check_certificates(checks, label, internal[0].cluster.certificate_authority_data,
                           user.client_certificate_data, user.client_key_data, days)


def expect_client_error(checks, label, call, status, code):
    """`call` must raise ClientRequestException with this status and code and a request id."""
    try:
        call()
    except ClientRequestException as e:
        checks.check("%s: HTTP %d" % (label, status), e.status_code == status, str(e.status_code))
        checks.check("%s: request id" % label, bool(e.request_id), repr(e.request_id))
        checks.check("%s: error code %s" % (label, code), e.error_code == code, repr(e.error_code))
        checks.check("%s: error message" % label, bool(e.error_msg), repr(e.error_msg))
        return
    except SdkException as e:
        checks.check("%s: ClientRequestException" % label, False, "%s: %s" % (type(e).__name__, e))
        return
    except ValueError as e:  # the SDK's CCE error handler raises JSONDecodeError on a non-JSON body
        checks.check("%s: ClientRequestException" % label, False, "%s: %s" % (type(e).__name__, e))
        return
    checks.check("%s: ClientRequestException" % label, False, "the call succeeded")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--endpoint", required=True, help="the mock's URL, e.g. http://127.0.0.1:41234")
    parser.add_argument("--project-id", default=DEFAULT_PROJECT_ID)
    parser.add_argument("--ak", default=DEFAULT_AK)
    parser.add_argument("--sk", default=DEFAULT_SK)
    args = parser.parse_args()

    checks = Checks()
    good = client_for(args.endpoint, args.ak, args.sk, args.project_id)

    for cluster_id, external in ((INTERNAL_CLUSTER_ID, False), (EXTERNAL_CLUSTER_ID, True)):
        for duration in (30, -1):
            label = "%s duration %d" % (cluster_id, duration)
            try:
                response = create_cert(good, cluster_id, duration)
            except (SdkException, ValueError) as e:
                detail = "%s: %s" % (type(e).__name__, e)
                checks.check("%s: the SDK call succeeds" % label, False, detail)
                continue
            checks.check("%s: the SDK call succeeds" % label, True)
            check_kubeconfig(checks, label, response, external, MAX_DAYS if duration == -1 else duration)

    wrong_sk = client_for(args.endpoint, args.ak, args.sk + "-wrong", args.project_id)
    expect_client_error(checks, "wrong SK", lambda: create_cert(wrong_sk, INTERNAL_CLUSTER_ID, 30),
                        401, UNAUTHORIZED_CODE)
    unknown_ak = client_for(args.endpoint, "UNKNOWNAK00000000000", args.sk, args.project_id)
    expect_client_error(checks, "unknown AK", lambda: create_cert(unknown_ak, INTERNAL_CLUSTER_ID, 30),
                        401, UNAUTHORIZED_CODE)
    expect_client_error(checks, "duration 0", lambda: create_cert(good, INTERNAL_CLUSTER_ID, 0),
                        400, INVALID_REQUEST_CODE)
    expect_client_error(checks, "duration 1826", lambda: create_cert(good, INTERNAL_CLUSTER_ID, 1826),
                        400, INVALID_REQUEST_CODE)
    expect_client_error(checks, "unknown cluster", lambda: create_cert(good, "no-such-cluster", 30),
                        404, NOT_FOUND_CODE)

    print("%d checks passed, %d failed" % (checks.passed, len(checks.failed)))
    return 1 if checks.failed else 0


if __name__ == "__main__":
    sys.exit(main())
