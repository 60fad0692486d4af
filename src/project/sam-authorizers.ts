import { functionOfArn, lambdaAuthorizer, resultTtl, TOKEN_ISSUER_WARNING, type AuthorizerOrigin } from './authorizers.js';
import { functionArnElsewhere } from '../arn.js';
import { mergeGlobals } from './globals.js';
import { apiOf } from './http-api.js';
import type { Stack } from './stack.js';
import { isObject } from '../own.js';

/**
 * The `authorizer` of a SAM Api / HttpApi event's route: the event's `Auth.Authorizer`, else its
 * API's `Auth.DefaultAuthorizer` (an AWS::Serverless::Api / HttpApi's `Auth` merged over
 * `Globals.<Api|HttpApi>.Auth`; the implicit API has Globals' only), looked up in that `Auth`'s
 * `Authorizers`, with samtranslator's defaults. Lambda authorizers are mapped; `NONE` opens the
 * route; Cognito, JWT and AWS_IAM authorizers are a warning (the route is open).
 */
type Props = Record<string, unknown>;
type Kind = 'Api' | 'HttpApi';
type Warn = (message: string) => void;


const API = {
  Api: { key: 'RestApiId', type: 'AWS::Serverless::Api', header: 'method.request.header.', query: 'method.request.querystring.', stage: 'stageVariables.', context: 'context.' },
  HttpApi: { key: 'ApiId', type: 'AWS::Serverless::HttpApi', header: '$request.header.', query: '$request.querystring.', stage: '$stageVariables.', context: '$context.' },
} as const;

/** The `Auth` properties samtranslator takes per API type (its AuthProperties); any other is "Invalid value for 'Auth' property". */
const AUTH_KEYS: Record<Kind, ReadonlySet<string>> = {
  Api: new Set(['Authorizers', 'DefaultAuthorizer', 'InvokeRole', 'AddDefaultAuthorizerToCorsPreflight', 'AddApiKeyRequiredToCorsPreflight', 'ApiKeyRequired', 'ResourcePolicy', 'UsagePlan']),
  HttpApi: new Set(['Authorizers', 'DefaultAuthorizer', 'EnableIamAuthorizer']),
};

interface Found { stack: Stack; kind: Kind; definition: Props; at: string; warn: Warn; routePayload: string }

/** The event's API's `Auth` (its own merged over Globals'), unless the API is not an AWS::Serverless::<kind>, whose Auth is not read. */
function apiAuth(stack: Stack, kind: Kind, event: Props): { id?: string; auth?: Props; where: string } {
  const api = API[kind];
  const { id, api: resource } = apiOf(stack, event, api.key);
  const own = resource?.Properties.Auth;
  const where = own === undefined ? `Globals.${kind}.Auth` : `Resources.${id}.Properties.Auth`;
  if (id !== undefined && resource?.Type !== api.type) return { id, where };
  const globals = stack.globals.get(kind);
  const merged = mergeGlobals(isObject(globals) && globals.Auth !== undefined ? { Auth: globals.Auth } : {}, own === undefined ? {} : { Auth: own }).Auth;
  if (isObject(merged)) {
    const unknown = Object.keys(merged).filter((key) => !AUTH_KEYS[kind].has(key));
    if (unknown.length) throw stack.resolver.error(`${where}.${unknown[0]}`, `Invalid value for 'Auth' property: an ${api.type}'s Auth takes ${[...AUTH_KEYS[kind]].join(', ')} (SAM refuses the template)`);
  }
  return { id, auth: isObject(merged) ? stack.resolver.resolve(unresolvedSettings(merged), where) as Props : {}, where };
}

/**
 * JWT and Cognito authorizers are not emulated (only their presence is read, for the warning), so
 * their `JwtConfiguration` and `UserPoolArn` are not resolved: another stack's output there
 * (`!GetAtt AuthStack.Outputs.Issuer`) never stops the template.
 */
const UNREAD = new Set(['JwtConfiguration', 'UserPoolArn']);
function unresolvedSettings(auth: Props): Props {
  if (!isObject(auth.Authorizers)) return auth;
  const authorizers = Object.entries(auth.Authorizers).map(([name, definition]) => [name, !isObject(definition) ? definition
    : Object.fromEntries(Object.entries(definition).map(([key, value]) => [key, UNREAD.has(key) ? 'not-resolved-locally' : value]))]);
  return { ...auth, Authorizers: Object.fromEntries(authorizers) };
}

