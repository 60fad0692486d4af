import { z } from 'zod';
import type { SettingsProblem } from '../source.js';
import { namedRecord } from '../kit/settings.js';

const IDENTITY_SOURCE = /^(method\.request\.(header|querystring)\.|\$request\.(header|querystring)\.)[\w.-]+$/;
const identitySource = z.string().regex(IDENTITY_SOURCE, {
  error: 'must name a header or query parameter: method.request.header.NAME (REST) or $request.header.NAME (HTTP API)',
});

/**
 * A route's `authorizer`: fixed Cognito/JWT `claims` injected into every request, or a Lambda
 * authorizer function (REQUEST or TOKEN) whose answer gates the call.
 */
export const authorizerSchema = z.union([
  z.object({
    claims: namedRecord(z.string(), z.unknown()),
    scopes: z.array(z.string()).optional(),
  }).strict(),
  z.object({
    function: z.string().min(1, { error: 'must name a configured function' }),
    /** REST APIs: TOKEN when absent (SAM's default); HTTP APIs: REQUEST only. */
    type: z.enum(['TOKEN', 'REQUEST'], { error: "must be 'TOKEN' or 'REQUEST'" }).optional(),
    identitySource: z.preprocess((v) => (typeof v === 'string' ? [v] : v), z.array(identitySource)).optional(),
    /** TOKEN: the token must match this regular expression, else 401 without invoking. */
    validationExpression: z.string().refine(isRegex, { error: 'must be a valid regular expression' }).optional(),
    /** HTTP APIs: the function answers `{ isAuthorized, context }` instead of an IAM policy. */
    enableSimpleResponses: z.boolean().default(false),
  }).strict(),
], { error: 'must be { claims: {...} } or { function: NAME, type?, identitySource?, validationExpression?, enableSimpleResponses? }' });

export type AuthorizerSettings = z.infer<typeof authorizerSchema>;

function isRegex(source: string): boolean {
  try {
    new RegExp(source);
    return true;
  } catch {
    return false;
  }
}

/** Cross-check: the authorizer function is configured. */
export function authorizerProblems(settings: { authorizer?: AuthorizerSettings }, functions: ReadonlySet<string>): SettingsProblem[] {
  const { authorizer } = settings;
  if (!authorizer || !('function' in authorizer) || functions.has(authorizer.function)) return [];
  return [{ path: ['authorizer', 'function'], message: `no function named "${authorizer.function}" is configured` }];
}
