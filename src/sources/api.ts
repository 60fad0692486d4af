import { z } from 'zod';
import type { FunctionConfig } from '../config/load.js';
import { executeApiDomain } from './http.js';
import { createAuthorizer } from './http/authorizer.js';
import { authorizerProblems, authorizerSchema } from './http/authorizer-settings.js';
import { registerRoute } from './http/route.js';
import { HTTP_METHODS, routePathSchema } from './http/settings.js';
import { restShape } from './http/shapes.js';
import { defineSourceKind, type Source, type SourceContext } from './source.js';

const methodSchema = z.enum(HTTP_METHODS, { error: `must be one of ${HTTP_METHODS.join(', ')}` });

/**
 * `events: - api: { path, method, stage }`: a REST API (API Gateway v1) proxy integration, SAM's
 * `Type: Api`, served at `path` (without the stage, like `sam local start-api`).
 */
export const apiSettingsSchema = z.object({
  path: routePathSchema,
  method: z.preprocess((m) => (typeof m === 'string' ? [m] : m), z.array(methodSchema).min(1)).default(['ANY']),
  stage: z.string().regex(/^[\w-]{1,128}$/, { error: 'may hold letters, digits, _ and - only' }).default('Prod'),
  stageVariables: z.record(z.string().regex(/^[\w]+$/, { error: 'stage variable names hold letters, digits and _' }), z.string()).default({}),
  /** Request content types passed to the handler base64-encoded (the API's `BinaryMediaTypes`). */
  binaryMediaTypes: z.array(z.string().regex(/^[\w.+*-]+\/[\w.+*-]+$/, { error: 'must be a media type like image/png or image/*' })).default([]),
  authorizer: authorizerSchema.optional(),
}).strict();

export type ApiSettings = z.infer<typeof apiSettingsSchema>;

class RestApiSource implements Source {
  readonly id: string;

  constructor(private readonly fn: FunctionConfig, private readonly settings: ApiSettings, index: number) {
    this.id = `api:${fn.name}:${index}`;
  }

  async start(context: SourceContext): Promise<void> {
    const { path, method, stage, stageVariables, binaryMediaTypes, authorizer } = this.settings;
    registerRoute(context, {
      fn: this.fn, path, methods: method, shape: restShape({ stage, stageVariables, binaryMediaTypes }),
      apiName: `${this.fn.name}:api`, defaultDomain: executeApiDomain,
      authorizer: authorizer && createAuthorizer(authorizer, 'rest', context),
    });
  }

  /** Intake stops when the hub's HTTP server closes. */
  async stop(): Promise<void> {}
}

export const apiKind = defineSourceKind({
  name: 'api',
  settings: apiSettingsSchema,
  check: authorizerProblems,
  create: (fn, settings, index) => new RestApiSource(fn, settings, index),
});
