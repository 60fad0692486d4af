import { isObject } from '../own.js';

/**
 * serverless-lift's `constructs:` that the local cloud can hold, as Lift compiles them: a `queue`
 * (an SQS queue `<stack>-<id>` with a dead-letter queue `<stack>-<id>-dlq` after `maxRetries`
 * receives (default 3), a visibility timeout of 6 times the worker's timeout, and its `worker`
 * function `<id>Worker` polling it `batchSize` (default 1) at a time) and a `storage` (an S3 bucket).
 * Their `${construct:<id>.queueUrl|queueArn|bucketName|bucketArn}` variables are CloudFormation
 * references to those resources. Other construct types do not run: one warning each.
 */
type Props = Record<string, unknown>;


export interface LiftConstructs {
  resources: Props;
  functions: Props;
  /** `<id>.<variable>` → its value. */
  variables: Map<string, unknown>;
  warnings: string[];
}

const FRAMEWORK_TIMEOUT = 6;

export function liftConstructs(constructs: unknown, stackName: string, defaultTimeout: unknown): LiftConstructs {
  const lift: LiftConstructs = { resources: {}, functions: {}, variables: new Map(), warnings: [] };
  if (!isObject(constructs)) return lift;
  for (const [id, construct] of Object.entries(constructs)) {
    const logicalId = id.replace(/[^A-Za-z0-9]/g, '').replace(/^./, (c) => c.toUpperCase());
    const type = isObject(construct) ? construct.type : undefined;
    if (type === 'queue' && isObject(construct) && isObject(construct.worker)) queue(lift, { id, logicalId, construct, worker: construct.worker, stackName, defaultTimeout });
    else if (type === 'storage') {
      lift.resources[`${logicalId}Bucket`] = { Type: 'AWS::S3::Bucket' };
      lift.variables.set(`${id}.bucketName`, { Ref: `${logicalId}Bucket` });
      lift.variables.set(`${id}.bucketArn`, { 'Fn::GetAtt': [`${logicalId}Bucket`, 'Arn'] });
    } else lift.warnings.push(`constructs.${id} (type ${String(type)}): serverless-lift constructs of this type are not run locally`);
  }
  return lift;
}

interface QueueInput { id: string; logicalId: string; construct: Props; worker: Props; stackName: string; defaultTimeout: unknown }

function queue(lift: LiftConstructs, { id, logicalId, construct, worker, stackName, defaultTimeout }: QueueInput): void {
  const fifo = construct.fifo === true;
  const suffix = fifo ? '.fifo' : '';
  const timeout = Number(worker.timeout ?? defaultTimeout ?? FRAMEWORK_TIMEOUT);
  lift.resources[`${logicalId}Dlq`] = {
    Type: 'AWS::SQS::Queue',
    Properties: { QueueName: `${stackName}-${id}-dlq${suffix}`, MessageRetentionPeriod: 1209600, ...(fifo ? { FifoQueue: true } : {}) },
  };
  lift.resources[`${logicalId}Queue`] = {
    Type: 'AWS::SQS::Queue',
    Properties: {
      QueueName: `${stackName}-${id}${suffix}`,
      VisibilityTimeout: timeout * 6,
      RedrivePolicy: { deadLetterTargetArn: { 'Fn::GetAtt': [`${logicalId}Dlq`, 'Arn'] }, maxReceiveCount: construct.maxRetries ?? 3 },
      ...(fifo ? { FifoQueue: true } : {}),
    },
  };
  const sqs: Props = { arn: { 'Fn::GetAtt': [`${logicalId}Queue`, 'Arn'] }, batchSize: construct.batchSize ?? 1 };
  if (construct.maxBatchingWindow !== undefined) sqs.maximumBatchingWindow = construct.maxBatchingWindow;
  lift.functions[`${id}Worker`] = { ...worker, events: [...(Array.isArray(worker.events) ? worker.events : []), { sqs }] };
  lift.variables.set(`${id}.queueUrl`, { Ref: `${logicalId}Queue` });
  lift.variables.set(`${id}.queueArn`, { 'Fn::GetAtt': [`${logicalId}Queue`, 'Arn'] });
}
