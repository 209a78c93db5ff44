"""boto3's Organizations client against the local service (test/e2e/organizations.test.ts).

    python3 boto3_organizations.py <endpoint> <management key id> <secret> <member key id> <secret>

Builds an OU with boto3's own serializer, pages through ListAccounts with its paginator, reads
ClientError details, and prints a JSON summary for the test to check.
"""
import json
import sys

import boto3
from botocore.config import Config
from botocore.exceptions import ClientError

endpoint, admin_key, admin_secret, member_key, member_secret = sys.argv[1:6]


def client(key, secret):
    return boto3.client(
        "organizations",
        endpoint_url=endpoint,
        region_name="us-east-1",
        aws_access_key_id=key,
        aws_secret_access_key=secret,
        config=Config(retries={"max_attempts": 1}),
    )


org = client(admin_key, admin_secret)
member = client(member_key, member_secret)
summary = {}

organization = org.describe_organization()["Organization"]
summary["organization"] = {k: organization[k] for k in ("Id", "MasterAccountId", "FeatureSet")}
root = org.list_roots()["Roots"][0]["Id"]
ou = org.create_organizational_unit(ParentId=root, Name="Boto3")["OrganizationalUnit"]
summary["ou"] = {"Id": ou["Id"], "Name": ou["Name"], "Path": ou["Path"]}

pages = list(org.get_paginator("list_accounts").paginate(PaginationConfig={"PageSize": 1}))
summary["account_pages"] = len(pages)
summary["accounts"] = sorted(a["Id"] for page in pages for a in page["Accounts"])
# botocore turns JSON 1.1 epoch seconds into datetimes.
summary["joined_is_datetime"] = type(pages[0]["Accounts"][0]["JoinedTimestamp"]).__name__ == "datetime"

try:
    member.create_organizational_unit(ParentId=root, Name="Refused")
    summary["member_create"] = "accepted"
except ClientError as error:
    summary["member_create"] = {
        "code": error.response["Error"]["Code"],
        "status": error.response["ResponseMetadata"]["HTTPStatusCode"],
        "request_id": bool(error.response["ResponseMetadata"].get("RequestId")),
    }

try:
    org.describe_organizational_unit(OrganizationalUnitId="ou-zzzz-zzzzzzzz")
except ClientError as error:
    summary["missing_ou"] = error.response["Error"]["Code"]

org.delete_organizational_unit(OrganizationalUnitId=ou["Id"])
listed = org.list_organizational_units_for_parent(ParentId=root)["OrganizationalUnits"]
summary["deleted_ou_listed"] = any(unit["Id"] == ou["Id"] for unit in listed)

try:
    client(admin_key, "wrong-secret").list_roots()
except ClientError as error:
    summary["bad_signature"] = error.response["Error"]["Code"]

print(json.dumps(summary))
