"""A principal's side of a shared pool with boto3's RAM client: the shares and resources shared
with it, a managed permission, RAM's error shape (ClientError code and HTTP status), and an
allocation from the shared pool with the EC2 client. Prints one JSON summary on stdout;
sharing-clients.test.ts asserts on it.

Usage: python3 boto3_sharing.py <endpoint-url> <access-key-id> <secret-access-key> <pool-id>
"""
import json
import sys

import boto3
from botocore.exceptions import ClientError


def error_of(call):
    try:
        call()
    except ClientError as error:
        return {"code": error.response["Error"]["Code"], "httpStatus": error.response["ResponseMetadata"]["HTTPStatusCode"]}
    return None


def main():
    endpoint, access_key_id, secret_access_key, pool_id = sys.argv[1:5]
    session = dict(
        endpoint_url=endpoint,
        region_name="us-east-1",
        aws_access_key_id=access_key_id,
        aws_secret_access_key=secret_access_key,
    )
    ram = boto3.client("ram", **session)
    ec2 = boto3.client("ec2", **session)
    shares = ram.get_resource_shares(resourceOwner="OTHER-ACCOUNTS")["resourceShares"]
    resources = ram.list_resources(resourceOwner="OTHER-ACCOUNTS", resourceType="ec2:IpamPool")["resources"]
    paginated = [
        share["resourceShareArn"]
        for page in ram.get_paginator("get_resource_shares").paginate(resourceOwner="OTHER-ACCOUNTS")
        for share in page["resourceShares"]
    ]
    permission = ram.get_permission(permissionArn="arn:aws:ram::aws:permission/AWSRAMDefaultPermissionsIpamPool")["permission"]
    allocation = ec2.allocate_ipam_pool_cidr(IpamPoolId=pool_id, NetmaskLength=28)["IpamPoolAllocation"]
    print(
        json.dumps(
            {
                "shares": [
                    {"arn": s["resourceShareArn"], "status": s["status"], "owner": s["owningAccountId"], "created": str(type(s["creationTime"]).__name__)}
                    for s in shares
                ],
                "paginated": paginated,
                "resources": [{"arn": r["arn"], "type": r["type"]} for r in resources],
                "permission": {"name": permission["name"], "resourceType": permission["resourceType"]},
                "unknownPermission": error_of(lambda: ram.get_permission(permissionArn="arn:aws:ram::aws:permission/NoSuchPermission")),
                "malformedShare": error_of(lambda: ram.get_resource_shares(resourceOwner="SELF", resourceShareArns=["not-an-arn"])),
                "foreignDelete": error_of(
                    lambda: ram.delete_resource_share(resourceShareArn=shares[0]["resourceShareArn"]) if shares else None
                ),
                "allocation": {"cidr": allocation["Cidr"], "owner": allocation["ResourceOwner"]},
            }
        )
    )


if __name__ == "__main__":
    main()
