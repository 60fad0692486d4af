// Logs each S3 / MinIO record it gets (an S3Event, as Lambda receives it). Used by the compose mesh
// for the `uploads` (LocalStack S3 → SQS) and `photos` (MinIO webhook) buckets. No imports: it is
// loaded from the /config mount, outside the image's node_modules.
export const handler = async (event) => {
  const objects = event.Records.map((r) => ({ event: r.eventName, bucket: r.s3.bucket.name, key: r.s3.object.key, size: r.s3.object.size }));
  console.log(JSON.stringify({ objects }));
  return { objects: objects.length };
};
