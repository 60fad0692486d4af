// The classic S3 example: an image uploaded to one bucket gets a resized copy, under the same key,
// in another bucket. A plain Lambda handler (nodejs20.x) with @aws-sdk/client-s3 and sharp.
// S3_ENDPOINT (+ S3_ACCESS_KEY_ID / S3_SECRET_ACCESS_KEY) point it at MinIO or a test S3; without
// them the SDK's standard configuration applies, as on AWS Lambda.
import { GetObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import sharp from 'sharp';

/** Thrown for objects that are not decodable images: retrying cannot help (`nonRetryableErrors`). */
export class InvalidImageError extends Error {
  name = 'InvalidImageError';
}

/** The formats it resizes, by file extension: sharp's output format and the thumbnail's content type. */
const FORMATS = new Map([
  ['jpg', { format: 'jpeg', contentType: 'image/jpeg' }],
  ['jpeg', { format: 'jpeg', contentType: 'image/jpeg' }],
  ['png', { format: 'png', contentType: 'image/png' }],
  ['webp', { format: 'webp', contentType: 'image/webp' }],
  ['gif', { format: 'gif', contentType: 'image/gif' }],
]);

const destBucket = process.env.DEST_BUCKET;
const width = Number(process.env.THUMBNAIL_WIDTH ?? 200);
const { S3_ENDPOINT: endpoint, S3_ACCESS_KEY_ID: accessKeyId, S3_SECRET_ACCESS_KEY: secretAccessKey } = process.env;
const s3 = new S3Client({
  ...(endpoint ? { endpoint, forcePathStyle: true } : {}),
  ...(accessKeyId && secretAccessKey ? { credentials: { accessKeyId, secretAccessKey } } : {}),
});

export const handler = async (event) => {
  if (!destBucket) throw new Error('DEST_BUCKET is not set');
  const results = [];
  for (const record of event.Records) results.push(await thumbnail(record));
  return { results };
};

async function thumbnail(record) {
  const bucket = record.s3.bucket.name;
  // Keys in S3 events are form-URL-encoded: '+' is a space, other bytes %XX.
  const key = decodeURIComponent(record.s3.object.key.replace(/\+/g, ' '));
  const type = FORMATS.get(key.split('.').pop().toLowerCase());
  const skip = (reason) => {
    console.log(JSON.stringify({ skipped: `${bucket}/${key}`, reason }));
    return { skipped: key, reason };
  };
  if (bucket === destBucket) return skip('already in the destination bucket'); // writing there again would loop
  if (!type) return skip('not an image (.jpg, .jpeg, .png, .webp, .gif)');

  const object = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
  const input = await object.Body.transformToByteArray();
  let output;
  try {
    output = await sharp(input)
      .rotate() // EXIF orientation
      .resize({ width, withoutEnlargement: true })
      .toFormat(type.format)
      .toBuffer({ resolveWithObject: true });
  } catch (err) {
    throw new InvalidImageError(`${bucket}/${key} is not a readable image: ${err.message}`, { cause: err });
  }
  await s3.send(new PutObjectCommand({ Bucket: destBucket, Key: key, Body: output.data, ContentType: type.contentType }));
  const made = { source: `${bucket}/${key}`, thumbnail: `${destBucket}/${key}`, width: output.info.width, height: output.info.height, bytes: output.info.size };
  console.log(JSON.stringify({ thumbnail: made }));
  return made;
}
