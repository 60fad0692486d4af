import { statSync } from 'node:fs';
import type { FastifyInstance } from 'fastify';
import { functionArn } from '../arn.js';
import type { HubConfig } from '../config/load.js';
import { HubError } from '../errors.js';
import { DEFAULT_URL_PREFIX } from '../sources/http.js';
import type { CorsSettings } from '../sources/http/settings.js';
import { hubUrl } from './app.js';
import { lookup } from './invoke-api.js';

/**
 * GetFunctionUrlConfig: every function has its URL (`/urls/<fn>/` on the hub, open or AWS_IAM, with
 * CORS as its `url:` says). URLs belong to the unqualified function: one asked for with a Qualifier
 * (an alias) has none, which is Lambda's 404 for a function without a URL.
 */
export function registerFunctionUrlApi(app: FastifyInstance, config: HubConfig): void {
  const started = new Date();
  app.get<{ Params: { name: string }; Querystring: { Qualifier?: string } }>('/2021-10-31/functions/:name/url', async (request) => {
    const { fn, variant } = lookup(config, request.params.name, request.query.Qualifier, 'GetFunctionUrlConfig');
    if (variant.qualifier !== undefined) throw new HubError('TH_ERR_FUNCTION_NOT_FOUND', 'The resource you requested does not exist.');
    const changed = configChanged(config, started);
    return {
      FunctionUrl: `${hubUrl(app, config.server)}${DEFAULT_URL_PREFIX}/${fn.name}/`,
      FunctionArn: functionArn(config.region, config.accountId, fn.name),
      AuthType: fn.url.authType,
      ...(fn.url.cors ? { Cors: awsCors(fn.url.cors) } : {}),
      CreationTime: changed,
      LastModifiedTime: changed,
      InvokeMode: fn.url.invokeMode,
    };
  });
}

function awsCors(cors: CorsSettings): Record<string, unknown> {
  return {
    AllowCredentials: cors.allowCredentials,
    AllowHeaders: cors.allowHeaders,
    AllowMethods: cors.allowMethods,
    AllowOrigins: cors.allowOrigins,
    ExposeHeaders: cors.exposeHeaders,
    MaxAge: cors.maxAge,
  };
}

/**
 * When the URL's settings last changed, as near as the hub knows: the latest modification of the
 * config file and the project file it points at (else when the hub started), ISO-8601.
 */
function configChanged(config: HubConfig, started: Date): string {
  const files = [config.configPath, config.project?.file].filter((file): file is string => Boolean(file));
  const times = files.map((file) => statSync(file, { throwIfNoEntry: false })?.mtimeMs ?? 0).filter((ms) => ms > 0);
  return new Date(times.length ? Math.max(...times) : started.getTime()).toISOString();
}
