import type { S3Event } from 'aws-lambda';
import type { FunctionConfig } from '../../config/load.js';
import type { Logger } from '../../log.js';
import { buildEnvelope, newDelivery } from '../../router/envelope.js';
import type { SourceContext } from '../source.js';
import type { RecordMatcher } from './match.js';
import { incomingRecordSchema, normaliseRecord, recordEventId } from './record.js';

export const S3_ENVELOPE_TYPE = 'aws.s3';

/** Thrown when the records themselves are wrong (the sender should not retry as they are). */
export class S3RecordsInvalid extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'S3RecordsInvalid';
  }
}

export interface DeliveryDeps {
  fn: FunctionConfig;
  context: SourceContext;
  matches: RecordMatcher;
  log: Logger;
  /** The mapping's id, for its health reports. */
  sourceId: string;
}

/**
 * Records in, invocations out, as S3 invokes: every record the mapping's filters pass becomes its
 * own envelope (`data: { Records: [record] }`), queued for an asynchronous invocation. Resolves
 * once Redis holds all of them (then acknowledge upstream); rejects if any could not be queued
 * (queued ones are not queued twice: the envelope id is stable per record).
 * Throws S3RecordsInvalid, before queueing anything, when a record is not an S3 record.
 */
export async function deliverRecords(rawRecords: unknown[], deps: DeliveryDeps, traceparent?: string): Promise<{ queued: number; skipped: number }> {
  const records = rawRecords.map((raw, i) => {
    const parsed = incomingRecordSchema.safeParse(raw);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw new S3RecordsInvalid(`Records[${i}].${issue.path.join('.')}: ${issue.message}`);
    }
    return normaliseRecord(parsed.data, deps.context.config.region);
  });
  const matched = records.filter(deps.matches);
  await Promise.all(matched.map((normalised) => deps.context.enqueue(buildEnvelope<S3Event>({
    id: recordEventId(normalised, deps.fn.name),
    source: normalised.record.s3.bucket.arn,
    type: S3_ENVELOPE_TYPE,
    subject: normalised.key,
    time: new Date(normalised.record.eventTime),
    data: { Records: [normalised.record] },
    traceparent,
  }), newDelivery(deps.fn.name, 'Event'))));
  const skipped = records.length - matched.length;
  if (matched.length || skipped) deps.log.debug({ event: 's3_records_queued', queued: matched.length, skipped }, 'S3 records queued');
  return { queued: matched.length, skipped };
}
