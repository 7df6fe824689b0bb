#!/usr/bin/env python3
"""Write how the official Huawei Cloud Python SDK resolves CCE region ids to endpoints
(huaweicloudsdkcce's CceRegion.value_of) to regions.json beside this file.

Every case runs CceRegion.value_of in a fresh Python process (the SDK caches the regions
file for the life of a process), with HOME set to a scratch folder and no HUAWEICLOUD_*
variable but the case's own. The case's environment variables and regions files are written
to regions.json with the endpoints the SDK chose, or its error. See README.md.

Usage: python3 make_regions.py [--check]
  --check  compare with the regions.json on disk instead of writing it; exit 1 if stale.
"""

import argparse
import json
import os
import subprocess
import sys
import tempfile

from importlib.metadata import version

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "regions.json")

# Runs in the child process: one value_of call, its outcome as JSON on stdout.
CHILD = r"""
import json, sys
from huaweicloudsdkcce.v3.region.cce_region import CceRegion
region = sys.argv[1]
if region == "--static":
    print(json.dumps({r: CceRegion.static_fields[r].endpoints for r in sorted(CceRegion.static_fields)}))
    sys.exit(0)
try:
    print(json.dumps({"endpoints": CceRegion.value_of(region).endpoints}))
except KeyError as e:
    print(json.dumps({"error": e.args[0]}))
"""

ENV = "HUAWEICLOUD_SDK_REGION_CCE_"
FILE_ENV = "HUAWEICLOUD_SDK_REGIONS_FILE"

# (name, region, environment, regions file named by HUAWEICLOUD_SDK_REGIONS_FILE,
#  ~/.huaweicloud/regions.yaml). Endpoints are example.com names: nothing is contacted.
CASES = [
    ("static region", "cn-north-4", {}, None, None),
    ("static region on another domain", "eu-west-101", {}, None, None),
    ("unknown region", "zz-nowhere-1", {}, None, None),
    ("environment, one endpoint", "cn-north-4",
     {ENV + "CN_NORTH_4": "https://env.example.com"}, None, None),
    ("environment, two endpoints in order", "cn-north-4",
     {ENV + "CN_NORTH_4": "https://first.example.com,https://second.example.com"}, None, None),
    ("environment names a region the SDK does not know", "xx-test-1",
     {ENV + "XX_TEST_1": "https://xx.example.com"}, None, None),
    ("environment set but empty", "cn-north-4", {ENV + "CN_NORTH_4": ""}, None, None),
    ("environment of another region", "cn-north-4",
     {ENV + "CN_NORTH_1": "https://other.example.com"}, None, None),
    ("regions file, endpoints then endpoint", "xx-file-1", {},
     "CCE:\n  - id: xx-file-1\n    endpoint: https://last.example.com\n"
     "    endpoints:\n      - https://f1.example.com\n      - https://f2.example.com\n", None),
    ("regions file, service key in lower case", "xx-file-1", {},
     "cce:\n  - id: xx-file-1\n    endpoint: https://lower.example.com\n", None),
    ("regions file wins over the static table", "cn-north-4", {},
     "CCE:\n  - id: cn-north-4\n    endpoint: https://file.example.com\n", None),
    ("regions file of another service only", "xx-file-1", {},
     "ECS:\n  - id: xx-file-1\n    endpoint: https://ecs.example.com\n", None),
    ("regions file entry without endpoints is skipped", "cn-north-4", {},
     "CCE:\n  - id: cn-north-4\n", None),
    ("regions file entry without id is skipped", "xx-file-1", {},
     "CCE:\n  - endpoint: https://noid.example.com\n", None),
    ("regions file in the home folder", "xx-home-1", {}, None,
     "CCE:\n  - id: xx-home-1\n    endpoint: https://home.example.com\n"),
    ("named regions file wins over the home folder's", "xx-home-1", {},
     "CCE:\n  - id: xx-home-1\n    endpoint: https://named.example.com\n",
     "CCE:\n  - id: xx-home-1\n    endpoint: https://home.example.com\n"),
    ("environment wins over a regions file", "cn-north-4",
     {ENV + "CN_NORTH_4": "https://env.example.com"},
     "CCE:\n  - id: cn-north-4\n    endpoint: https://file.example.com\n", None),
]


def run_child(arg, env_extra, regions_file, home_file):
    with tempfile.TemporaryDirectory() as home:
        env = {k: v for k, v in os.environ.items() if not k.startswith("HUAWEICLOUD_")}
        env["HOME"] = home
        env.update(env_extra)
        if regions_file is not None:
            path = os.path.join(home, "named-regions.yaml")
            with open(path, "w", encoding="utf-8") as f:
                f.write(regions_file)
            env[FILE_ENV] = path
        if home_file is not None:
            os.makedirs(os.path.join(home, ".huaweicloud"), exist_ok=True)
            with open(os.path.join(home, ".huaweicloud", "regions.yaml"), "w", encoding="utf-8") as f:
                f.write(home_file)
        out = subprocess.run([sys.executable, "-c", CHILD, arg], env=env, cwd=home,
                             capture_output=True, text=True, check=True)
        return json.loads(out.stdout)


def build():
    cases = []
    for name, region, env, regions_file, home_file in CASES:
        outcome = run_child(region, env, regions_file, home_file)
        case = {"name": name, "region": region, "env": env,
                "regions_file": regions_file, "home_regions_file": home_file}
        case.update(outcome)
        cases.append(case)
    return {
        "sdk": {p: version(p) for p in ("huaweicloudsdkcore", "huaweicloudsdkcce")},
        "static": run_child("--static", {}, None, None),
        "cases": cases,
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true",
                        help="compare with regions.json instead of writing it")
    args = parser.parse_args()

    text = json.dumps(build(), indent=2, ensure_ascii=False) + "\n"
    if args.check:
        with open(OUT, encoding="utf-8") as f:
            if f.read() != text:
                print("regions.json is stale: run python3 make_regions.py", file=sys.stderr)
                return 1
        print("regions.json is up to date")
        return 0
    with open(OUT, "w", encoding="utf-8") as f:
        f.write(text)
    print("wrote %s with huaweicloudsdkcore %s, huaweicloudsdkcce %s"
          % (OUT, version("huaweicloudsdkcore"), version("huaweicloudsdkcce")))
    return 0


if __name__ == "__main__":
    sys.exit(main())
