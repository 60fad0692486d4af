import { createHash, randomUUID } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, rename, rm } from 'node:fs/promises';
import path from 'node:path';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { syncPath } from './durable-file.js';

/**
 * s3rver's file store streams a PUT's body straight into the object's file and answers (and emits
 * its object event) once the body was read, not once the file was written: a GET in between reads
 * the object short. S3's PUT is atomic, so the local cloud's store writes the body to a file beside
 * it, flushes it, writes the metadata, then renames it into place: a reader sees the whole new
 * object or (until the rename) the old one / NoSuchKey. The body, the metadata s3rver writes beside
 * it and the directory are synced before the PUT is answered, so an answered object survives a
 * power loss whole. Multipart completion goes through here too.
 */
interface StoredObject { bucket: string; key: string; content: Buffer | Readable; metadata: Record<string, string> }
export interface S3rverFileStore {
  getResourcePath(bucket: string, key: string, resource: string): string;
  putMetadata(bucket: string, key: string, metadata: Record<string, string>, md5: string): Promise<void>;
  putObject(object: StoredObject): Promise<{ size: number; md5: string }>;
}

export function writeObjectsAtomically(store: S3rverFileStore): void {
  store.putObject = async (object) => {
    const file = store.getResourcePath(object.bucket, object.key, 'object');
    await mkdir(path.dirname(file), { recursive: true });
    // Not `._S3rver_object`-suffixed, so listings never show it.
    const partial = `${file}.${randomUUID()}.partial`;
    const md5 = createHash('md5');
    let size = 0;
    const measure = new Transform({
      transform(chunk: Buffer, _encoding, callback) {
        md5.update(chunk);
        size += chunk.length;
        callback(null, chunk);
      },
    });
    try {
      const body = Buffer.isBuffer(object.content) ? Readable.from([object.content]) : object.content;
      // flush: fsync before the stream finishes, so an answered PUT's bytes survive a power loss (as S3's do).
      await pipeline(body, measure, createWriteStream(partial, { flush: true }));
      const digest = md5.digest('hex');
      await store.putMetadata(object.bucket, object.key, object.metadata, digest);
      await Promise.all(['metadata.json', 'object.md5'].map((resource) => syncPath(store.getResourcePath(object.bucket, object.key, resource))));
      await rename(partial, file);
      await syncPath(path.dirname(file));
      return { size, md5: digest };
    } catch (err) {
      await rm(partial, { force: true });
      throw err;
    }
  };
}
