import type { ScheduledEvent } from 'aws-lambda';
import { arnOf } from '../../arn.js';
import type { HubConfig } from '../../config/load.js';
import { buildEnvelope, stableUuid, type Envelope } from '../../router/envelope.js';

export const SCHEDULE_ENVELOPE_TYPE = 'aws.events';

export interface ScheduleRef {
  fn: string;
  index: number;
}

/** `arn:<partition>:events:<region>:<account>:rule/<fn>-schedule-<index>` */
export function ruleArn(config: Pick<HubConfig, 'region' | 'accountId'>, ref: ScheduleRef): string {
  return arnOf(config.region, 'events', config.accountId, `rule/${ref.fn}-schedule-${ref.index}`);
}

/**
 * Same schedule and tick, same id: a tick claimed twice is one BullMQ job. A UUID (the handler's
 * request id, as on Lambda), not the Scheduled Event's own id.
 */
export function tickEnvelopeId(ref: ScheduleRef, tick: number): string {
  return stableUuid(`schedule\0${ref.fn}\0${ref.index}\0${tick}`);
}

/** EventBridge's Scheduled Event for one tick (`time` is the scheduled time, seconds precision). */
export function buildScheduledEvent(config: Pick<HubConfig, 'region' | 'accountId'>, ref: ScheduleRef, tick: number): ScheduledEvent<Record<string, never>> {
  return {
    version: '0',
    id: stableUuid(`${ref.fn}/${ref.index}/${tick}`),
    'detail-type': 'Scheduled Event',
    source: 'aws.events',
    account: config.accountId,
    time: new Date(tick).toISOString().replace(/\.\d{3}Z$/, 'Z'),
    region: config.region,
    resources: [ruleArn(config, ref)],
    detail: {},
  };
}

/** The envelope of one tick: the Scheduled Event, or the mapping's `input` when it has one. */
export function buildTickEnvelope(config: Pick<HubConfig, 'region' | 'accountId'>, ref: ScheduleRef, tick: number, input: unknown): Envelope {
  return buildEnvelope({
    id: tickEnvelopeId(ref, tick),
    source: ruleArn(config, ref),
    type: SCHEDULE_ENVELOPE_TYPE,
    subject: ref.fn,
    time: new Date(tick),
    data: input === undefined ? buildScheduledEvent(config, ref, tick) : input,
  });
}
