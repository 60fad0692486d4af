import { arnOf } from '../arn.js';
import { deepFreeze, type HubConfig } from '../config/load.js';
import type { CloudService } from '../project/model.js';
import { isObject } from '../own.js';
import type { CloudEndpoint } from './clients.js';

/** The account fauxqs names every queue and topic in (its ARNs are `arn:aws:<service>:<region>:000000000000:<name>`, whatever the caller's). */
const FAUXQS_ACCOUNT = '000000000000';

/**
 * The config with the ARNs of its queues and topics as the embedded fauxqs names them, when the
 * hub's account or partition differs from fauxqs's fixed ones (`accountId: 123456789012`, a
 * `cn-*` region): the template's `!Ref Topic`, `!GetAtt Queue.Arn`, subscriptions, bucket
 * notification targets, event mappings, destinations and environment values then name the topics
 * and queues that exist, so subscribing, publishing and sending reach them (otherwise fauxqs
 * answers `Topic does not exist`). Names and regions stay; configured endpoints (LocalStack), and
 * mappings or destinations with an endpoint of their own, are left as they are.
 */
export function withEmulatorArns(config: HubConfig, endpoints: ReadonlyMap<CloudService, CloudEndpoint>): HubConfig {
  const prefixes = new Map<string, string>();
  for (const service of ['sqs', 'sns'] as const) {
    if (!endpoints.get(service)?.embedded) continue;
    const from = arnOf(config.region, service, config.accountId, '');
    const to = `arn:aws:${service}:${config.region}:${FAUXQS_ACCOUNT}:`;
    if (from !== to) prefixes.set(from, to);
  }
  if (!prefixes.size || !config.project) return config;
  const rewrite = <T>(value: T): T => rewriteStrings(value, (text) => {
    let out = text;
    for (const [from, to] of prefixes) out = out.replaceAll(from, to);
    return out;
  }) as T;
  // A mapping or destination with an endpoint of its own reads or writes elsewhere (AWS itself, say): as it is.
  const unlessElsewhere = <T>(value: T): T => (isObject(value) && value.endpoint !== undefined ? value : rewrite(value));
  const functions = Object.fromEntries(Object.entries(config.functions).map(([name, fn]) => [name, {
    ...fn,
    environment: rewrite(fn.environment),
    events: fn.events.map((mapping) => Object.fromEntries(Object.entries(mapping).map(([kind, settings]) => [kind, unlessElsewhere(settings)]))),
    destinations: fn.destinations && Object.fromEntries(Object.entries(fn.destinations).map(([key, target]) => [key, unlessElsewhere(target)])),
    deadLetterQueue: unlessElsewhere(fn.deadLetterQueue),
  }]));
  const project = { ...config.project, resources: rewrite(config.project.resources), subscriptions: rewrite(config.project.subscriptions) };
  return deepFreeze({ ...config, functions, project });
}

/** JSON-like data (arrays and plain objects) with every string mapped; other values (a Map, a Date) as they are. */
function rewriteStrings(value: unknown, map: (text: string) => string): unknown {
  if (typeof value === 'string') return map(value);
  if (Array.isArray(value)) return value.map((item) => rewriteStrings(item, map));
  if (isObject(value) && [Object.prototype, null].includes(Object.getPrototypeOf(value))) return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, rewriteStrings(item, map)]));
  return value;
}
