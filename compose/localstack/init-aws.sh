#!/bin/bash
# LocalStack ready hook (/etc/localstack/init/ready.d/): creates what compose/triggerhub.yaml uses.
# Runs once LocalStack serves requests; `awslocal` is the AWS CLI pointed at it. Idempotent: create
# calls for existing resources succeed or are skipped, so a restarted container is fine.
set -euo pipefail
export AWS_DEFAULT_REGION=us-east-1
ACCOUNT=000000000000
Q=http://localhost:4566/$ACCOUNT
tmp=$(mktemp -d)

# SQS: orders + its dead-letter queue (redrive after 3 receives).
awslocal sqs create-queue --queue-name orders-dlq >/dev/null
cat >"$tmp/orders.json" <<JSON
{
  "VisibilityTimeout": "30",
  "RedrivePolicy": "{\"deadLetterTargetArn\":\"arn:aws:sqs:us-east-1:$ACCOUNT:orders-dlq\",\"maxReceiveCount\":\"3\"}"
}
JSON
awslocal sqs create-queue --queue-name orders --attributes "file://$tmp/orders.json" >/dev/null

# SNS: the fanout topic. The hub subscribes its own routes (`subscribe:` in its config).
awslocal sns create-topic --name orders-events >/dev/null

# Kinesis: the clickstream stream (2 shards, so scaled hubs split them).
if ! awslocal kinesis describe-stream-summary --stream-name clickstream >/dev/null 2>&1; then
  awslocal kinesis create-stream --stream-name clickstream --shard-count 2
fi
awslocal kinesis wait stream-exists --stream-name clickstream

# S3 → SQS: bucket `uploads` notifies queue `uploads-events` on every created object.
awslocal sqs create-queue --queue-name uploads-events >/dev/null
awslocal s3api head-bucket --bucket uploads 2>/dev/null || awslocal s3api create-bucket --bucket uploads >/dev/null
cat >"$tmp/notification.json" <<JSON
{ "QueueConfigurations": [ { "Id": "to-triggerhub",
    "QueueArn": "arn:aws:sqs:us-east-1:$ACCOUNT:uploads-events",
    "Events": ["s3:ObjectCreated:*"] } ] }
JSON
awslocal s3api put-bucket-notification-configuration --bucket uploads \
  --notification-configuration "file://$tmp/notification.json"

# EC2: two instances tagged for the office-hours schedule, one not.
if [ "$(awslocal ec2 describe-instances --filters Name=tag:AutoSchedule,Values=office-hours \
      --query 'length(Reservations[].Instances[])' --output text)" = "0" ]; then
  awslocal ec2 run-instances --image-id ami-df5de72bdb3b --instance-type t2.micro --count 2 \
    --tag-specifications 'ResourceType=instance,Tags=[{Key=AutoSchedule,Value=office-hours},{Key=Name,Value=web}]' >/dev/null
  awslocal ec2 run-instances --image-id ami-df5de72bdb3b --instance-type t2.micro --count 1 \
    --tag-specifications 'ResourceType=instance,Tags=[{Key=Name,Value=database}]' >/dev/null
fi

rm -rf "$tmp"
echo "triggerhub: LocalStack resources ready (queues orders, orders-dlq, uploads-events; topic orders-events; stream clickstream; bucket uploads; EC2 instances)"
