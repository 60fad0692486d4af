import { pathAllowMethods } from '../sources/http/rest-cors.js';
import { mergeGlobals } from './globals.js';
import { apiOf } from './http-api.js';
import type { Stack } from './stack.js';
import { ALL_METHODS } from '../sources/http/settings.js';
import { isObject } from '../own.js';

type Props = Record<string, unknown>;

const CORS_FIELDS = new Set(['AllowMethods', 'AllowHeaders', 'AllowOrigin', 'MaxAge', 'AllowCredentials']);
const WILDCARD = "'*'";

/** The REST API an Api event names. */
export const restApiOf = (stack: Stack, event: Props) => apiOf(stack, event, 'RestApiId');

/** SAM's value for a response header: a quoted static string (`"'www.example.com'"`), unquoted. */
function unquote(stack: Stack, value: unknown, at: string): string {
  const quoted = typeof value === 'string' ? /^'(.*)'$/s.exec(value) : null;
  if (!quoted) {
    throw stack.resolver.error(at, `must be a quoted string such as "'https://www.example.com'" (API Gateway reads an unquoted value as a mapping expression), not ${JSON.stringify(value)}`);
  }
  return quoted[1];
}

/** The methods of every Api event on the same API and path (a trailing slash aside), as SAM's path item holds them. */
function pathMethods(stack: Stack, apiId: string | undefined, path: string): string[] {
  const trim = (p: unknown) => (p === '/' ? p : String(p).replace(/\/$/, ''));
  const methods: string[] = [];
  for (const resource of stack.resources.values()) {
    if (resource.Type !== 'AWS::Serverless::Function' || !isObject(resource.Properties.Events)) continue;
    for (const event of Object.values(resource.Properties.Events)) {
      if (!isObject(event) || event.Type !== 'Api' || !isObject(event.Properties)) continue;
      const props = event.Properties;
      if (restApiOf(stack, props).id === apiId && trim(props.Path) === trim(path)) methods.push(props.Method === undefined ? 'ANY' : String(props.Method).toUpperCase());
    }
  }
  return methods;
}

/**
 * The `cors` of a SAM Api event's route: its API's `Cors` (an AWS::Serverless::Api's, merged over
 * `Globals.Api.Cors`; the implicit API has Globals' only), as samtranslator's `_add_cors` compiles
 * it: a string is the origin; AllowOrigin defaults to '*'; AllowMethods absent → the methods of the
 * path's events on that API and OPTIONS; no CORS on a path that has an OPTIONS method of its own.
 */
export function samRestCors(stack: Stack, event: Props, path: string): Props | undefined {
  const { id } = restApiOf(stack, event);
  const property = samApiProperty(stack, event, 'Cors');
  if (!property?.value) return undefined;
  const { value, where } = property;
  if (typeof value !== 'string' && !isObject(value)) {
    throw stack.resolver.error(where, `must be the allowed origin ("'www.example.com'") or { AllowOrigin, AllowMethods, AllowHeaders, MaxAge, AllowCredentials }`);
  }
  const cors: Props = typeof value === 'string' ? { AllowOrigin: value } : value;
  for (const key of Object.keys(cors)) if (!CORS_FIELDS.has(key)) throw stack.resolver.error(`${where}.${key}`, `is not a Cors property (${[...CORS_FIELDS].join(', ')})`);
  const origin = cors.AllowOrigin ?? WILDCARD;
  if (cors.AllowCredentials === true && origin === WILDCARD) {
    throw stack.resolver.error(where, "AllowCredentials can not be true when AllowOrigin is \"'*'\" or not set (SAM refuses it)");
  }
  const methods = pathMethods(stack, id, path);
  if (methods.includes('OPTIONS')) return undefined;
  const maxAge = typeof cors.MaxAge === 'number' || cors.MaxAge === undefined ? cors.MaxAge : unquote(stack, cors.MaxAge, `${where}.MaxAge`);
  if (typeof maxAge === 'string' && !/^\d+$/.test(maxAge)) throw stack.resolver.error(`${where}.MaxAge`, `must be a number of seconds ("'600'"), not ${JSON.stringify(cors.MaxAge)}`);
  return {
    allowOrigin: unquote(stack, origin, `${where}.AllowOrigin`),
    allowMethods: cors.AllowMethods ? unquote(stack, cors.AllowMethods, `${where}.AllowMethods`) : pathAllowMethods(methods),
    ...(cors.AllowHeaders ? { allowHeaders: unquote(stack, cors.AllowHeaders, `${where}.AllowHeaders`) } : {}),
    ...(maxAge === undefined ? {} : { maxAge: Number(maxAge) }),
    allowCredentials: cors.AllowCredentials === true,
  };
}

/** The Framework's Access-Control-Allow-Headers when `cors` gives none (REST and HTTP APIs alike). */
export const FRAMEWORK_HEADERS = ['Content-Type', 'X-Amz-Date', 'Authorization', 'X-Api-Key', 'X-Amz-Security-Token', 'X-Amz-User-Agent', 'X-Amzn-Trace-Id'];

