/**
 * `plugins:` of a serverless.yml (a list, or `{ localPath, modules }`). The hub does the work of
 * serverless-offline (and its SQS, SNS, Kinesis, DynamoDB Streams and schedule companions) and of
 * the TypeScript bundlers (`.ts` handlers are built with esbuild); any other plugin does not run,
 * so what it would add to the service (environment, state machines, resources) is missing: said
 * in one warning naming them.
 */
const STOOD_IN_FOR = new Set([
  'serverless-offline', 'serverless-offline-sqs', 'serverless-offline-sns', 'serverless-offline-kinesis',
  'serverless-offline-dynamodb-streams', 'serverless-offline-scheduler',
  'serverless-esbuild', 'serverless-webpack', 'serverless-plugin-typescript', 'serverless-bundle',
]);

export function pluginsWarning(plugins: unknown): string | undefined {
  const listed = Array.isArray(plugins) ? plugins
    : typeof plugins === 'object' && plugins !== null && Array.isArray((plugins as { modules?: unknown }).modules) ? (plugins as { modules: unknown[] }).modules : [];
  const notRun = listed.map(String).filter((name) => !STOOD_IN_FOR.has(name));
  return notRun.length ? `plugins: ${notRun.join(', ')} not run locally: what they add to the service does not apply` : undefined;
}
