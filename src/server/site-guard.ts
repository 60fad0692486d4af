import { isIP } from 'node:net';
import type { FastifyInstance, FastifyRequest, onRequestHookHandler } from 'fastify';
import { HubError } from '../errors.js';

/**
 * The routes that act or read for whoever calls them: the admin DLQ API, the console's API and the
 * Lambda API (Invoke among them). Function URLs and HTTP routes are the user's own, made for pages
 * of any origin (their `cors` settings decide), and are not guarded.
 */
const GUARDED_ROUTE = /^\/(?:admin\/|console\/api\/|20\d\d-\d\d-\d\d\/(?:functions|event-source-mappings|account-settings)(?:\/|$))/;

/** A browser says where a request comes from; other clients (the CLI, the AWS SDK, curl) send neither header. */
const SAME_ORIGIN_FETCH_SITES = new Set(['same-origin', 'none']);

/** Host header's name without its port: `127.0.0.1`, `[::1]`, `localhost`. */
function hostName(host: string): string {
  const bracket = host.startsWith('[') ? host.indexOf(']') : -1;
  if (bracket > 0) return host.slice(1, bracket);
  const colon = host.lastIndexOf(':');
  return colon >= 0 ? host.slice(0, colon) : host;
}

/** A name no DNS answer can rebind: an IP address, `localhost` or a name under `.localhost`. */
function pinnedName(name: string): boolean {
  const lower = name.toLowerCase();
  return isIP(lower) !== 0 || lower === 'localhost' || lower.endsWith('.localhost');
}

/** `server.host` is a loopback address or name: the hub is meant for this machine only. */
export function isLoopbackHost(host: string): boolean {
  const lower = host.toLowerCase();
  return lower === 'localhost' || lower === '::1' || /^127\.\d+\.\d+\.\d+$/.test(lower);
}

/** Why a browser request must not reach a guarded route, or undefined when it may. */
export function crossSiteRefusal(headers: FastifyRequest['headers'], loopbackOnly: boolean): string | undefined {
  const fetchSite = headers['sec-fetch-site'];
  const origin = headers.origin;
  if (fetchSite === undefined && origin === undefined) return undefined;
  if (typeof fetchSite === 'string' && !SAME_ORIGIN_FETCH_SITES.has(fetchSite)) return `a page of another origin (Sec-Fetch-Site: ${fetchSite})`;
  const host = headers.host ?? '';
  // A browser that sends Sec-Fetch-Site has compared the origins itself; Origin is compared with Host
  // only without it (older browsers), so a reverse proxy that rewrites Host does not shut out the console.
  if (fetchSite === undefined && origin !== undefined) {
    let originHost: string | undefined;
    try { originHost = new URL(origin).host; } catch { originHost = undefined; }
    if (originHost !== host.toLowerCase()) return `a page of another origin (Origin: ${origin.slice(0, 200)})`;
  }
  if (loopbackOnly && !pinnedName(hostName(host))) return `a page that names the hub ${JSON.stringify(host.slice(0, 200))}, not 127.0.0.1 or localhost (server.host is a loopback address)`;
  return undefined;
}

/**
 * Refuses (403 TH_ERR_CROSS_SITE_REQUEST) a browser's request to the admin, console and Lambda APIs
 * from a page of another origin: without `admin.token` any page the user opens could otherwise
 * POST a purge, a redrive or an Invoke to 127.0.0.1 (a form or `fetch(…, { mode: 'no-cors' })` needs
 * no CORS permission to send). With the hub bound to loopback, a browser must also name it by an
 * address or `localhost` (a page whose own DNS name was rebound to 127.0.0.1 is same-origin with
 * itself). Clients that are not browsers send neither `Origin` nor `Sec-Fetch-Site` and are not
 * affected; the console's own requests are same-origin. The check is a hook of the guarded routes
 * only (added as each is registered: call this before them), so function URLs and HTTP routes pay
 * nothing for it; it runs after an API's token check.
 */
export function registerSiteGuard(app: FastifyInstance, serverHost: string): void {
  const loopbackOnly = isLoopbackHost(serverHost);
  app.addHook('onRoute', (route) => {
    if (!GUARDED_ROUTE.test(route.url)) return;
    const url = route.url;
    const guard: onRequestHookHandler = (request, _reply, done) => {
      const why = crossSiteRefusal(request.headers, loopbackOnly);
      done(why ? new HubError('TH_ERR_CROSS_SITE_REQUEST', `refused: ${why} may not call ${request.method} ${url}; open the console at the hub's own address`) : undefined);
    };
    route.onRequest = [guard, ...[route.onRequest ?? []].flat()];
  });
}
