#!/bin/sh
# The minio-init job (minio/mc image): creates the buckets and points their notifications at the
# hub's S3 webhooks (Bearer token): notify_webhook target `hub` → http://hub:9000/s3/photos (bucket
# photos), target `thumbnail` → http://hub:9000/s3/thumbnail (bucket images, keys under uploads/;
# the function writes to bucket thumbnails, which notifies nobody).
# Runs once the hub is healthy (MinIO checks a webhook target when it is configured). Idempotent.
set -eu
mc alias set local "http://minio:9000" "$MINIO_ROOT_USER" "$MINIO_ROOT_PASSWORD"
mc mb --ignore-existing local/photos
mc mb --ignore-existing local/images
mc mb --ignore-existing local/thumbnails

mc admin config set local notify_webhook:hub \
  endpoint="${HUB_WEBHOOK_URL:-http://hub:9000/s3/photos}" \
  auth_token="$MINIO_WEBHOOK_TOKEN"
mc admin config set local notify_webhook:thumbnail \
  endpoint="${THUMBNAIL_WEBHOOK_URL:-http://hub:9000/s3/thumbnail}" \
  auth_token="$MINIO_WEBHOOK_TOKEN"
# Notification targets take effect after a restart.
mc admin service restart local --json >/dev/null || true
i=0
until mc ready local >/dev/null 2>&1; do
  i=$((i + 1)); [ "$i" -lt 60 ] || { echo "minio did not come back" >&2; exit 1; }
  sleep 1
done

mc event add local/photos arn:minio:sqs::hub:webhook --event put,delete --ignore-existing
mc event add local/images arn:minio:sqs::thumbnail:webhook --event put --prefix uploads/ --ignore-existing
mc event ls local/photos
mc event ls local/images
echo "triggerhub: MinIO buckets photos and images notify the hub"
