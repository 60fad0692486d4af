import { isUtf8 } from 'node:buffer';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { FunctionConfig, HubConfig } from '../config/load.js';
import { HubError } from '../errors.js';
import { checkFunctionHome, checkFunctionRef, checkRefMember, functionArn, parseFunctionRef } from '../arn.js';
import { Violations } from '../validation.js';
import type { Dispatcher } from '../router/dispatcher.js';
import { buildEnvelope, ENVELOPE_TYPES, newDelivery } from '../router/envelope.js';
import { traceFromHeaders } from '../tracing.js';
import type { InvokeResult } from '../runtime/types.js';
import { lambdaErrorDocument } from '../runtime/failures.js';
import { ASYNC_PAYLOAD_LIMIT, INVOKE_ASYNC_PAYLOAD_LIMIT, SYNC_PAYLOAD_LIMIT, withinResponseLimit } from '../sources/kit/limits.js';
import { hasVersions, LATEST, PUBLISHED_VERSION, resolveQualifier, type FunctionVariant } from '../config/versions.js';
import { registerAliasesApi } from './aliases-api.js';
import { functionConfiguration, getFunctionResponse } from './function-configuration.js';
import { parseJson } from '../json.js';
import { page, type PageQuery } from './list-pages.js';

const API = '/2015-03-31/functions';
/** The IAM action of Invoke, InvokeWithResponseStream and InvokeAsync. */
const INVOKE_ACTION = 'InvokeFunction';
const LOG_TAIL_BYTES = 4096;
/** In the order Lambda's ValidationException lists them. */
const INVOCATION_TYPES = ['DryRun', 'RequestResponse', 'Event'] as const;

/** `X-Amz-Log-Type` (the SDK's LogType): `Tail` returns the log tail, `None` (the default) does not. */
const LOG_TYPES = ['None', 'Tail'] as const;

interface FunctionParams { name: string }

/** A function and the version or alias a call names. */
export interface Target { fn: FunctionConfig; variant: FunctionVariant }

/** A configured function by name (own properties only), or undefined. */
export function findFunction(config: HubConfig, name: string): FunctionConfig | undefined {
  return Object.hasOwn(config.functions, name) ? config.functions[name] : undefined;
}

/**
 * The function and variant of `{name}` (a name, `name:qualifier`, or a full or partial ARN) and the
 * `Qualifier` parameter, which must agree when both are given, as Lambda checks. Either one
 * malformed is Lambda's 400 ValidationException; well-formed but unknown, its 404; an ARN of another
 * region or account, Lambda's answer for it (checkFunctionHome; `action` is the operation's IAM action).
 */
export function lookup(config: HubConfig, ref: string, qualifierParam: string | undefined, action = INVOKE_ACTION): Target {
  checkFunctionRef(ref, qualifierParam);
  return resolveTarget(config, ref, qualifierParam, action);
}

/** lookup() for a reference and Qualifier already checked against the API's constraints (checkInvokeMembers). */
export function resolveTarget(config: HubConfig, ref: string, qualifierParam: string | undefined, action = INVOKE_ACTION): Target {
  const parsed = parseFunctionRef(ref);
  checkFunctionHome(parsed, config, action);
  if (parsed.qualifier !== undefined && qualifierParam !== undefined && parsed.qualifier !== qualifierParam) {
    throw new HubError('TH_ERR_REQUEST_INVALID_PARAMETER', 'The derived qualifier from the function name does not match the specified qualifier.');
  }
  const qualifier = qualifierParam ?? parsed.qualifier;
  const fn = findFunction(config, parsed.name);
  const variant = fn && resolveQualifier(fn, qualifier);
  if (!fn || !variant) {
    // An invocation names the version it would have run: Lambda's Invoke says `…:fn:$LATEST` for an
    // unqualified name, its reads (GetFunction …) the bare ARN.
    const named = qualifier ?? (action === INVOKE_ACTION ? LATEST : undefined);
    const arn = functionArn(config.region, config.accountId, parsed.name) + (named === undefined ? '' : `:${named}`);
    throw new HubError('TH_ERR_FUNCTION_NOT_FOUND', `Function not found: ${arn}`);
  }
  return { fn, variant };
}

/**
 * The Lambda API subset an unmodified AWS SDK or CLI needs: Invoke, ListFunctions, GetFunction,
 * and the version and alias reads (aliases-api.ts).
 */
