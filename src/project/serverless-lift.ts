import { isObject } from '../own.js';

/**
 * serverless-lift's `constructs:` that the local cloud can hold, as Lift compiles them: a `queue`
 * (an SQS queue `<stack>-<id>` with a dead-letter queue `<stack>-<id>-dlq` after `maxRetries`
 * receives (default 3), a visibility timeout of 6 times the worker's own timeout (Lift's default 6 s,
 * not provider.timeout) plus `maxBatchingWindow`, `delay`, FIFO with content-based deduplication,
 * and its `worker` polling it `batchSize` (default 1) at a time, reporting batch item failures, at
 * most `maxConcurrency` at once: a function `<id>Worker`, or the function of `functions:` a worker
 * name refers to) and a `storage` (an S3 bucket).
 * Their `${construct:<id>.queueUrl|queueArn|dlqUrl|dlqArn|bucketName|bucketArn}` variables are CloudFormation
 * references to those resources. Other construct types do not run: one warning each.
 */
type Props = Record<string, unknown>;


export interface LiftConstructs {
  resources: Props;
  functions: Props;
  /** `<id>.<variable>` → its value. */
  variables: Map<string, unknown>;
  warnings: string[];
  /**
   * Subscribes the functions of `functions:` that queue workers name (`worker: <function>`) once
   * they are resolved (they may use the constructs' variables), with their timeouts in the queues'
   * visibility timeouts; returns an error text for a worker naming no function, as Lift refuses it.
   */
  attach(functions: Props): string | undefined;
}

/** Lift's worker timeout when the worker sets none (the Framework's default; provider.timeout is not read). */
const FRAMEWORK_TIMEOUT = 6;

export function liftConstructs(constructs: unknown, stackName: string): LiftConstructs {
  const references: Array<(functions: Props) => string | undefined> = [];
  const lift: LiftConstructs = {
    resources: {}, functions: {}, variables: new Map(), warnings: [],
    attach: (functions) => references.map((attach) => attach(functions)).find((error) => error !== undefined),
  };
  if (!isObject(constructs)) return lift;
  for (const [id, construct] of Object.entries(constructs)) {
    const logicalId = id.replace(/[^A-Za-z0-9]/g, '').replace(/^./, (c) => c.toUpperCase());
    const type = isObject(construct) ? construct.type : undefined;
    if (type === 'queue' && isObject(construct)) references.push(queue(lift, { id, logicalId, construct, stackName }));
    else if (type === 'storage') {
      lift.resources[`${logicalId}Bucket`] = { Type: 'AWS::S3::Bucket' };
      lift.variables.set(`${id}.bucketName`, { Ref: `${logicalId}Bucket` });
      lift.variables.set(`${id}.bucketArn`, { 'Fn::GetAtt': [`${logicalId}Bucket`, 'Arn'] });
    } else lift.warnings.push(`constructs.${id} (type ${String(type)}): serverless-lift constructs of this type are not run locally`);
  }
  return lift;
}

interface QueueInput { id: string; logicalId: string; construct: Props; stackName: string }

/** Adds the queue, its dead-letter queue and an inline worker; returns how a worker named by reference is attached. */
function queue(lift: LiftConstructs, { id, logicalId, construct, stackName }: QueueInput): (functions: Props) => string | undefined {
  const { worker } = construct;
  const fifo = construct.fifo === true;
  const suffix = fifo ? '.fifo' : '';
  const window = Number(construct.maxBatchingWindow ?? 0);
  const visibility = (timeout: unknown) => Number(timeout ?? FRAMEWORK_TIMEOUT) * 6 + window;
  lift.resources[`${logicalId}Dlq`] = {
    Type: 'AWS::SQS::Queue',
    Properties: { QueueName: `${stackName}-${id}-dlq${suffix}`, MessageRetentionPeriod: 1209600, ...(fifo ? { FifoQueue: true } : {}) },
  };
  const properties: Props = {
    QueueName: `${stackName}-${id}${suffix}`,
    VisibilityTimeout: visibility(isObject(worker) ? worker.timeout : undefined),
    RedrivePolicy: { deadLetterTargetArn: { 'Fn::GetAtt': [`${logicalId}Dlq`, 'Arn'] }, maxReceiveCount: construct.maxRetries ?? 3 },
    ...(construct.delay === undefined ? {} : { DelaySeconds: construct.delay }),
    ...(fifo ? { FifoQueue: true, ContentBasedDeduplication: true } : {}),
  };
  lift.resources[`${logicalId}Queue`] = { Type: 'AWS::SQS::Queue', Properties: properties };
  const sqs: Props = {
    arn: { 'Fn::GetAtt': [`${logicalId}Queue`, 'Arn'] }, batchSize: construct.batchSize ?? 1, maximumBatchingWindow: window,
    functionResponseType: 'ReportBatchItemFailures', ...(construct.maxConcurrency === undefined ? {} : { maximumConcurrency: construct.maxConcurrency }),
  };
  lift.variables.set(`${id}.queueUrl`, { Ref: `${logicalId}Queue` });
  lift.variables.set(`${id}.queueArn`, { 'Fn::GetAtt': [`${logicalId}Queue`, 'Arn'] });
  lift.variables.set(`${id}.dlqUrl`, { Ref: `${logicalId}Dlq` });
  lift.variables.set(`${id}.dlqArn`, { 'Fn::GetAtt': [`${logicalId}Dlq`, 'Arn'] });
  if (isObject(worker)) {
    lift.functions[`${id}Worker`] = { ...worker, events: [...(Array.isArray(worker.events) ? worker.events : []), { sqs }] };
    return () => undefined;
  }
  return (functions) => {
    const named = typeof worker === 'string' ? new Map(Object.entries(functions)).get(worker) : undefined;
    if (!isObject(named)) {
      return worker === undefined
        ? `constructs.${id}: no 'worker' defined: Lift's queue constructs require a worker function`
        : `constructs.${id}.worker: ${JSON.stringify(worker)} is not a function of functions:, as Lift requires of a worker named by reference`;
    }
    named.events = [...(Array.isArray(named.events) ? named.events : []), { sqs }];
    properties.VisibilityTimeout = visibility(named.timeout);
    return undefined;
  };
}
