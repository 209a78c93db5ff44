"""A compact S1 getting-started run with boto3 against the self-hosted IPAM, plus paginators,
ClientError details and a private IPv6 (ULA) pool. Prints one JSON summary on stdout; the
vitest file boto3.test.ts asserts on it.

Usage: python3 boto3_getting_started.py <endpoint-url> <access-key-id> <secret-access-key>
"""
import json
import sys
import time

import boto3
from botocore.exceptions import ClientError

POLL_INTERVAL_S = 1
POLL_LIMIT_S = 60


def poll(read, done, what):
    deadline = time.monotonic() + POLL_LIMIT_S
    while True:
        value = read()
        if done(value):
            return value
        if time.monotonic() + POLL_INTERVAL_S > deadline:
            raise RuntimeError(f"gave up waiting for {what}; last value: {value!r}")
        time.sleep(POLL_INTERVAL_S)


def client_error(call):
    """Runs call, which must fail with ClientError; returns what a boto3 user can see of it."""
    try:
        call()
    except ClientError as e:
        return {
            "code": e.response["Error"]["Code"],
            "message": e.response["Error"]["Message"],
            "requestId": e.response["ResponseMetadata"].get("RequestId"),
            "httpStatus": e.response["ResponseMetadata"]["HTTPStatusCode"],
            "operation": e.operation_name,
            "str": str(e),
        }
    raise AssertionError("expected a ClientError")


