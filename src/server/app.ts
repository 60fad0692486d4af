import { maxHeaderSize } from 'node:http';
import Fastify, { type FastifyBaseLogger, type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import { HubError } from '../errors.js';
import { httpUrl } from '../ports.js';
import type { Logger } from '../log.js';
import type { HubMetrics } from '../metrics.js';
import { logRequestFailure, sendAwsError, toHubError } from './aws-errors.js';
import { sendPlainApiPathError } from './framework-errors.js';
import { unsupportedOperation } from './lambda-operations.js';
import { SYNC_PAYLOAD_LIMIT } from '../sources/kit/limits.js';


export interface HealthProbe { (): Promise<boolean> }

/** `/metrics` in Prometheus' text format. */
export function registerMetrics(app: FastifyInstance, metrics: HubMetrics): void {
  app.get('/metrics', async (_request, reply) =>
    reply.header('content-type', metrics.registry.contentType).send(await metrics.registry.metrics()));
}

/** `/readyz`: 200 once the hub has started its sources and Redis answers, else 503. */
export function registerReadiness(app: FastifyInstance, ready: HealthProbe): void {
  app.get('/readyz', async (_request, reply) => {
    const ok = await ready().catch(() => false);
    return reply.code(ok ? 200 : 503).send({ status: ok ? 'ready' : 'not ready' });
  });
}

/**
 * The hub's one HTTP server: Invoke API, health, and (later) function URLs and push sources.
 * Bodies arrive as raw buffers whatever their content type; each route validates its own.
 */
export function createApp(logger: Logger, health: HealthProbe, requestTimeoutMs = 300_000): FastifyInstance {
  const app = Fastify({
    // Request lines are info level; the http logger keeps warnings and errors only.
    loggerInstance: logger.child({ component: 'http' }, { level: 'warn' }) as FastifyBaseLogger,
    // Fastify's default makes a child logger per request (its bindings serialised through the
    // redaction paths): allocations and microseconds on every call for lines that are warnings and
    // errors only. request.log is that http logger; a line about a request names it (reqId).
    childLoggerFactory: (httpLogger) => httpLogger,
    // A little over the sync Invoke limit, so the API can name the limit itself.
    bodyLimit: SYNC_PAYLOAD_LIMIT + 1,
    // A path parameter as long as a request line can be (a JWT in `/verify/{token}`): API Gateway
    // takes them, and fastify's default limit (100) would answer 414.
    routerOptions: { ignoreTrailingSlash: true, maxParamLength: maxHeaderSize },
    return503OnClosing: true,
    forceCloseConnections: 'idle',
    // A client that trickles its request in (slowloris) is answered 408 and cut off once it took
    // this long, as by Node's own server by default (fastify turns that off). Node checks open
    // requests every 30 s (sooner for a short limit) and applies the limit only when it is not
    // below the one on headers (60 s).
    requestTimeout: requestTimeoutMs,
    // A path the router cannot decode (`/a%zz`): fastify answers it
    // before routing, with its own body unless told otherwise. The hub's error shape: the console
    // and admin APIs' plain one under their prefixes, the AWS one elsewhere.
    frameworkErrors: (err, request, reply) => { if (!sendPlainApiPathError(err, request, reply)) sendAwsError(reply, toHubError(err)); },
    http: { headersTimeout: Math.min(60_000, requestTimeoutMs), connectionsCheckingInterval: Math.min(30_000, Math.ceil(requestTimeoutMs / 2)) },
    rewriteUrl: (request) => originForm(request.url ?? '/'),
  });
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'buffer' }, (_req, body, done) => done(null, body));
  const httpLog = logger.child({ component: 'http' });
  app.setErrorHandler((err, request, reply) => {
    const hubError = toHubError(err);
    logRequestFailure(request, err, hubError, httpLog);
    return sendAwsError(reply, hubError);
  });
  // Keep-alive clients (the AWS SDK) would hold close() open forever: once closing, every response
  // in flight tells its client to close the connection.
  let closing = false;
  app.addHook('preClose', async () => { closing = true; });
  // Callback style: an async hook costs every response a promise and a microtask turn.
  app.addHook('onSend', (_request, reply, payload, done) => {
    if (closing) reply.header('connection', 'close');
    done(null, payload);
  });
  app.get('/healthz', async (_request, reply) => {
    const ok = await health().catch(() => false);
    return reply.code(ok ? 200 : 503).send({ status: ok ? 'ok' : 'unavailable' });
  });
  return app;
}

/**
 * A request target in absolute form (`GET http://host/a?b HTTP/1.1`, which a server must accept:
 * RFC 9112 3.2.2) as its origin form (`/a?b`): the path a gateway routes on and puts in the event
 * (Node's server leaves the scheme and host in `url`).
 */
function originForm(url: string): string {
  if (url.startsWith('/')) return url;
  const absolute = /^[a-z][a-z\d+.-]*:\/\/[^/?#]*/i.exec(url);
  if (!absolute) return url;
  const rest = url.slice(absolute[0].length);
  return rest.startsWith('/') ? rest : `/${rest}`;
}

/**
 * A request no route takes: API Gateway's answer to a path it has no route for (`{"message":"Not
 * Found"}`, 404), with the error type an AWS SDK reads (a mistyped Lambda API path included). A
 * Lambda API operation the hub does not perform gets Lambda's error for it (lambda-operations.ts).
 */
export function answerNotFound(request: FastifyRequest, reply: FastifyReply): FastifyReply {
  const unsupported = unsupportedOperation(request);
  if (unsupported) return sendAwsError(reply, unsupported);
  return reply.code(404).header('x-amzn-ErrorType', 'NotFoundException').header('content-type', 'application/json').send(NOT_FOUND);
}
const NOT_FOUND = Buffer.from('{"message":"Not Found"}');

/** Listens on server.host:server.port; a port in use or not permitted is a HubError naming the setting. */
/**
 * The hub's own address, as `up` prints it (`triggerhub listening on …`): the configured
 * `server.host` (an IPv6 address in brackets) and the port the server listens on. URLs the hub
 * hands out are built on it, never on a request's Host header (a proxy's or a caller's choice).
 */
export function hubUrl(app: FastifyInstance, server: { host: string; port: number }): string {
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : server.port;
  return httpUrl(server.host, port);
}

export async function listen(app: FastifyInstance, server: { host: string; port: number }): Promise<void> {
  try {
    await app.listen({ port: server.port, host: server.host });
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOTFOUND' || code === 'EADDRNOTAVAIL' || code === 'EAI_AGAIN') {
      // The host, not the port: a name that does not resolve, or an address this machine does not have.
      throw new HubError('TH_ERR_SERVER_LISTEN_FAILED', `server.host ${server.host} is not an address of this machine (${code}): set server.host to one (127.0.0.1, or 0.0.0.0 for every interface)`, { cause: err });
    }
    const why = code === 'EADDRINUSE' ? 'is in use by another process' : code === 'EACCES' ? 'is not permitted for this user' : `cannot be used (${(err as Error).message})`;
    throw new HubError('TH_ERR_SERVER_LISTEN_FAILED', `server.port ${server.port} on ${server.host} ${why}: stop what holds it or set another server.port`, { cause: err });
  }
}
