#!/bin/sh
# The minio-init job (minio/mc image): creates the buckets and points their notifications at the
# hub's S3 webhook (notify_webhook target `hub` → http://hub:9000/s3/photos, Bearer token).
# Runs once the hub is healthy (MinIO checks a webhook target when it is configured). Idempotent.
set -eu
mc alias set local "http://minio:9000" "$MINIO_ROOT_USER" "$MINIO_ROOT_PASSWORD"
mc mb --ignore-existing local/photos

mc admin config set local notify_webhook:hub \
  endpoint="${HUB_WEBHOOK_URL:-http://hub:9000/s3/photos}" \
  auth_token="$MINIO_WEBHOOK_TOKEN"
# Notification targets take effect after a restart.
mc admin service restart local --json >/dev/null || true
i=0
until mc ready local >/dev/null 2>&1; do
  i=$((i + 1)); [ "$i" -lt 60 ] || { echo "minio did not come back" >&2; exit 1; }
  sleep 1
done

mc event add local/photos arn:minio:sqs::hub:webhook --event put,delete --ignore-existing
mc event ls local/photos
echo "triggerhub: MinIO bucket photos notifies the hub"
