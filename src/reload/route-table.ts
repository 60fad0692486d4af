import type { FastifyInstance, FastifyReply, FastifyRequest, RouteOptions } from 'fastify';
import { HubError } from '../errors.js';
import { answerNotFound } from '../server/app.js';

interface Entry {
  owner: string;
  /** Owners of the same shared route waiting to answer when the current owner's routes go. */
  standby: Array<{ owner: string; options: RouteOptions }>;
  methods: Set<string>;
  url: string;
  /** Per segment: a literal, a parameter or the wildcard; ranks static over parametric over wildcard, as fastify does. */
  segments: Segment[];
  rank: number[];
  options: RouteOptions;
}

const HEAD_FROM_GET = 'GET';

/**
 * Push routes (HTTP routes, function URLs, SNS and S3 webhooks) of a hub that hot reloads. Fastify
 * takes no routes once it listens, so with `--watch` sources register into this table (through
 * `appFor(owner)`), and the hub's not-found handler dispatches to it: a reload adds and removes a
 * function's routes while the server runs. Matching follows fastify's for the paths sources use
 * (`/a/:id`, `/files/*`, trailing slash ignored, HEAD served by GET routes unless `exposeHeadRoute: false`); a route's bodyLimit
 * is checked here (the server's own limit is the 6 MB Invoke limit). A route whose `config.shared`
 * is true (a path's CORS OPTIONS answer, one per path however many functions' routes have CORS)
 * may be registered by several owners: the first answers, the others stand by in order.
 */
export class RouteTable {
  readonly #entries: Entry[] = [];

  /** A view of `app` whose route() registers into this table under `owner` (a function name). */
  appFor(app: FastifyInstance, owner: string): FastifyInstance {
    return Object.create(app, {
      route: { value: (options: RouteOptions) => this.add(owner, options) },
    }) as FastifyInstance;
  }

  add(owner: string, options: RouteOptions): void {
    const methods = new Set([options.method].flat().map((m) => m.toUpperCase()));
    const segments = patternSegments(options.url ?? '/');
    for (const entry of this.#entries) {
      if (entry.url === options.url && [...methods].some((m) => entry.methods.has(m))) {
        if (isShared(entry.options) && isShared(options)) {
          entry.standby.push({ owner, options });
          return;
        }
        throw new HubError('TH_ERR_CONFIG_INVALID', `route ${[...methods].join(',')} ${options.url} is already registered (by ${entry.owner})`);
      }
    }
    const rank = segments.map((s) => ('wildcard' in s ? 2 : 'param' in s ? 1 : 0));
    this.#entries.push({ owner, standby: [], methods, url: options.url ?? '/', segments, rank, options });
    this.#entries.sort((a, b) => compareRanks(a.rank, b.rank));
  }

  /** Removes every route `owner` registered; requests in flight on them finish. */
  removeOwner(owner: string): void {
    for (let i = this.#entries.length - 1; i >= 0; i--) {
      const entry = this.#entries[i];
      entry.standby = entry.standby.filter((s) => s.owner !== owner);
      if (entry.owner !== owner) continue;
      const next = entry.standby.shift();
      if (next) Object.assign(entry, next);
      else this.#entries.splice(i, 1);
    }
  }

  /** The not-found handler: runs the matching route, else the hub's 404 (answerNotFound). */
  async dispatch(request: FastifyRequest, reply: FastifyReply): Promise<unknown> {
    const path = (request.raw.url ?? '/').split('?')[0];
    const found = this.#match(request.method, split(path));
    if (!found) {
      return answerNotFound(request, reply);
    }
    const { options } = found.entry;
    (request as { params: unknown }).params = found.params;
    const size = (request.body as Buffer | undefined)?.length ?? 0;
    try {
      if (options.bodyLimit !== undefined && size > options.bodyLimit) {
        throw Object.assign(new Error('Request body is too large'), { code: 'FST_ERR_CTP_BODY_TOO_LARGE', statusCode: 413 });
      }
      return await options.handler.call(request.server, request, reply);
    } catch (err) {
      if (!options.errorHandler) throw err;
      return options.errorHandler.call(request.server, err as never, request, reply);
    }
  }

  #match(method: string, parts: string[]): { entry: Entry; params: Record<string, string> } | undefined {
    for (const wanted of method === 'HEAD' ? ['HEAD', HEAD_FROM_GET] : [method]) {
      for (const entry of this.#entries) {
        if (!entry.methods.has(wanted) || (wanted !== method && entry.options.exposeHeadRoute === false)) continue;
        const params = matchSegments(entry.segments, parts);
        if (params) return { entry, params };
      }
    }
    return undefined;
  }
}

const isShared = (options: RouteOptions) => (options.config as { shared?: unknown } | undefined)?.shared === true;

/** `/a/b/` → ['a', 'b'] (a trailing slash is ignored, as the hub's fastify is told to). */
function split(path: string): string[] {
  return path.split('/').filter((part, i, all) => i > 0 && !(part === '' && i === all.length - 1));
}

type Segment = { literal: string } | { param: string } | { wildcard: true };

/** A route's url as fastify reads it: `*`, `:name`, or a literal (`::` in it is a literal colon). */
function patternSegments(url: string): Segment[] {
  return split(url).map((s) => {
    if (s === '*') return { wildcard: true };
    if (s.startsWith(':') && !s.startsWith('::')) return { param: s.slice(1) };
    return { literal: s.replaceAll('::', ':') };
  });
}

function matchSegments(pattern: Segment[], parts: string[]): Record<string, string> | undefined {
  const params: Record<string, string> = {};
  for (const [i, segment] of pattern.entries()) {
    if ('wildcard' in segment) {
      params['*'] = parts.slice(i).map(decode).join('/');
      return params;
    }
    if (i >= parts.length) return undefined;
    if ('param' in segment) {
      if (!parts[i]) return undefined;
      params[segment.param] = decode(parts[i]);
    } else if (segment.literal !== parts[i]) return undefined;
  }
  return pattern.length === parts.length ? params : undefined;
}

function decode(part: string): string {
  try {
    return decodeURIComponent(part);
  } catch {
    return part;
  }
}

function compareRanks(a: number[], b: number[]): number {
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    const diff = (a[i] ?? -1) - (b[i] ?? -1);
    if (diff !== 0) return diff;
  }
  return 0;
}
