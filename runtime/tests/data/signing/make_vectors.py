#!/usr/bin/env python3
"""Write known-answer vectors for SDK-HMAC-SHA256 signing, produced by the official
Huawei Cloud Python SDK (huaweicloudsdkcore's Signer), to vectors.json beside this file.

Every expected value comes from the SDK: the intermediate steps are the Signer's own
internal functions called in the order Signer.sign() calls them, and the final
Authorization is checked against a real Signer.sign() run. Three vectors go further and
drive the whole official CCE client (CceClient.create_kubernetes_cluster_cert), capturing
the request at the moment it reaches the signer, so their headers are exactly the ones the
SDK adds. See README.md for how to re-run it.

Usage: python3 make_vectors.py [--check]
  --check  compare with the vectors.json on disk instead of writing it; exit 1 if stale.
"""

import argparse
import copy
import datetime
import json
import os
import sys

from importlib.metadata import version

import huaweicloudsdkcore.signer.signer as signer_module
from huaweicloudsdkcore.auth.credentials import BasicCredentials
from huaweicloudsdkcore.http.http_client import HttpClient
from huaweicloudsdkcore.http.http_config import HttpConfig
from huaweicloudsdkcore.sdk_request import SdkRequest
from huaweicloudsdkcore.signer.signer import Signer
from huaweicloudsdkcore.utils import six_utils

from huaweicloudsdkcce.v3 import CceClient, ClusterCertDuration, CreateKubernetesClusterCertRequest

# Fixed inputs. None of these is a real credential.
SIGNING_TIME = datetime.datetime(2026, 11, 28, 12, 0, 0)
SDK_DATE = SIGNING_TIME.strftime("%Y%m%dT%H%M%SZ")
AK = "EXAMPLEAK00000000001"
SK = "example-sk-0000000000000000000000000000"
TEMP_AK = "EXAMPLETEMPAK0000001"
TEMP_SK = "example-temporary-sk-00000000000000000000"
SECURITY_TOKEN = "example-security-token-gQpjbi1ub3J0aC00iq5NOTASECRET"
PROJECT_ID = "0123456789abcdef0123456789abcdef"
CLUSTER_ID = "4c1c5c1e-93b8-11ee-8a4a-0255ac100b07"
REGION_ENDPOINT = "https://cce.cn-north-4.myhuaweicloud.com"
USER_AGENT_SUFFIX = "clustercert-vectors"

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "vectors.json")


class _FixedClock(datetime.datetime):
    """Stands in for datetime inside the signer module so the SDK's own clock is fixed."""

    @classmethod
    def utcnow(cls):
        return cls(SIGNING_TIME.year, SIGNING_TIME.month, SIGNING_TIME.day,
                   SIGNING_TIME.hour, SIGNING_TIME.minute, SIGNING_TIME.second)


class _Captured(Exception):
    """Raised instead of sending, once the signed request has been captured."""


def _body_text(body):
    if body is None:
        return ""
    if isinstance(body, bytes):
        return body.decode("utf-8")
    return body


def sign_step_by_step(ak, sk, request):
    """Run the steps of Signer.sign() one by one on a copy of `request` and return the
    intermediate values, then check that Signer.sign() itself gives the same header."""
    creds = BasicCredentials(ak, sk)
    signer = Signer(creds)

    work = copy.deepcopy(request)
    if isinstance(work.body, str):
        work.body = six_utils.ensure_binary(work.body)
    signer._process_content_header(work)
    signing_time = signer._process_header_time(work)
    signer._process_header_host(work)
    signed_headers = signer._process_signed_headers(work)
    canonical_request = signer._process_canonical_request(work, signed_headers)
    string_to_sign = signer._process_string_to_sign(canonical_request, signing_time)
    signature = signer._sign_string_to_sign(string_to_sign, signer._sk)
    authorization = signer._process_auth_header_value(signature, signer._ak, signed_headers)

    full = copy.deepcopy(request)
    Signer(creds).sign(full)
    if full.header_params["Authorization"] != authorization:
        raise SystemExit("step-by-step Authorization differs from Signer.sign(): %r != %r"
                         % (authorization, full.header_params["Authorization"]))
    return {
        "url": full.url,
        "expected": {
            "canonical_request": canonical_request,
            "string_to_sign": string_to_sign,
            "signed_headers": ";".join(signed_headers),
            "authorization": authorization,
        },
    }


