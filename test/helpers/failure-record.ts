import { expect } from 'vitest';

/**
 * What a stream mapping's on-failure destination receives after a batch failed until its retries
 * ran out (function `worker`, handler error), around the batch-info object (`KinesisBatchInfo`,
 * `StreamBatchInfo`): for toEqual.
 */
export function exhaustedFailureRecord(batchInfo: Record<string, unknown>, approximateInvokeCount: number): Record<string, unknown> {
  return {
    version: '1.0',
    timestamp: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
    requestContext: {
      requestId: expect.any(String),
      functionArn: 'arn:aws:lambda:us-east-1:000000000000:function:worker:$LATEST',
      condition: 'RetryAttemptsExhausted',
      approximateInvokeCount,
    },
    responseContext: { statusCode: 200, executedVersion: '$LATEST', functionError: 'Unhandled' },
    ...batchInfo,
  };
}
