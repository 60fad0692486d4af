import { z } from 'zod';
import { executeApiDomain } from './http.js';
import { createAuthorizer } from './http/authorizer.js';
import { authorizerProblems, authorizerSchema } from './http/authorizer-settings.js';
import { registerRoute, routeSource } from './http/route.js';
import { restCorsSchema } from './http/rest-cors.js';
import { HTTP_METHODS, routePathSchema } from './http/settings.js';
import { apiGatewayTooLarge, restShape, restTimeout } from './http/shapes.js';
import { intBetween, namedRecord } from './kit/settings.js';
import { defineSourceKind } from './source.js';

const methodSchema = z.enum(HTTP_METHODS, { error: `must be one of ${HTTP_METHODS.join(', ')}` });

/**
 * `events: - api: { path, method, stage }`: a REST API (API Gateway v1) proxy integration, SAM's
 * `Type: Api`, served at `path` (without the stage, like `sam local start-api`).
 */
export const apiSettingsSchema = z.object({
  path: routePathSchema,
  method: z.preprocess((m) => (typeof m === 'string' ? [m] : m), z.array(methodSchema).min(1)).default(['ANY']),
  stage: z.string().regex(/^[\w-]{1,128}$/, { error: 'may hold letters, digits, _ and - only' }).default('Prod'),
  stageVariables: namedRecord(z.string().regex(/^[\w]+$/, { error: 'stage variable names hold letters, digits and _' }), z.string()).default({}),
  /** Request content types passed to the handler base64-encoded (the API's `BinaryMediaTypes`). */
  binaryMediaTypes: z.array(z.string().regex(/^[\w.+*-]+\/[\w.+*-]+$/, { error: 'must be a media type like image/png or image/*' })).default([]),
  authorizer: authorizerSchema.optional(),
  /**
   * The integration's timeout: 50-29000 ms, 29 s by default; Regional and private REST APIs may
   * raise it (a quota increase), so up to Lambda's 900 s is taken. Past it the caller gets 504.
   */
  timeoutInMillis: intBetween(50, 900_000).default(29_000),
  /** CORS as a REST API has it: OPTIONS on the path answered with static headers, the function not invoked. */
  cors: restCorsSchema.optional(),
}).strict()
  .refine((s) => !(s.cors && s.method.includes('OPTIONS')), {
    path: ['cors'],
    error: 'a route whose method is OPTIONS answers OPTIONS itself: leave cors out (SAM adds no CORS to such a path)',
  });

export type ApiSettings = z.infer<typeof apiSettingsSchema>;

export const apiKind = defineSourceKind({
  name: 'api',
  settings: apiSettingsSchema,
  // The route's authorizer and its path's OPTIONS method's (cors.authorizer) name configured functions.
  check: (settings, functions) => [
    ...authorizerProblems(settings, functions),
    ...authorizerProblems({ authorizer: settings.cors?.authorizer }, functions).map((problem) => ({ ...problem, path: ['cors', ...problem.path] })),
  ],
  create: (fn, { path, method, stage, stageVariables, binaryMediaTypes, authorizer, timeoutInMillis, cors }, index) => routeSource('api', fn, index, (context) => registerRoute(context, {
    fn, path, methods: method, restCors: cors, shape: restShape({ stage, stageVariables, binaryMediaTypes }), integrationTimeout: restTimeout(timeoutInMillis), tooLarge: apiGatewayTooLarge,
    apiName: `${fn.name}:api`, defaultDomain: executeApiDomain,
    authorizer: authorizer && createAuthorizer(authorizer, 'rest', context),
    preflightAuthorizer: cors?.authorizer && createAuthorizer(cors.authorizer, 'rest', context),
  })),
});