export function registerInvokeApi(app: FastifyInstance, config: HubConfig, dispatcher: Dispatcher): void {
  app.get<{ Querystring: PageQuery & { FunctionVersion?: string } }>(API, async (request) => {
    const entries = Object.values(config.functions).flatMap((fn) =>
      listAllVersions(request.query.FunctionVersion) && hasVersions(fn) ? [{ fn }, { fn, variant: PUBLISHED }] : [{ fn }]);
    const { page: listed, ...next } = page(entries, request.query);
    return { Functions: listed.map(({ fn, variant }) => functionConfiguration(config, fn, variant)), ...next };
  });

  app.get<{ Params: FunctionParams; Querystring: { Qualifier?: string } }>(`${API}/:name`, async (request) => {
    const { fn, variant } = lookup(config, request.params.name, request.query.Qualifier, 'GetFunction');
    return getFunctionResponse(config, fn, variant);
  });

  app.get<{ Params: FunctionParams; Querystring: { Qualifier?: string } }>(`${API}/:name/configuration`, async (request) => {
    const { fn, variant } = lookup(config, request.params.name, request.query.Qualifier, 'GetFunctionConfiguration');
    return functionConfiguration(config, fn, variant);
  });

  registerAliasesApi(app, config, (name, action) => lookup(config, name, undefined, action).fn);

  app.post<{ Params: FunctionParams; Querystring: { Qualifier?: string }; Body: Buffer | undefined }>(
    `${API}/:name/invocations`,
    async (request, reply) => invoke(request, reply),
  );

  // InvokeAsync, Lambda's deprecated operation: an Invoke with InvocationType Event, answered
  // `202 {"Status":202}`, with the old asynchronous payload limit (256 KB). Its name may carry a
  // qualifier; it has no Qualifier parameter.
  app.post<{ Params: FunctionParams; Body: Buffer | undefined }>('/2014-11-13/functions/:name/invoke-async', async (request, reply) => {
    const target = lookup(config, request.params.name, undefined);
    const requestId = await enqueueEvent(request, target, payloadOf(request.body, 'Event', INVOKE_ASYNC_PAYLOAD_LIMIT).data);
    return reply.code(202).header('x-amzn-RequestId', requestId).send({ Status: 202 });
  });

  /** Queues an asynchronous invocation (durable once this resolves) and returns its request id. */
  async function enqueueEvent(request: FastifyRequest, { fn, variant }: Target, data: unknown): Promise<string> {
    const envelope = buildEnvelope({ source: 'triggerhub:invoke', type: ENVELOPE_TYPES.invoke, subject: fn.name, data, traceparent: traceFromHeaders(request.headers) });
    await dispatcher.enqueue(envelope, newDelivery(fn.name, 'Event', variant.qualifier === undefined ? {} : { qualifier: variant.qualifier }));
    return envelope.id;
  }

  async function invoke(
    request: FastifyRequest<{ Params: FunctionParams; Querystring: { Qualifier?: string }; Body: Buffer | undefined }>,
    reply: FastifyReply,
  ): Promise<FastifyReply> {
    // The members' own constraints first, as Lambda validates its input before looking anything up:
    // a bad InvocationType or LogType is 400 also for a function that does not exist.
    const { invocationType, tail } = checkInvokeMembers(request, INVOCATION_TYPES);
    const target = resolveTarget(config, request.params.name, request.query.Qualifier);
    const payload = payloadOf(request.body, invocationType);
    const clientContext = parseClientContext(request);
    if (invocationType === 'DryRun') return reply.code(204).send();
    if (invocationType === 'Event') return reply.code(202).header('x-amzn-RequestId', await enqueueEvent(request, target, payload.data)).send();
    const envelope = buildEnvelope({ source: 'triggerhub:invoke', type: ENVELOPE_TYPES.invoke, subject: target.fn.name, data: payload.data, traceparent: traceFromHeaders(request.headers) });
    const result = await dispatcher.invokeSync(target.fn, envelope, { qualifier: target.variant.qualifier, clientContext, payload: payload.text });
    return sendResult(reply, result, target.variant.version, tail);
  }
}

/**
 * The invocation's payload (`{}` for an empty body), within the invocation type's size limit (or
 * the operation's own, `limit`): its text and its value.
 */
function payloadOf(raw: Buffer | undefined, invocationType: (typeof INVOCATION_TYPES)[number], limit = invocationType === 'Event' ? ASYNC_PAYLOAD_LIMIT : SYNC_PAYLOAD_LIMIT): Payload {
  const body = raw && raw.length ? raw : Buffer.from('{}');
  if (body.length > limit) {
    // Lambda's words; bodies past the server's own limit get its front end's (aws-errors.ts toHubError).
    throw new HubError('TH_ERR_REQUEST_TOO_LARGE', `${body.length} byte payload is too large for the ${invocationType} invocation type (limit ${limit} bytes)`);
  }
  return parsePayload(body);
}

