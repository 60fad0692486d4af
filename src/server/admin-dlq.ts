import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { HubConfig } from '../config/load.js';
import { formatIssues, unknownFieldError } from '../config/issues.js';
import { isNarrowing, parseDlqFilter, type DlqFilter } from '../dlq/filter.js';
import { checkRedriveTarget, parseRedriveRate, redriveMany, redriveOne, type ParkedRecordRedriver } from '../dlq/redrive.js';
import type { DlqStore } from '../dlq/store.js';
import { HubError } from '../errors.js';
import type { EventQueues } from '../router/queues.js';
import { logRequestFailure } from './aws-errors.js';
import { toPlainApiError } from './framework-errors.js';
import { methodCheck } from './route-methods.js';
import { answerNotFound } from './app.js';
import { parseJson } from '../json.js';

export interface AdminDlqDeps {
  dlq: DlqStore;
  queues: EventQueues;
  /** The hub's destination outbox, for records parked with reason DestinationFailed. */
  destinations?: ParkedRecordRedriver;
}

type Body = Buffer | undefined;
interface IdParams { id: string }

const MAX_IDS = 10_000;

/** `{ids}`, or `{filter}` / `{all: true}` (filter and all may combine); `to` and `rate` for redrives. */
const targetSchema = z.strictObject({
  ids: z.array(z.string().min(1, { error: 'must not be empty' }), { error: 'must be an array of record ids' })
    .min(1, { error: 'must name at least one id' }).max(MAX_IDS, { error: `must name at most ${MAX_IDS} ids` }).optional(),
  filter: z.record(z.string(), z.unknown(), { error: 'must be an object' }).optional(),
  all: z.boolean({ error: 'must be true or false' }).optional(),
  to: z.unknown().optional(),
  rate: z.unknown().optional(),
}, { error: unknownFieldError });

interface TargetBody {
  target: { ids: string[] } | { filter: DlqFilter };
  to?: unknown;
  rate?: unknown;
}

function parseBody(body: Body): unknown {
  if (!body?.length) return {};
  try {
    return parseJson(body.toString('utf8'));
  } catch (cause) {
    throw new HubError('TH_ERR_DLQ_REQUEST_INVALID', `body: not valid JSON (${(cause as Error).message})`, { cause });
  }
}

function parseTarget(raw: unknown, allowed: ReadonlyArray<'to' | 'rate'>): TargetBody {
  const parsed = targetSchema.safeParse(raw);
  if (!parsed.success) throw new HubError('TH_ERR_DLQ_REQUEST_INVALID', formatIssues(parsed.error.issues));
  const body = parsed.data;
  for (const key of ['to', 'rate'] as const) {
    if (body[key] !== undefined && !allowed.includes(key)) throw new HubError('TH_ERR_DLQ_REQUEST_INVALID', `(root): unknown field "${key}"`);
  }
  const filter = parseDlqFilter(body.filter ?? {}, { path: 'filter' });
  const narrowed = body.all === true || isNarrowing(filter);
  if (body.ids && (body.filter || body.all !== undefined)) throw new HubError('TH_ERR_DLQ_REQUEST_INVALID', 'ids: name ids or a filter / all, not both');
  if (!body.ids && !narrowed) throw new HubError('TH_ERR_DLQ_REQUEST_INVALID', '(root): name ids, a filter, or all: true');
  return { target: body.ids ? { ids: body.ids } : { filter }, to: body.to, rate: body.rate };
}

function digest(text: string): Buffer {
  return createHash('sha256').update(text).digest();
}

/** With `admin.token` set, every /admin request needs `Authorization: Bearer <token>`. */
export function authorizer(token: string | undefined): (request: FastifyRequest) => Promise<void> {
  const expected = token === undefined ? undefined : digest(token);
  return async (request) => {
    if (!expected) return;
    const match = /^Bearer (.+)$/i.exec(request.headers.authorization ?? '');
    if (!match || !timingSafeEqual(digest(match[1]), expected)) {
      throw new HubError('TH_ERR_ADMIN_UNAUTHORIZED', 'missing or wrong Authorization: Bearer token (admin.token is set)');
    }
  };
}

/** Admin errors are plain JSON: `{ "error": "TH_ERR_…", "message": "…" }` with the code's status. */
function sendAdminError(reply: FastifyReply, err: HubError): FastifyReply {
  if (err.code === 'TH_ERR_ADMIN_UNAUTHORIZED') reply.header('www-authenticate', 'Bearer');
  return reply.code(err.status).send({ error: err.code, message: err.message });
}

/**
 * The dead-letter admin API under `/admin/dlq`: list, show, redrive (one, ids, a filter or all;
 * paced; to the record's function or `to`) and purge. Same filter rules as `triggerhub dlq`.
 */
export function registerAdminDlq(app: FastifyInstance, config: HubConfig, deps: AdminDlqDeps): void {
  const { dlq, queues } = deps;
  const stopping = new AbortController();
  app.addHook('preClose', async () => stopping.abort());
  void app.register(async (admin) => {
    admin.setErrorHandler((err, request, reply) => {
      const hubError = toPlainApiError(err);
      logRequestFailure(request, err, hubError);
      return sendAdminError(reply, hubError);
    });
    admin.addHook('onRequest', authorizer(config.admin.token));
    const checkMethod = methodCheck(admin);
    // A path of this API with a method it does not take: 405 naming the ones it does (any other path: the hub's 404).
    admin.setNotFoundHandler((request, reply) => {
      checkMethod(request, reply);
      return answerNotFound(request, reply);
    });

    admin.get<{ Querystring: Record<string, unknown> }>('/', async (request) =>
      ({ records: await dlq.list(parseDlqFilter(request.query)) }));

    admin.get<{ Params: IdParams }>('/:id', async (request) => dlq.get(request.params.id));

    admin.post<{ Body: Body }>('/redrive', async (request) => {
      const body = parseTarget(parseBody(request.body), ['to', 'rate']);
      const to = checkRedriveTarget(config.functions, body.to);
      const rate = parseRedriveRate(body.rate);
      const outcome = await redriveMany(dlq, queues, body.target, { to, rate, signal: stopping.signal, destinations: deps.destinations });
      return { redriven: outcome.redriven.map((record) => record.id), failed: outcome.failed };
    });

    admin.post<{ Params: IdParams; Body: Body }>('/:id/redrive', async (request) => {
      const body = parseBody(request.body);
      const parsed = z.strictObject({ to: z.unknown().optional() }, { error: unknownFieldError }).safeParse(body);
      if (!parsed.success) throw new HubError('TH_ERR_DLQ_REQUEST_INVALID', formatIssues(parsed.error.issues));
      const to = checkRedriveTarget(config.functions, parsed.data.to);
      const record = await redriveOne(dlq, queues, request.params.id, to, deps.destinations);
      return { redriven: [record.id], failed: [] };
    });

    admin.delete<{ Params: IdParams }>('/:id', async (request) => {
      await dlq.get(request.params.id);
      return { purged: Number(await dlq.remove(request.params.id)) };
    });

    admin.post<{ Body: Body }>('/purge', async (request) => {
      const { target } = parseTarget(parseBody(request.body), []);
      if ('filter' in target) return { purged: await dlq.purge(target.filter) };
      let purged = 0;
      for (const id of target.ids) purged += Number(await dlq.remove(id));
      return { purged };
    });
  }, { prefix: '/admin/dlq' });
}
