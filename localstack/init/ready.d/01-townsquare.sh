#!/bin/bash
# LocalStack ready hook: the AWS side Townsquare uses — the media bucket.
# Mount this folder at /etc/localstack/init, then point blobs at it:
#   TOWNSQUARE_BLOBS_URL='s3://townsquare-media?endpoint=localstack'
set -euo pipefail
awslocal s3api head-bucket --bucket townsquare-media 2>/dev/null \
  || awslocal s3 mb s3://townsquare-media
