import { createHash } from 'node:crypto';
import { z } from 'zod';
import { arnOf } from '../arn.js';
import type { FunctionConfig } from '../config/load.js';
import { buildAlbEvent } from './alb/event.js';
import { ALB_LAMBDA_LIMIT, sendAlbError, sendAlbResult } from './alb/response.js';
import { registerRoute, routeSource } from './http/route.js';
import { HTTP_METHODS, routePathSchema } from './http/settings.js';
import type { HttpShape } from './http/shape.js';
import { defineSourceKind, type SourceContext } from './source.js';

const ALB_ENVELOPE_TYPE = 'aws.elasticloadbalancing.alb';

/**
 * `events: - alb: { path, methods, multiValueHeaders }`: a listener rule forwarding to the function
 * as a Lambda target group. `path` is a template (`/items/{id}`) or ends in ALB's `*` wildcard.
 */
export const albSettingsSchema = z.object({
  path: z.string().transform((p) => (p.endsWith('/*') ? `${p.slice(0, -1)}{proxy+}` : p)).pipe(routePathSchema),
  methods: z.array(z.enum(HTTP_METHODS, { error: `must be one of ${HTTP_METHODS.join(', ')}` })).min(1).default(['ANY']),
  /** The target group's `lambda.multi_value_headers.enabled`. */
  multiValueHeaders: z.boolean().default(false),
  targetGroupName: z.string().regex(/^[A-Za-z0-9-]{1,32}$/, { error: 'holds 1-32 letters, digits and -' }).optional(),
}).strict();

export type AlbSettings = z.infer<typeof albSettingsSchema>;

export const albKind = defineSourceKind({
  name: 'alb',
  settings: albSettingsSchema,
  create: (fn, settings, index) => routeSource('alb', fn, index, (context) => registerAlbRoute(context, fn, settings, index)),
});

/** The listener rule: requests on `path` become ALB events for `fn`'s target group. */
function registerAlbRoute(context: SourceContext, fn: FunctionConfig, settings: AlbSettings, index: number): void {
  const { path, methods, multiValueHeaders, targetGroupName } = settings;
  const { region, accountId } = context.config;
  const name = targetGroupName ?? `${fn.name.slice(0, 29)}-tg`;
  const suffix = createHash('sha256').update(`${fn.name}:alb:${index}`).digest('hex').slice(0, 16);
  const targetGroupArn = arnOf(region, 'elasticloadbalancing', accountId, `targetgroup/${name}/${suffix}`);
  const shape: HttpShape = {
    envelopeType: ALB_ENVELOPE_TYPE,
    build: (incoming) => buildAlbEvent(incoming, targetGroupArn, multiValueHeaders),
    send: (reply, result) => sendAlbResult(reply, result, multiValueHeaders),
    // ALB: "the target is a Lambda function that returned an error or the function was throttled" is a 502.
    throttled: (reply) => sendAlbError(reply, 502, 'Bad Gateway'),
  };
  registerRoute(context, {
    fn, path, methods, shape, apiName: `${fn.name}:alb`, defaultDomain: () => 'localhost', noPathParameters: true,
    tooLarge: { bodyBytes: ALB_LAMBDA_LIMIT, refuse: (reply) => sendAlbError(reply, 413, 'Request Entity Too Large') },
    refuseUpgrade: (reply) => sendAlbError(reply, 400, 'Bad Request'),
  });
}
