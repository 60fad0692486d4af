import { z } from 'zod';
import { intBetween } from '../kit/settings.js';
import { authorizerSchema } from './authorizer-settings.js';
import { DEFAULT_STAGE, httpStageSchema, stagePath } from './stage.js';

export const HTTP_METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS', 'ANY'] as const;
/** Every method a route of ANY serves. */
export const ALL_METHODS = HTTP_METHODS.filter((method) => method !== 'ANY');
const RESERVED = ['/2015-03-31/', '/healthz', '/readyz', '/metrics', '/urls/', '/admin/'];

/** A push route must stay off the hub's own paths (Invoke API, health, default function URLs). */
export function isOwnPath(path: string): boolean {
  return RESERVED.some((r) => path === r.replace(/\/$/, '') || path.startsWith(r));
}
export const OWN_PATHS_MESSAGE = `must not use the hub's own paths (${RESERVED.join(', ')})`;

/** A route's path template (`/items/{id}`, `/files/{proxy+}`), off the hub's own paths. */
export const routePathSchema = z.string()
  .regex(/^\/[^?#\s]*$/, { error: 'must start with / and hold no query, fragment or spaces' })
  .refine((p) => !isOwnPath(p), { error: OWN_PATHS_MESSAGE })
  .refine((p) => !/\{[\w.-]+\+\}./.test(p), { error: 'a greedy {name+} parameter must be the last segment' })
  // API Gateway's path parts hold a-z A-Z 0-9 . _ - and whole-part {parameters}; fastify would read a * as its own wildcard.
  .refine((p) => !p.includes('*'), { error: 'must not hold * (a greedy {proxy+} last segment matches the rest of a path; an ALB path may end in /*)' });

/** Lambda function URL CORS settings (AWS's `Cors` fields, camelCased). */
export const corsSchema = z.object({
  allowOrigins: z.array(z.string()).default(['*']),
  allowMethods: z.array(z.string()).default(['*']),
  allowHeaders: z.array(z.string()).default([]),
  exposeHeaders: z.array(z.string()).default([]),
  maxAge: z.number().int().min(0).max(86400, { error: 'must be between 0 and 86400' }).default(0),
  allowCredentials: z.boolean().default(false),
}).strict();

/** Optional request authentication: a bearer token, or an HMAC-SHA256 signature of the body. */
export const authSchema = z.union([
  z.object({ bearer: z.string().min(1, { error: 'must not be empty' }) }).strict(),
  z.object({
    hmac: z.object({
      secret: z.string().min(1, { error: 'must not be empty' }),
      header: z.string().default('x-triggerhub-signature').transform((h) => h.toLowerCase()),
    }).strict(),
  }).strict(),
], { error: 'must be { bearer: TOKEN } or { hmac: { secret, header? } }' });

/** HTTP APIs' catch-all route: every request no other route of the API matches (its routeKey is `$default`). */
export const DEFAULT_ROUTE = '$default';

/** An HTTP API route's path: a path template, or the catch-all `$default`. */
const httpRoutePathSchema = z.string().superRefine((path, ctx) => {
  if (path === DEFAULT_ROUTE) return;
  for (const issue of routePathSchema.safeParse(path).error?.issues ?? []) ctx.addIssue({ code: 'custom', message: issue.message });
});

/** `events: - http: { path, methods, cors, auth }`: an HTTP route that invokes the function synchronously. */
export const httpSettingsSchema = z.object({
  path: httpRoutePathSchema,
  /** The HTTP API's stage: a named one serves the route at `/{stage}{path}`, as its invoke URL has it; `$default` at `path`. */
  stage: httpStageSchema.default(DEFAULT_STAGE),
  methods: z.array(z.enum(HTTP_METHODS, { error: `must be one of ${HTTP_METHODS.join(', ')}` })).min(1).default(['ANY']),
  cors: corsSchema.optional(),
  auth: authSchema.optional(),
  /** The integration's timeout (HTTP APIs: 50-30000 ms, 30 s by default); past it the caller gets 503. */
  timeoutInMillis: intBetween(50, 30_000).default(30_000),
  /** The event and response format of the HTTP API integration (`1.0` is the REST-like event). */
  payloadFormatVersion: z.enum(['1.0', '2.0'], { error: "must be '1.0' or '2.0'" }).default('2.0'),
  /** HTTP APIs have REQUEST Lambda authorizers only. */
  authorizer: authorizerSchema
    .refine((a) => !('type' in a) || a.type !== 'TOKEN', { error: 'HTTP APIs have REQUEST authorizers only (TOKEN is for REST APIs: use api:)' })
    .optional(),
}).strict().superRefine((s, ctx) => {
  const served = stagePath(s.stage, s.path === DEFAULT_ROUTE ? '/' : s.path);
  if (isOwnPath(served)) ctx.addIssue({ code: 'custom', path: ['stage'], message: `puts the route at ${served}, which ${OWN_PATHS_MESSAGE}` });
});

export type CorsSettings = z.infer<typeof corsSchema>;
export type AuthSettings = z.infer<typeof authSchema>;
export type HttpSettings = z.infer<typeof httpSettingsSchema>;