/** `cors: true | {...}` of one http event, as the Framework's getCors reads it. */
function frameworkEventCors(cors: unknown, method: string): Props {
  const given = isObject(cors) ? cors : {};
  const out: Props = { origin: given.origins === undefined ? '*' : undefined, ...given };
  out.headers = given.headers ? [given.headers].flat().map(String) : FRAMEWORK_HEADERS;
  const methods = Array.isArray(given.methods) ? given.methods.map((m) => String(m).toUpperCase()) : ['OPTIONS'];
  out.methods = [...new Set([...methods, 'OPTIONS', method])];
  out.allowCredentials = Boolean(given.allowCredentials);
  return out;
}

const union = (first: unknown, second: unknown) => [...new Set([...(Array.isArray(first) ? first : []), ...(Array.isArray(second) ? second : [])])];

/**
 * serverless.yml `http` events' `cors` → each path's `cors` setting, merged over the path's events
 * as the Framework's api-gateway validate.js and cors.js do: headers, methods and origins united,
 * credentials if any event allows them, the last origin, maxAge and cacheControl; `origins` (or an
 * `origin` holding commas) answer with the request's matching Origin. Keys are `/path` as routed.
 */
export function frameworkRestCors(events: Array<{ path: string; method: string; cors: unknown }>): Map<string, Props> {
  const merged = new Map<string, Props>();
  for (const { path, method, cors } of events) {
    if (!cors) continue;
    const next = frameworkEventCors(cors, method);
    const acc = merged.get(path) ?? {};
    acc.headers = union(next.headers, acc.headers);
    acc.methods = union(next.methods, acc.methods);
    acc.origins = union(next.origins, acc.origins);
    acc.origin = next.origin;
    acc.allowCredentials = Boolean(acc.allowCredentials) || next.allowCredentials === true;
    if (next.maxAge) acc.maxAge = next.maxAge;
    if (next.cacheControl) acc.cacheControl = next.cacheControl;
    merged.set(path, acc);
  }
  return new Map([...merged].map(([path, cors]) => [path, frameworkSettings(cors)]));
}

function frameworkSettings(cors: Props): Props {
  const origin = cors.origin === undefined ? undefined : String(cors.origin);
  const origins = origin?.includes(',') ? origin.split(',').map((o) => o.trim()) : (cors.origins as unknown[]).map(String);
  const headers = (cors.headers as string[]).join(',');
  return {
    allowOrigin: origins.length ? origins : origin,
    ...(headers ? { allowHeaders: headers } : {}),
    allowMethods: (cors.methods as string[]).join(',').replace('ANY', ALL_METHODS.filter((m) => m !== 'OPTIONS').sort().join(',')),
    allowCredentials: cors.allowCredentials,
    ...(cors.maxAge ? { maxAge: cors.maxAge } : {}),
    ...(cors.cacheControl ? { cacheControl: cors.cacheControl } : {}),
  };
}

/**
 * The binary media types of the REST API a SAM Api event names: its AWS::Serverless::Api's
 * `BinaryMediaTypes` after `Globals.Api.BinaryMediaTypes` (SAM concatenates lists; the implicit API
 * has Globals' only), with SAM's `~1` for `/` (`image~1png`) read as `/`. Undefined when there are none.
 */
export function samBinaryMediaTypes(stack: Stack, event: Props): string[] | undefined {
  const property = samApiProperty(stack, event, 'BinaryMediaTypes');
  if (!property || property.value === undefined) return undefined;
  const { value, where } = property;
  if (!Array.isArray(value) || !value.every((type) => typeof type === 'string')) throw stack.resolver.error(where, 'must be a list of media types (image~1png or image/png)');
  return value.map((type: string) => type.replaceAll('~1', '/'));
}

/**
 * A property of the REST API a SAM Api event names, resolved: its AWS::Serverless::Api's merged over
 * `Globals.Api`'s as SAM merges Globals (the implicit API has Globals' only), with the path it is read
 * at. Undefined for an API that is no AWS::Serverless::Api (SAM applies neither to it).
 */
function samApiProperty(stack: Stack, event: Props, name: string): { value: unknown; where: string } | undefined {
  const { id, api } = restApiOf(stack, event);
  if (id !== undefined && api?.Type !== 'AWS::Serverless::Api') return undefined;
  const globals = stack.globals.get('Api');
  const own = api?.Properties[name];
  const where = own === undefined ? `Globals.Api.${name}` : `Resources.${id}.Properties.${name}`;
  const fromGlobals = isObject(globals) && Object.hasOwn(globals, name) ? { [name]: globals[name] } : {};
  const merged = mergeGlobals(fromGlobals, own === undefined ? {} : { [name]: own })[name];
  return { value: merged === undefined ? undefined : stack.resolver.resolve(merged, where), where };
}