/** `event`: the event's properties as written; `resolved`: resolved. */
export function samAuthorizer(stack: Stack, kind: Kind, event: Props, resolved: Props, at: string, warn: Warn): Props | undefined {
  const { id, auth, where } = apiAuth(stack, kind, event);
  const eventAuth = isObject(resolved.Auth) ? resolved.Auth : {};
  if (auth === undefined) {
    if (resolved.Auth !== undefined) warn(`${at}.Auth: ${id} is not an ${API[kind].type}, whose Auth is not read locally: the route is open`);
    return undefined;
  }
  if (eventAuth.ApiKeyRequired === true || (kind === 'Api' && auth.ApiKeyRequired === true && eventAuth.ApiKeyRequired !== false)) {
    warn(`${at}.Auth: API keys (ApiKeyRequired) are not checked locally`);
  }
  // samtranslator gives an OPTIONS method the DefaultAuthorizer only with AddDefaultAuthorizerToCorsPreflight (default true).
  const preflight = kind === 'Api' && String(resolved.Method).toLowerCase() === 'options';
  if (eventAuth.Authorizer === undefined && preflight && !addToPreflight(stack, auth, where)) return undefined;
  const fromEvent = eventAuth.Authorizer !== undefined;
  return authorizerNamed({ stack, kind, auth, where, warn, at, routePayload: String(resolved.PayloadFormatVersion ?? '2.0') },
    fromEvent ? eventAuth.Authorizer : auth.DefaultAuthorizer, fromEvent ? `${at}.Auth.Authorizer` : `${where}.DefaultAuthorizer`);
}

/**
 * The route `cors` of a SAM Api event with the authorizer of the OPTIONS method samtranslator
 * generates for `Cors`: its API's `DefaultAuthorizer` (whatever the path's events' own `Authorizer`
 * or `NONE`: set_path_default_authorizer covers every method of the path), unless
 * `AddDefaultAuthorizerToCorsPreflight: false`. What the hub cannot run (Cognito, AWS_IAM, another
 * stack's function) leaves the answer open; the routes' warnings name it.
 */
export function withPreflightAuthorizer(stack: Stack, event: Props, cors: Props | undefined): Props | undefined {
  const { auth, where } = apiAuth(stack, 'Api', event);
  if (!cors || !auth || auth.DefaultAuthorizer === undefined || !addToPreflight(stack, auth, where)) return cors;
  const authorizer = authorizerNamed({ stack, kind: 'Api', auth, where, warn: () => {}, at: where, routePayload: '1.0' }, auth.DefaultAuthorizer, `${where}.DefaultAuthorizer`);
  return authorizer ? { ...cors, authorizer } : cors;
}

function addToPreflight(stack: Stack, auth: Props, where: string): boolean {
  const add = auth.AddDefaultAuthorizerToCorsPreflight ?? true;
  if (typeof add !== 'boolean') throw stack.resolver.error(`${where}.AddDefaultAuthorizerToCorsPreflight`, `must be true or false, not ${JSON.stringify(add)}`);
  return add;
}

interface Lookup { stack: Stack; kind: Kind; auth: Props; where: string; warn: Warn; at: string; routePayload: string }

/** The authorizer `name` of `Auth.Authorizers` (`named`: where the name is written), mapped. */
function authorizerNamed({ stack, kind, auth, where, warn, at, routePayload }: Lookup, name: unknown, named: string): Props | undefined {
  if (name === undefined || name === 'NONE') return undefined;
  if (name === 'AWS_IAM') {
    warn(`${at}.Auth.Authorizer: AWS_IAM (SigV4) authorization of ${kind} routes is not checked locally: the route is open`);
    return undefined;
  }
  const authorizers = new Map(Object.entries(isObject(auth.Authorizers) ? auth.Authorizers : {}));
  const definition = authorizers.get(String(name));
  if (!isObject(definition)) {
    throw stack.resolver.error(named, `${String(name)} is not one of ${where}.Authorizers (${[...authorizers.keys()].join(', ') || 'none'}), as SAM requires`);
  }
  const found: Found = { stack, kind, definition, at: `${where}.Authorizers.${String(name)}`, warn, routePayload };
  return kind === 'Api' ? restAuthorizer(found) : httpAuthorizer(found);
}

/** The function of `FunctionArn` (a Ref / GetAtt of a template function resolves to its ARN). */
function authorizerFunction({ stack, definition, at, warn }: Found): string | undefined {
  if (definition.FunctionArn === undefined) throw stack.resolver.error(`${at}.FunctionArn`, 'is required for a Lambda authorizer (SAM refuses it without one)');
  const arn = String(definition.FunctionArn);
  const fn = functionOfArn(arn);
  // A function of another account, region or partition is not the project's of that name: none runs here.
  const elsewhere = fn && functionArnElsewhere(arn, stack.identity);
  if (fn === undefined || elsewhere) {
    warn(`${at}.FunctionArn: ${arn} is ${elsewhere ? `a function of ${elsewhere}, not of this project` : 'not a Lambda function ARN'}: the route is open`);
    return undefined;
  }
  return fn;
}

