"""Local AWS set-up for the demo and tests, against a moto server (AWS_ENDPOINT_URL).

Usage:
  local_aws.py create-bucket BUCKET
  local_aws.py put-secret SECRET_ID VALUE        (VALUE read from the environment variable named VALUE)
  local_aws.py get-object BUCKET KEY FILE
"""
import os
import sys

import boto3


def client(service):
    return boto3.client(
        service,
        endpoint_url=os.environ["AWS_ENDPOINT_URL"],
        region_name=os.environ.get("AWS_REGION", "us-east-1"),
    )


def main(argv):
    if len(argv) < 2:
        sys.exit(__doc__)
    command, args = argv[1], argv[2:]
    if command == "create-bucket" and len(args) == 1:
        client("s3").create_bucket(Bucket=args[0])
    elif command == "put-secret" and len(args) == 2:
        # The value comes from an environment variable so it never shows in a process list.
        client("secretsmanager").create_secret(Name=args[0], SecretString=os.environ[args[1]])
    elif command == "get-object" and len(args) == 3:
        body = client("s3").get_object(Bucket=args[0], Key=args[1])["Body"].read()
        with open(args[2], "wb") as out:
            out.write(body)
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main(sys.argv)
