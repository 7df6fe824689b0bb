#!/usr/bin/env python3
"""Python's side of scripts/vs-python.sh: the same work as ours, timed in the same run.

    vs_python.py call --endpoint URL
        One CreateKubernetesClusterCert through the official SDK (AK/SK, the mock's internal
        cluster, 30 days), the kubeconfig printed as JSON: what `cce-kubeconfig --dry-run`
        does, as a process of its own.
    vs_python.py processes --rounds N -- OURS... -- THEIRS...
        Runs the two commands N times each, alternating, and prints the median wall time of
        each and their ratio.
    vs_python.py validate --schema FILE --body FILE --ours PER_SECOND [--rounds N]
        Validates the parsed body against the schema (JSON Schema draft 4) with `jsonschema`
        and `jsonschema_rs`, collecting every error as ours does, and prints validations per
        second of each and how many times faster ours is.

The SK and the client key are never printed (the kubeconfig goes to stdout only in `call`,
which scripts/vs-python.sh sends to /dev/null).
"""

import argparse
import json
import statistics
import subprocess
import sys
import time

# The mock's built-in configuration (clustercert_conformance::mock constants).
PROJECT_ID = "mock-project"
AK = "MOCKAKEXAMPLE0000001"
SK = "mock-sk-example-not-a-secret"
CLUSTER_ID = "cluster-internal"


def call(args):
    from huaweicloudsdkcore.auth.credentials import BasicCredentials
    from huaweicloudsdkcce.v3 import (CceClient, ClusterCertDuration,
                                      CreateKubernetesClusterCertRequest)

    client = CceClient.new_builder() \
        .with_credentials(BasicCredentials(AK, SK, PROJECT_ID)) \
        .with_endpoint(args.endpoint) \
        .build()
    request = CreateKubernetesClusterCertRequest(
        cluster_id=CLUSTER_ID, body=ClusterCertDuration(duration=30))
    response = client.create_kubernetes_cluster_cert(request)
    json.dump(response.to_json_object(), sys.stdout)
    return 0


def processes(args):
    rest = args.commands
    if rest.count("--") != 2 or rest[0] != "--":
        sys.exit("processes: give -- OURS... -- THEIRS...")
    second = rest.index("--", 1)
    ours, theirs = rest[1:second], rest[second + 1:]
    times = {"ours": [], "theirs": []}
    for _ in range(args.rounds):
        for name, command in (("ours", ours), ("theirs", theirs)):
            start = time.perf_counter()
            done = subprocess.run(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
            elapsed = time.perf_counter() - start
            if done.returncode != 0:
                sys.exit("%s failed (%d): %s" % (name, done.returncode,
                                                 done.stderr.decode(errors="replace")[-500:]))
            times[name].append(elapsed)
    ours_s, theirs_s = (statistics.median(times[k]) for k in ("ours", "theirs"))
    print("whole process, median of %d: ours %.4f s, official Python SDK %.4f s: %.0fx"
          % (args.rounds, ours_s, theirs_s, theirs_s / ours_s))
    return 0


def per_second(rounds, function):
    start = time.perf_counter()
    for _ in range(rounds):
        function()
    return rounds / (time.perf_counter() - start)


def validate(args):
    import jsonschema
    import jsonschema_rs

    with open(args.schema) as f:
        schema = json.load(f)
    with open(args.body) as f:
        instance = json.load(f)
    python = jsonschema.Draft4Validator(schema)
    rust = jsonschema_rs.Draft4Validator(schema)
    for validator in (python, rust):
        errors = list(validator.iter_errors(instance))
        if errors:
            sys.exit("the body is not valid against the schema: %s" % errors[0])
    results = []
    for name, validator in (("jsonschema (Python)", python), ("jsonschema_rs (Python)", rust)):
        per_second(max(args.rounds // 10, 1), lambda: list(validator.iter_errors(instance)))
        rate = per_second(args.rounds, lambda: list(validator.iter_errors(instance)))
        results.append((name, rate))
    print("validation of the documented response, every error collected:")
    print("  ours (Rust jsonschema)    %12.0f /s" % args.ours)
    for name, rate in results:
        print("  %-25s %12.0f /s: ours is %.1fx faster" % (name, rate, args.ours / rate))
    return 0


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="what", required=True)
    p = sub.add_parser("call")
    p.add_argument("--endpoint", required=True)
    p = sub.add_parser("processes")
    p.add_argument("--rounds", type=int, default=20)
    p.add_argument("commands", nargs=argparse.REMAINDER)
    p = sub.add_parser("validate")
    p.add_argument("--schema", required=True)
    p.add_argument("--body", required=True)
    p.add_argument("--ours", type=float, required=True)
    p.add_argument("--rounds", type=int, default=2000)
    args = parser.parse_args()
    return {"call": call, "processes": processes, "validate": validate}[args.what](args)


if __name__ == "__main__":
    sys.exit(main())