def vector(name, ak, sk, request):
    """A vector for `request` exactly as it is handed to the signer."""
    given = copy.deepcopy(request)
    result = sign_step_by_step(ak, sk, request)
    return {
        "name": name,
        "ak": ak,
        "sk": sk,
        "method": given.method,
        "url": result["url"],
        "headers": dict(given.header_params),
        "body": _body_text(given.body),
        "expected": result["expected"],
    }


def request_via_cce_client(credentials, endpoint, cluster_id, duration):
    """Drive the official CceClient for CreateKubernetesClusterCert and return the request
    as it reached Signer.sign() and as it would have been sent (nothing is sent)."""
    seen = {}
    original_sign = Signer.sign
    original_send = HttpClient.do_request_sync
    original_clock = signer_module.datetime

    def recording_sign(self, request):
        seen["to_signer"] = copy.deepcopy(request)
        return original_sign(self, request)

    def capturing_send(self, request):
        seen["sent"] = copy.deepcopy(request)
        raise _Captured()

    Signer.sign = recording_sign
    HttpClient.do_request_sync = capturing_send
    signer_module.datetime = _FixedClock
    try:
        config = HttpConfig.get_default_config()
        config.user_agent = USER_AGENT_SUFFIX
        client = CceClient.new_builder() \
            .with_http_config(config) \
            .with_credentials(credentials) \
            .with_endpoint(endpoint) \
            .build()
        request = CreateKubernetesClusterCertRequest(
            cluster_id=cluster_id, body=ClusterCertDuration(duration=duration))
        try:
            client.create_kubernetes_cluster_cert(request)
        except _Captured:
            pass
    finally:
        Signer.sign = original_sign
        HttpClient.do_request_sync = original_send
        signer_module.datetime = original_clock
    if "to_signer" not in seen or "sent" not in seen:
        raise SystemExit("the CCE client did not reach the signer and the transport")
    return seen["to_signer"], seen["sent"]


def client_vector(name, credentials, endpoint, duration):
    to_signer, sent = request_via_cce_client(credentials, endpoint, CLUSTER_ID, duration)
    # The SDK's signer adds X-Sdk-Date itself from its (fixed) clock, in exactly this place;
    # writing it into the inputs makes the vector self-contained.
    if "X-Sdk-Date" in to_signer.header_params:
        raise SystemExit("%s: the client already set X-Sdk-Date before signing" % name)
    to_signer.header_params["X-Sdk-Date"] = SDK_DATE
    v = vector(name, credentials.ak, credentials.sk, to_signer)
    # The vector must describe the request the SDK really sends.
    if sent.header_params.get("Authorization") != v["expected"]["authorization"]:
        raise SystemExit("%s: the client sent %r, the vector expects %r"
                         % (name, sent.header_params.get("Authorization"),
                            v["expected"]["authorization"]))
    if sent.url != v["url"]:
        raise SystemExit("%s: the client sent to %r, the vector says %r" % (name, sent.url, v["url"]))
    return v


def plain_request(method, endpoint, path, query=None, headers=None, body=None):
    scheme, host = endpoint.split("://", 1)
    return SdkRequest(method=method, schema=scheme, host=host, resource_path=path,
                      query_params=list(query or []), header_params=dict(headers or {}), body=body)