const PUBLISHED: FunctionVariant = { version: PUBLISHED_VERSION, qualifier: PUBLISHED_VERSION };

/** ListFunctions' `FunctionVersion`: `ALL` lists each function's published version too; Lambda's enum has no other value. */
function listAllVersions(value: string | undefined): boolean {
  return value !== undefined && enumMember(value, 'functionVersion', ['ALL']) === 'ALL';
}

/** `value` when it is one of `allowed`, else Lambda's 400 ValidationException naming the member and its enum. */
export function enumMember<T extends string>(value: string, member: string, allowed: readonly T[]): T {
  const violations = new Violations();
  const known = violations.enum(value, member, allowed);
  violations.throwIfAny();
  return known!;
}

/**
 * An Invoke's members as Lambda validates them, before anything is looked up: FunctionName,
 * InvocationType, LogType and Qualifier (the model's order), every violation in one
 * ValidationException. Returns the invocation type and whether the log tail is wanted.
 */
export function checkInvokeMembers<T extends string>(request: FastifyRequest<{ Params: FunctionParams; Querystring: { Qualifier?: string } }>, invocationTypes: readonly T[]): { invocationType: T; tail: boolean } {
  const violations = new Violations();
  checkRefMember(violations, 'functionName', request.params.name);
  const invocationType = violations.enum(header(request, 'x-amz-invocation-type') ?? 'RequestResponse', 'invocationType', invocationTypes);
  const logType = violations.enum(header(request, 'x-amz-log-type') ?? 'None', 'logType', LOG_TYPES);
  checkRefMember(violations, 'qualifier', request.query.Qualifier);
  violations.throwIfAny();
  return { invocationType: invocationType!, tail: logType === 'Tail' };
}

function sendResult(reply: FastifyReply, result: InvokeResult, version: string, tail: boolean): FastifyReply {
  reply.code(200)
    .header('content-type', 'application/json')
    .header('x-amzn-RequestId', result.requestId)
    .header('X-Amz-Executed-Version', version);
  if (tail) reply.header('X-Amz-Log-Result', logTail(result.logs));
  const checked = withinResponseLimit(result);
  if (checked.status !== 'success') reply.header('X-Amz-Function-Error', 'Unhandled');
  return reply.send(checked.status === 'success' ? checked.payload ?? 'null' : JSON.stringify(lambdaErrorDocument(checked.error!)));
}

/** The last 4 KB of the invocation's log, base64, as `X-Amz-Log-Result` carries it. */
export function logTail(logs: string): string {
  const bytes = Buffer.from(logs);
  return bytes.subarray(Math.max(0, bytes.length - LOG_TAIL_BYTES)).toString('base64');
}

/** A payload as sent (the runtime parses this, as Lambda's does) and as parsed (the envelope's data). */
export interface Payload { text: string; data: unknown }

/**
 * The payload as JSON, or Lambda's 400 InvalidRequestContentException (`Could not parse request body
 * into json: Could not parse payload into json: …`, its parser's words after that). Bytes that are
 * not UTF-8 are refused as Lambda's parser refuses them, not read as U+FFFD.
 */
export function parsePayload(body: Buffer): Payload {
  try {
    if (!isUtf8(body)) throw new SyntaxError('Invalid UTF-8: the payload is not UTF-8 text');
    const text = body.toString('utf8');
    return { text, data: parseJson(text) };
  } catch (cause) {
    throw new HubError('TH_ERR_REQUEST_INVALID_JSON', `Could not parse request body into json: Could not parse payload into json: ${(cause as Error).message}`, { cause });
  }
}

const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/**
 * `X-Amz-Client-Context` (the SDK's ClientContext): base64 of a JSON object, which the handler gets
 * as `context.clientContext` (Lambda passes it on synchronous invocations only). Anything else is
 * Lambda's 400 InvalidRequestContentException.
 */
export function parseClientContext(request: FastifyRequest): Record<string, unknown> | undefined {
  const encoded = header(request, 'x-amz-client-context');
  if (encoded === undefined || encoded === '') return undefined;
  let value: unknown;
  try {
    value = BASE64.test(encoded) ? parseJson(Buffer.from(encoded, 'base64').toString('utf8')) : undefined;
  } catch {
    value = undefined;
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new HubError('TH_ERR_REQUEST_INVALID_JSON', 'Client context must be a valid Base64-encoded JSON object.');
  }
  return value as Record<string, unknown>;
}

export function header(request: FastifyRequest, name: string): string | undefined {
  const value = request.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

