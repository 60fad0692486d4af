import { isDeepStrictEqual } from 'node:util';
import type { FastifyInstance, FastifyReply, FastifyRequest, RouteOptions } from 'fastify';
import { HubError } from '../../errors.js';

/** One route's claim on the OPTIONS method of its path, for its CORS preflight answer. */
export interface PreflightClaim {
  /** Who claims, named in a conflict: `<fn>:<kind> <path>`. */
  by: string;
  /** The route's methods (ANY as is): the path's methods are every claim's. */
  methods: string[];
  /** The route's CORS settings: the claims on one path must agree (one path, one OPTIONS answer). */
  settings: unknown;
  answer(request: FastifyRequest, reply: FastifyReply, pathMethods: string[]): unknown;
}

const byApp = new WeakMap<FastifyInstance, Map<string, PreflightClaim[]>>();

/**
 * Claims OPTIONS on `url` for a route with CORS. The first claim registers the OPTIONS route and
 * answers; later claims with the same settings share it (two functions' GET and POST /items on
 * one API with CORS), adding their methods; other settings are refused by name. Claims are kept per
 * `app`: with hot reload each function's routes are their own view of the server, and the route
 * table shares the OPTIONS route between functions (the first function's answer is given, with
 * its own routes' methods by default).
 */
export function claimPreflight(app: FastifyInstance, url: string, claim: PreflightClaim, options: Partial<RouteOptions> = {}): void {
  let paths = byApp.get(app);
  if (!paths) byApp.set(app, paths = new Map());
  // The hub's server ignores a trailing slash: /items/ and /items are one path.
  const key = url.length > 1 ? url.replace(/\/$/, '') : url;
  const claims = paths.get(key);
  if (claims) {
    if (!isDeepStrictEqual(claims[0].settings, claim.settings)) {
      throw new HubError('TH_ERR_CONFIG_INVALID', `${claim.by}: its cors differs from that of ${claims[0].by} on the same path (a path has one OPTIONS answer)`);
    }
    claims.push(claim);
    return;
  }
  const shared = [claim];
  paths.set(key, shared);
  app.route({
    ...options,
    method: 'OPTIONS',
    url,
    exposeHeadRoute: false,
    // With hot reload, several functions' views register it: the route table keeps one, the others standing by.
    config: { shared: true } as RouteOptions['config'],
    handler: async (request, reply) => shared[0].answer(request, reply, shared.flatMap((c) => c.methods)),
  });
}