def build_vectors():
    clusters_path = "/api/v3/projects/%s/clusters" % PROJECT_ID
    json_headers = {
        "Content-Type": "application/json",
        "X-Project-Id": PROJECT_ID,
        "X-Sdk-Date": SDK_DATE,
    }
    vectors = [
        client_vector("create_cert_post_json", BasicCredentials(AK, SK, PROJECT_ID),
                      REGION_ENDPOINT, 30),
        client_vector("create_cert_temporary_credentials_security_token",
                      BasicCredentials(TEMP_AK, TEMP_SK, PROJECT_ID).with_security_token(SECURITY_TOKEN),
                      REGION_ENDPOINT, -1),
        client_vector("create_cert_host_with_port", BasicCredentials(AK, SK, PROJECT_ID),
                      "http://127.0.0.1:41234", 1825),
        vector("get_query_needs_encoding_and_boolean", AK, SK, plain_request(
            "GET", REGION_ENDPOINT, clusters_path,
            query=[
                ("name", "a b/c+d=e&f"),
                ("detail", True),
                ("label", "zone=cn-north-4a ü 中文"),
                ("tag", "beta"),
                ("tag", "alpha"),
                ("filter[status]", "Available"),
                ("empty", ""),
                ("tilde~ok", "x~y-z_w.v"),
            ],
            headers=json_headers)),
        vector("get_query_sorted_by_raw_not_encoded_key", AK, SK, plain_request(
            "GET", REGION_ENDPOINT, clusters_path,
            query=[("a/b", "1"), ("a.b", "2"), ("éx", "3"), ("~x", "4"), ("B", "5"), ("a", "6")],
            headers=json_headers)),
        vector("get_path_ends_in_slash", AK, SK, plain_request(
            "GET", REGION_ENDPOINT, clusters_path + "/",
            headers=json_headers)),
        vector("path_segments_percent_decoded_then_encoded", AK, SK, plain_request(
            "GET", REGION_ENDPOINT, clusters_path + "/my%20cluster~1/x%2Fy/%E4%B8%AD",
            headers=json_headers)),
        vector("post_empty_body_header_trim_underscore_utf8", AK, SK, plain_request(
            "POST", REGION_ENDPOINT, clusters_path + "/%s/clustercert" % CLUSTER_ID,
            headers={
                "content-type": "application/json;charset=UTF-8",
                "x-sdk-date": SDK_DATE,
                "X-Project-Id": "  " + PROJECT_ID + "\t",
                "X-Custom-Spaces": "a  b   c",
                "X_Not_Signed": "underscore names are left out",
                "X-Utf8-Value": "café 中",
            },
            body="")),
        vector("post_non_json_content_type_unsigned_payload", AK, SK, plain_request(
            "POST", REGION_ENDPOINT, "/v1/%s/objects/upload" % PROJECT_ID,
            headers={
                "Content-Type": "application/octet-stream",
                "X-Project-Id": PROJECT_ID,
                "X-Sdk-Date": SDK_DATE,
            },
            body="raw bytes, not hashed")),
        vector("post_explicit_host_header_kept", AK, SK, plain_request(
            "POST", "https://127.0.0.1:8443", clusters_path + "/%s/clustercert" % CLUSTER_ID,
            headers={
                "Content-Type": "application/json",
                "Host": "cce.cn-north-4.myhuaweicloud.com",
                "X-Project-Id": PROJECT_ID,
                "X-Sdk-Date": SDK_DATE,
            },
            body='{"duration": 1}')),
    ]
    return vectors


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true",
                        help="compare with vectors.json instead of writing it")
    args = parser.parse_args()

    text = json.dumps(build_vectors(), indent=2, ensure_ascii=False) + "\n"
    if args.check:
        with open(OUT, encoding="utf-8") as f:
            if f.read() != text:
                print("vectors.json is stale: run python3 make_vectors.py", file=sys.stderr)
                return 1
        print("vectors.json is up to date")
        return 0
    with open(OUT, "w", encoding="utf-8") as f:
        f.write(text)
    print("wrote %s with huaweicloudsdkcore %s, huaweicloudsdkcce %s"
          % (OUT, version("huaweicloudsdkcore"), version("huaweicloudsdkcce")))
    return 0


if __name__ == "__main__":
    sys.exit(main())
