import type { FastifyRequest } from 'fastify';
import { functionArn } from '../arn.js';
import type { FunctionConfig } from '../config/load.js';
import { createAuthorizer } from './http/authorizer.js';
import { authorizerProblems } from './http/authorizer-settings.js';
import { HubError } from '../errors.js';
import { ALL_METHODS, registerRoute, routeSource } from './http/route.js';
import { DEFAULT_ROUTE, httpSettingsSchema } from './http/settings.js';
import { apiGatewayTooLarge, functionUrlShape, httpApiShape, httpApiTimeout, streamingFunctionUrlShape } from './http/shapes.js';
import { urlIamCheck } from './http/url-iam.js';
import { defineSourceKind, type SourceContext } from './source.js';

/** Every function's URL: `/urls/<fn>` and everything under it, any method; auth and CORS as its `url:` says. */
export const DEFAULT_URL_PREFIX = '/urls';

export const lambdaUrlDomain = (apiId: string, region: string) => `${apiId}.lambda-url.${region}.on.aws`;
export const executeApiDomain = (apiId: string, region: string) => `${apiId}.execute-api.${region}.amazonaws.com`;

/** One function's default URL (at start, or when hot reload adds the function). */
export function registerDefaultUrl(context: SourceContext, fn: FunctionConfig): void {
  const prefix = `${DEFAULT_URL_PREFIX}/${fn.name}`;
  for (const path of [prefix, `${prefix}/{proxy+}`]) {
    registerRoute(context, {
      fn, path, methods: ['ANY'], shape: fn.url.invokeMode === 'RESPONSE_STREAM' ? streamingFunctionUrlShape : functionUrlShape, apiName: `${fn.name}:url`, defaultDomain: lambdaUrlDomain,
      stripPrefix: prefix, noPathParameters: true, cors: fn.url.cors,
      iam: fn.url.authType === 'AWS_IAM' ? urlIamCheck(context.config) : undefined,
    });
  }
}

/** `/urls/<any other name>` (`/urls/toString` too) is no function: Lambda's 404, naming what was asked. */
export function registerUnknownUrls(context: SourceContext): void {
  const { config } = context;
  const notFound = async (request: FastifyRequest) => {
    const { name } = request.params as { name: string };
    throw new HubError('TH_ERR_FUNCTION_NOT_FOUND', `Function not found: ${functionArn(config.region, config.accountId, name)}`);
  };
  for (const url of [`${DEFAULT_URL_PREFIX}/:name`, `${DEFAULT_URL_PREFIX}/:name/*`]) context.app.route({ method: ALL_METHODS, url, handler: notFound });
}

export const httpKind = defineSourceKind({
  name: 'http',
  settings: httpSettingsSchema,
  check: authorizerProblems,
  /** `events: - http: { path, stage, methods, cors, auth, payloadFormatVersion, authorizer }`: an HTTP API route. */
  create: (fn, { path, stage, methods, cors, auth, payloadFormatVersion, authorizer, timeoutInMillis }, index) => routeSource('http', fn, index, (context) => registerRoute(context, {
    fn, stage, methods, cors, auth, shape: httpApiShape(methods, path, payloadFormatVersion, stage, Boolean(cors)), integrationTimeout: httpApiTimeout(timeoutInMillis),
    // The catch-all `$default` takes every path the other routes leave (the router tries it last), without pathParameters.
    ...(path === DEFAULT_ROUTE ? { path: '/{proxy+}', noPathParameters: true } : { path }),
    tooLarge: apiGatewayTooLarge,
    apiName: `${fn.name}:http`, defaultDomain: executeApiDomain,
    authorizer: authorizer && createAuthorizer(authorizer, 'http', context),
  })),
});
