import type { FastifyRequest } from 'fastify';
import { HubError } from '../errors.js';

const NAME = '[^/]+';

/**
 * Lambda API operations the hub does not perform (its functions, aliases and concurrency come from
 * the config), by method and request URI as the Lambda API defines them. An SDK or CLI call of one
 * gets Lambda's answer to an operation the caller may not perform, instead of a bare 404.
 */
const OPERATIONS: ReadonlyArray<readonly [string, string, string]> = [
  ['POST', '/2015-03-31/functions', 'CreateFunction'],
  ['DELETE', `/2015-03-31/functions/${NAME}`, 'DeleteFunction'],
  ['PUT', `/2015-03-31/functions/${NAME}/code`, 'UpdateFunctionCode'],
  ['PUT', `/2015-03-31/functions/${NAME}/configuration`, 'UpdateFunctionConfiguration'],
  ['POST', `/2015-03-31/functions/${NAME}/versions`, 'PublishVersion'],
  ['POST', `/2015-03-31/functions/${NAME}/aliases`, 'CreateAlias'],
  ['PUT', `/2015-03-31/functions/${NAME}/aliases/${NAME}`, 'UpdateAlias'],
  ['DELETE', `/2015-03-31/functions/${NAME}/aliases/${NAME}`, 'DeleteAlias'],
  ['POST', `/2015-03-31/functions/${NAME}/policy`, 'AddPermission'],
  ['GET', `/2015-03-31/functions/${NAME}/policy`, 'GetPolicy'],
  ['DELETE', `/2015-03-31/functions/${NAME}/policy/${NAME}`, 'RemovePermission'],
  ['PUT', `/2017-10-31/functions/${NAME}/concurrency`, 'PutFunctionConcurrency'],
  ['DELETE', `/2017-10-31/functions/${NAME}/concurrency`, 'DeleteFunctionConcurrency'],
  ['GET', '/2016-08-19/account-settings', 'GetAccountSettings'],
  ['POST', '/2015-03-31/event-source-mappings', 'CreateEventSourceMapping'],
  ['GET', '/2015-03-31/event-source-mappings', 'ListEventSourceMappings'],
  ['PUT', `/2019-09-25/functions/${NAME}/event-invoke-config`, 'PutFunctionEventInvokeConfig'],
  ['GET', `/2019-09-25/functions/${NAME}/event-invoke-config`, 'GetFunctionEventInvokeConfig'],
  ['POST', `/2021-10-31/functions/${NAME}/url`, 'CreateFunctionUrlConfig'],
  ['GET', `/2017-03-31/tags/${NAME}`, 'ListTags'],
  ['POST', `/2017-03-31/tags/${NAME}`, 'TagResource'],
];
const MATCHERS = OPERATIONS.map(([method, uri, name]) => ({ method, test: new RegExp(`^${uri}/?$`), name }));

/**
 * The Lambda API operation a request no route took calls (method and path), as the 403
 * AccessDeniedException Lambda answers an operation the caller may not perform, naming it; or
 * undefined for a path that is no Lambda operation.
 */
export function unsupportedOperation(request: FastifyRequest): HubError | undefined {
  const path = (request.raw.url ?? '/').split('?')[0];
  const operation = MATCHERS.find((m) => m.method === request.method && m.test.test(path));
  if (!operation) return undefined;
  return new HubError('TH_ERR_OPERATION_UNSUPPORTED',
    `triggerhub does not perform lambda:${operation.name}: its functions, aliases and settings come from the project's config; change them there (the hub reloads it under --watch)`);
}
