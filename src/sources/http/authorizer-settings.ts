import { z } from 'zod';
import type { SettingsProblem } from '../source.js';
import { intBetween, namedRecord } from '../kit/settings.js';

const IDENTITY_SOURCE = /^(method\.request\.(header|querystring)\.|\$request\.(header|querystring)\.)[\w.-]+$/;
const identitySource = z.string().regex(IDENTITY_SOURCE, {
  error: 'must name a header or query parameter: method.request.header.NAME (REST) or $request.header.NAME (HTTP API)',
});

/** A Lambda authorizer function (REQUEST or TOKEN) whose answer gates the call. */
export const lambdaAuthorizerSchema = z.object({
  function: z.string({ error: 'is required: the name of a configured function' }).min(1, { error: 'must name a configured function' }),
  /** REST APIs: TOKEN when absent (SAM's default); HTTP APIs: REQUEST only. */
  type: z.enum(['TOKEN', 'REQUEST'], { error: "must be 'TOKEN' or 'REQUEST'" }).optional(),
  identitySource: z.preprocess((v) => (typeof v === 'string' ? [v] : v), z.array(identitySource)).optional(),
  /** TOKEN: the token must match this regular expression, else 401 without invoking. */
  validationExpression: z.string().refine(isRegex, { error: 'must be a valid regular expression' }).optional(),
  /** HTTP APIs: the function answers `{ isAuthorized, context }` instead of an IAM policy. */
  enableSimpleResponses: z.boolean().default(false),
  /** How long an answer is reused for the same identity source values (API Gateway's cache); 0: every request asks. */
  resultTtlInSeconds: intBetween(0, 3600).default(0),
}).strict();

/**
 * A route's `authorizer`: fixed Cognito/JWT `claims` injected into every request, or a Lambda
 * authorizer function (REQUEST or TOKEN) whose answer gates the call.
 */
export const authorizerSchema = z.union([
  z.object({
    claims: namedRecord(z.string(), z.unknown()),
    scopes: z.array(z.string()).optional(),
  }).strict(),
  lambdaAuthorizerSchema,
], { error: 'must be { claims: {...} } or { function: NAME, type?, identitySource?, validationExpression?, enableSimpleResponses?, resultTtlInSeconds? }' });

export type AuthorizerSettings = z.infer<typeof authorizerSchema>;

function isRegex(source: string): boolean {
  try {
    new RegExp(source);
    return true;
  } catch {
    return false;
  }
}

/**
 * Cross-checks: the authorizer function is configured; a cached REQUEST authorizer names its
 * identity sources (the cache key), as API Gateway requires.
 */
export function authorizerProblems(settings: { authorizer?: AuthorizerSettings }, functions: ReadonlySet<string>): SettingsProblem[] {
  const { authorizer } = settings;
  if (!authorizer || !('function' in authorizer)) return [];
  if (!functions.has(authorizer.function)) return [{ path: ['authorizer', 'function'], message: `no function named "${authorizer.function}" is configured` }];
  if (authorizer.type === 'REQUEST' && authorizer.resultTtlInSeconds > 0 && !authorizer.identitySource?.length) {
    return [{ path: ['authorizer', 'identitySource'], message: 'is required when resultTtlInSeconds is over 0 (the identity source values are the cache key)' }];
  }
  return [];
}
