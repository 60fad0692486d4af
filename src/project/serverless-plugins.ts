import { isObject } from '../own.js';

/**
 * `plugins:` of a serverless.yml (a list, or `{ localPath, modules }`). The hub does the work of
 * serverless-offline (and its SQS, SNS, Kinesis, DynamoDB Streams and schedule companions) and of
 * the TypeScript bundlers (`.ts` handlers are built with esbuild) and of the DynamoDB Local and S3 ones
 * (the local cloud); any other plugin does not run,
 * so what it would add to the service (environment, state machines, resources) is missing: said
 * in one warning naming them.
 */
const DYNAMODB_LOCAL = new Set(['serverless-dynamodb-local', 'serverless-dynamodb']);
const STOOD_IN_FOR = new Set([
  'serverless-offline', 'serverless-offline-sqs', 'serverless-offline-sns', 'serverless-offline-kinesis',
  'serverless-offline-dynamodb-streams', 'serverless-offline-scheduler',
  'serverless-esbuild', 'serverless-webpack', 'serverless-plugin-typescript', 'serverless-bundle',
  // The local cloud: DynamoDB Local with the tables of `resources` (its seed data aside, below), S3.
  ...DYNAMODB_LOCAL, 'serverless-s3-local',
  // Its queue and storage constructs (serverless-lift.ts; other constructs are warned about there).
  'serverless-lift',
]);


export function pluginsWarnings(plugins: unknown, custom: unknown): string[] {
  const listed = (Array.isArray(plugins) ? plugins : isObject(plugins) && Array.isArray(plugins.modules) ? plugins.modules : []).map(String);
  const notRun = listed.filter((name) => !STOOD_IN_FOR.has(name));
  const warnings = notRun.length ? [`plugins: ${notRun.join(', ')} not run locally: what they add to the service does not apply`] : [];
  const dynamodb = isObject(custom) && isObject(custom.dynamodb) ? custom.dynamodb : undefined;
  if (listed.some((name) => DYNAMODB_LOCAL.has(name)) && dynamodb && Object.hasOwn(dynamodb, 'seed')) {
    warnings.push('custom.dynamodb.seed: not loaded locally: the tables of resources are created empty in the local cloud');
  }
  return warnings;
}
