"""Provisioning a pool CIDR again with boto3: deprovisioned and failed-provision records are
replaced, so get_ipam_pool_cidrs with a cidr filter answers one row (what Terraform's
aws_vpc_ipam_pool_cidr needs). Prints one JSON summary on stdout; boto3.test.ts asserts on it.

Usage: python3 boto3_reprovision.py <endpoint-url> <access-key-id> <secret-access-key>
"""
import json
import sys
import time

import boto3

POLL_INTERVAL_S = 0.2
POLL_LIMIT_S = 30
CIDR = "10.0.0.0/16"


def main():
    endpoint, access_key_id, secret_access_key = sys.argv[1:4]
    ec2 = boto3.client(
        "ec2",
        endpoint_url=endpoint,
        region_name="us-east-1",
        aws_access_key_id=access_key_id,
        aws_secret_access_key=secret_access_key,
    )

    def rows(pool_id):
        found = ec2.get_ipam_pool_cidrs(IpamPoolId=pool_id, Filters=[{"Name": "cidr", "Values": [CIDR]}])["IpamPoolCidrs"]
        return [{"State": row["State"], "IpamPoolCidrId": row["IpamPoolCidrId"]} for row in found]

    def settle(pool_id, record_id):
        deadline = time.monotonic() + POLL_LIMIT_S
        while True:
            record = next((row for row in rows(pool_id) if row["IpamPoolCidrId"] == record_id), None)
            if record and not record["State"].startswith("pending-"):
                return record["State"]
            if time.monotonic() > deadline:
                raise RuntimeError(f"{record_id} did not settle: {record!r}")
            time.sleep(POLL_INTERVAL_S)

    def provision(pool_id):
        record = ec2.provision_ipam_pool_cidr(IpamPoolId=pool_id, Cidr=CIDR)["IpamPoolCidr"]
        return {"id": record["IpamPoolCidrId"], "state": settle(pool_id, record["IpamPoolCidrId"])}

    def deprovision(pool_id):
        record = ec2.deprovision_ipam_pool_cidr(IpamPoolId=pool_id, Cidr=CIDR)["IpamPoolCidr"]
        return {"id": record["IpamPoolCidrId"], "state": settle(pool_id, record["IpamPoolCidrId"])}

    def new_pool(scope_id):
        pool_id = ec2.create_ipam_pool(IpamScopeId=scope_id, AddressFamily="ipv4")["IpamPool"]["IpamPoolId"]
        deadline = time.monotonic() + POLL_LIMIT_S
        while ec2.describe_ipam_pools(IpamPoolIds=[pool_id])["IpamPools"][0]["State"] != "create-complete":
            if time.monotonic() > deadline:
                raise RuntimeError(f"pool {pool_id} was not created")
            time.sleep(POLL_INTERVAL_S)
        return pool_id

    ipam = ec2.create_ipam(OperatingRegions=[{"RegionName": "us-east-1"}])["Ipam"]
    scope_id = ipam["PrivateDefaultScopeId"]
    summary = {}

    pool = new_pool(scope_id)
    first = provision(pool)
    gone = deprovision(pool)
    again = provision(pool)
    summary["reprovisioned"] = {"first": first, "deprovisioned": gone, "again": again, "rows": rows(pool)}

    # Another pool of the scope asks for the same CIDR while the first holds it: failed-provision, twice.
    other = new_pool(scope_id)
    failed = [provision(other), provision(other)]
    summary["failed"] = {"attempts": failed, "rows": rows(other)}

    deprovision(pool)
    after_release = provision(other)
    summary["afterRelease"] = {"provision": after_release, "rows": rows(other)}

    ec2.delete_ipam(IpamId=ipam["IpamId"], Cascade=True)
    print(json.dumps(summary))


if __name__ == "__main__":
    main()