/** Identity `Headers` and `QueryStrings` as identity sources; `StageVariables` and `Context` are named in a warning. */
function identitySources({ stack, kind, definition, at, warn }: Found): { sources: string[]; ttl: unknown; declared: boolean } {
  const identity = isObject(definition.Identity) ? definition.Identity : {};
  const api = API[kind];
  const list = (key: string): string[] => {
    const value = identity[key];
    if (value === undefined) return [];
    if (!Array.isArray(value) || !value.every((item) => typeof item === 'string')) throw stack.resolver.error(`${at}.Identity.${key}`, 'must be a list of names (SAM requires one)');
    return value;
  };
  const sources = [...list('Headers').map((h) => api.header + h), ...list('QueryStrings').map((q) => api.query + q)];
  const unchecked = [...list('StageVariables').map((s) => api.stage + s), ...list('Context').map((c) => api.context + c)];
  if (unchecked.length) warn(`${at}.Identity: ${unchecked.join(', ')} not checked locally (headers and query strings are; the cache keys on those alone)`);
  return { sources, ttl: identity.ReauthorizeEvery, declared: sources.length + unchecked.length > 0 };
}

/** Where the authorizer's settings are in the template, for errors: under `Identity`. */
const origin = ({ stack, at }: Found, identitySource: string): AuthorizerOrigin => ({
  stack, at, names: { identitySource, validationExpression: 'Identity.ValidationExpression', resultTtlInSeconds: 'Identity.ReauthorizeEvery' },
});

function restAuthorizer(found: Found): Props | undefined {
  const { stack, definition, at, warn } = found;
  if (definition.UserPoolArn !== undefined) {
    warn(`${at}: a Cognito user pool authorizer ${TOKEN_ISSUER_WARNING}`);
    return undefined;
  }
  const type = definition.FunctionPayloadType === undefined ? 'TOKEN' : String(definition.FunctionPayloadType);
  if (type !== 'TOKEN' && type !== 'REQUEST') throw stack.resolver.error(`${at}.FunctionPayloadType`, `must be TOKEN or REQUEST, not ${type}`);
  const fn = authorizerFunction(found);
  if (fn === undefined) return undefined;
  const identity = isObject(definition.Identity) ? definition.Identity : {};
  if (type === 'TOKEN') {
    const validation = identity.ValidationExpression === undefined ? {} : { validationExpression: String(identity.ValidationExpression) };
    return lambdaAuthorizer(origin(found, 'Identity.Header'), fn, [`${API.Api.header}${String(identity.Header ?? 'Authorization')}`], identity.ReauthorizeEvery, validation);
  }
  const { sources, ttl, declared } = identitySources(found);
  if (!declared && resultTtl(ttl) !== 0) throw stack.resolver.error(`${at}.Identity`, 'must name at least one of Headers, QueryStrings, StageVariables or Context (SAM requires it for a REQUEST authorizer unless ReauthorizeEvery is 0)');
  return lambdaAuthorizer(origin(found, 'Identity'), fn, sources, ttl, { type: 'REQUEST' });
}

function httpAuthorizer(found: Found): Props | undefined {
  const { stack, definition, at, warn, routePayload } = found;
  if (definition.JwtConfiguration !== undefined) {
    warn(`${at}: a JWT (OAuth2) authorizer ${TOKEN_ISSUER_WARNING}`);
    return undefined;
  }
  const version = definition.AuthorizerPayloadFormatVersion === undefined ? undefined : String(definition.AuthorizerPayloadFormatVersion);
  if (version !== '1.0' && version !== '2.0') throw stack.resolver.error(`${at}.AuthorizerPayloadFormatVersion`, `must be '1.0' or '2.0' (SAM requires it for a Lambda authorizer)${version === undefined ? '' : `, not ${version}`}`);
  const simple = definition.EnableSimpleResponses === true || definition.EnableSimpleResponses === 'true';
  if (simple && version === '1.0') throw stack.resolver.error(`${at}.EnableSimpleResponses`, 'needs AuthorizerPayloadFormatVersion 2.0 (API Gateway refuses simple responses with 1.0)');
  const fn = authorizerFunction(found);
  if (fn === undefined) return undefined;
  if (version !== routePayload) warn(`${at}.AuthorizerPayloadFormatVersion: ${version}: locally the authorizer gets the route's payload format ${routePayload}`);
  const { sources, ttl } = identitySources(found);
  return lambdaAuthorizer(origin(found, 'Identity'), fn, sources, ttl, { enableSimpleResponses: simple });
}
