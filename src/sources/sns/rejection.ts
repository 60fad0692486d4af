import type { FastifyReply } from 'fastify';

/**
 * Why the SNS endpoint turned a request away, and the HTTP status it answers with. 4xx: the
 * message is wrong and SNS should not retry it; 5xx: the hub could not do its part (SNS retries).
 */
export const SNS_REJECTIONS = {
  body_too_large: 413,
  invalid_json: 400,
  unknown_message_type: 400,
  invalid_message: 400,
  topic_mismatch: 403,
  untrusted_cert_url: 403,
  invalid_certificate: 403,
  signature_invalid: 403,
  untrusted_subscribe_url: 403,
  certificate_unavailable: 502,
  confirmation_failed: 502,
  enqueue_failed: 503,
} as const;

export type SnsRejectionReason = keyof typeof SNS_REJECTIONS;

export class SnsRejection extends Error {
  readonly status: number;

  constructor(readonly reason: SnsRejectionReason, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'SnsRejection';
    this.status = SNS_REJECTIONS[reason];
  }
}

/** Answers `{ message, reason }` as JSON with the reason's status. */
export function sendRejection(reply: FastifyReply, rejection: SnsRejection): FastifyReply {
  return reply.code(rejection.status).header('content-type', 'application/json')
    .send(JSON.stringify({ message: rejection.message, reason: rejection.reason }));
}