def main():
    endpoint, access_key_id, secret_access_key = sys.argv[1:4]
    ec2 = boto3.client(
        "ec2",
        endpoint_url=endpoint,
        region_name="us-east-1",
        aws_access_key_id=access_key_id,
        aws_secret_access_key=secret_access_key,
    )
    summary = {}

    def pool_state(pool_id):
        return ec2.describe_ipam_pools(IpamPoolIds=[pool_id])["IpamPools"][0]["State"]

    def cidr_state(pool_id, cidr):
        cidrs = ec2.get_ipam_pool_cidrs(IpamPoolId=pool_id)["IpamPoolCidrs"]
        return next((c["State"] for c in cidrs if c.get("Cidr") == cidr), None)

    def wait_pool(pool_id):
        poll(lambda: pool_state(pool_id), lambda s: s == "create-complete", f"{pool_id} create-complete")

    def wait_cidr(pool_id, cidr, state):
        return poll(lambda: cidr_state(pool_id, cidr), lambda s: s == state, f"{cidr} in {pool_id} {state}")

    # --- the tutorial, compact ---------------------------------------------------------------
    created = ec2.create_ipam(
        Description="My IPAM",
        OperatingRegions=[{"RegionName": "us-east-1"}, {"RegionName": "us-west-2"}],
    )
    ipam = created["Ipam"]
    ipam_id = ipam["IpamId"]
    summary["createIpamRequestId"] = created["ResponseMetadata"].get("RequestId")
    ipam = poll(
        lambda: ec2.describe_ipams(IpamIds=[ipam_id])["Ipams"][0],
        lambda i: i["State"] == "create-complete",
        "IPAM create-complete",
    )
    summary["ipam"] = ipam
    scope_id = ipam["PrivateDefaultScopeId"]

    top = ec2.create_ipam_pool(IpamScopeId=scope_id, AddressFamily="ipv4", Description="Top-level pool")["IpamPool"]
    wait_pool(top["IpamPoolId"])
    top_cidr = ec2.provision_ipam_pool_cidr(IpamPoolId=top["IpamPoolId"], Cidr="10.0.0.0/8")["IpamPoolCidr"]
    wait_cidr(top["IpamPoolId"], "10.0.0.0/8", "provisioned")

    regional = ec2.create_ipam_pool(
        IpamScopeId=scope_id,
        SourceIpamPoolId=top["IpamPoolId"],
        Locale="us-east-1",
        AddressFamily="ipv4",
        Description="Regional pool in us-east-1",
    )["IpamPool"]
    wait_pool(regional["IpamPoolId"])
    ec2.provision_ipam_pool_cidr(IpamPoolId=regional["IpamPoolId"], Cidr="10.0.0.0/16")
    wait_cidr(regional["IpamPoolId"], "10.0.0.0/16", "provisioned")

    development = ec2.create_ipam_pool(
        IpamScopeId=scope_id,
        SourceIpamPoolId=regional["IpamPoolId"],
        Locale="us-east-1",
        AddressFamily="ipv4",
        Description="Development pool",
    )["IpamPool"]
    wait_pool(development["IpamPoolId"])
    ec2.provision_ipam_pool_cidr(IpamPoolId=development["IpamPoolId"], Cidr="10.0.0.0/24")
    wait_cidr(development["IpamPoolId"], "10.0.0.0/24", "provisioned")

    too_big = client_error(lambda: ec2.allocate_ipam_pool_cidr(IpamPoolId=development["IpamPoolId"], NetmaskLength=23))
    vpc_cidr = ec2.allocate_ipam_pool_cidr(IpamPoolId=development["IpamPoolId"], NetmaskLength=26)["IpamPoolAllocation"]
    summary["tutorial"] = {
        "top": top,
        "topCidr": top_cidr,
        "regional": regional,
        "development": development,
        "topAllocations": ec2.get_ipam_pool_allocations(IpamPoolId=top["IpamPoolId"])["IpamPoolAllocations"],
        "tooBig": too_big,
        "vpcCidr": vpc_cidr,
        "developmentAllocations": ec2.get_ipam_pool_allocations(IpamPoolId=development["IpamPoolId"])["IpamPoolAllocations"],
        "deleteRegionalTooEarly": client_error(lambda: ec2.delete_ipam_pool(IpamPoolId=regional["IpamPoolId"])),
    }

    # --- a private IPv6 pool with a ULA CIDR ------------------------------------------------
    v6 = ec2.create_ipam_pool(IpamScopeId=scope_id, AddressFamily="ipv6", Description="ULA pool")["IpamPool"]
    wait_pool(v6["IpamPoolId"])
    v6_cidr = ec2.provision_ipam_pool_cidr(IpamPoolId=v6["IpamPoolId"], Cidr="fd12:3456:7800::/48")["IpamPoolCidr"]
    v6_state = wait_cidr(v6["IpamPoolId"], "fd12:3456:7800::/48", "provisioned")
    first = ec2.allocate_ipam_pool_cidr(IpamPoolId=v6["IpamPoolId"], NetmaskLength=56)["IpamPoolAllocation"]
    second = ec2.allocate_ipam_pool_cidr(IpamPoolId=v6["IpamPoolId"], NetmaskLength=56)["IpamPoolAllocation"]
    summary["ipv6"] = {
        "pool": v6,
        "cidr": v6_cidr,
        "cidrState": v6_state,
        "allocations": [first["Cidr"], second["Cidr"]],
        "listed": sorted(a["Cidr"] for a in ec2.get_ipam_pool_allocations(IpamPoolId=v6["IpamPoolId"])["IpamPoolAllocations"]),
    }

    # --- the paginator over several pages -----------------------------------------------------
    for i in range(1, 4):
        ec2.create_ipam_pool(IpamScopeId=scope_id, AddressFamily="ipv4", Description=f"Extra pool {i}")
    pages = list(ec2.get_paginator("describe_ipam_pools").paginate(PaginationConfig={"PageSize": 5}))
    summary["paginator"] = {
        "pageSizes": [len(page["IpamPools"]) for page in pages],
        "hasNextToken": ["NextToken" in page for page in pages],
        "poolIds": [pool["IpamPoolId"] for page in pages for pool in page["IpamPools"]],
        "unpaged": sorted(pool["IpamPoolId"] for pool in ec2.describe_ipam_pools()["IpamPools"]),
    }

    # --- errors as a boto3 user sees them ---------------------------------------------------
    summary["errors"] = {
        "unknownPool": client_error(lambda: ec2.describe_ipam_pools(IpamPoolIds=["ipam-pool-0123456789abcdef0"])),
        "dryRun": client_error(lambda: ec2.create_ipam_pool(IpamScopeId=scope_id, AddressFamily="ipv4", DryRun=True)),
    }

    # --- cleanup: the tutorial's tree in reverse order, then the rest by cascade ------------
    ec2.release_ipam_pool_allocation(
        IpamPoolId=development["IpamPoolId"], IpamPoolAllocationId=vpc_cidr["IpamPoolAllocationId"], Cidr=vpc_cidr["Cidr"]
    )
    cleanup = []
    for pool, cidr in ((development, "10.0.0.0/24"), (regional, "10.0.0.0/16"), (top, "10.0.0.0/8")):
        ec2.deprovision_ipam_pool_cidr(IpamPoolId=pool["IpamPoolId"], Cidr=cidr)
        state = wait_cidr(pool["IpamPoolId"], cidr, "deprovisioned")
        deleted = ec2.delete_ipam_pool(IpamPoolId=pool["IpamPoolId"])["IpamPool"]
        # Deleting is asynchronous: the parent can only go once this pool is gone.
        poll(lambda: [p["IpamPoolId"] for p in ec2.describe_ipam_pools()["IpamPools"]], lambda ids: pool["IpamPoolId"] not in ids, "pool deleted")
        cleanup.append({"pool": pool["IpamPoolId"], "cidrState": state, "deleteState": deleted["State"]})
    deleted_ipam = ec2.delete_ipam(IpamId=ipam_id, Cascade=True)["Ipam"]
    summary["cleanup"] = {
        "pools": cleanup,
        "deletedIpamId": deleted_ipam["IpamId"],
        "ipamsAfter": poll(lambda: ec2.describe_ipams()["Ipams"], lambda ipams: len(ipams) == 0, "no IPAMs"),
        "poolsAfter": ec2.describe_ipam_pools()["IpamPools"],
    }

    print(json.dumps(summary, default=str))


if __name__ == "__main__":
    main()
