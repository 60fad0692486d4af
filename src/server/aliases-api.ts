import type { FastifyInstance } from 'fastify';
import { functionArn } from '../arn.js';
import type { FunctionConfig, HubConfig } from '../config/load.js';
import { hasVersions, LATEST, PUBLISHED_VERSION } from '../config/versions.js';
import { HubError } from '../errors.js';
import { aliasConfiguration, functionConfiguration } from './function-configuration.js';
import { page, type PageQuery } from './list-pages.js';

const API = '/2015-03-31/functions';

interface FunctionParams { name: string }

/**
 * Versions and aliases, read-only (they come from the config's `aliases:`): GetAlias, ListAliases,
 * ListVersionsByFunction; and GetFunctionConcurrency. `find` resolves `{name}` for the operation's IAM
 * action or throws the API's error.
 */
export function registerAliasesApi(app: FastifyInstance, config: HubConfig, find: (name: string, action: string) => FunctionConfig): void {
  app.get<{ Params: FunctionParams; Querystring: PageQuery & { FunctionVersion?: string } }>(`${API}/:name/aliases`, async (request) => {
    const fn = find(request.params.name, 'ListAliases');
    const { page: aliases, ...next } = page(pointingAt(request.query.FunctionVersion) ? Object.keys(fn.aliases) : [], request.query);
    return { Aliases: aliases.map((alias) => aliasConfiguration(config, fn, alias)), ...next };
  });

  app.get<{ Params: FunctionParams & { alias: string } }>(`${API}/:name/aliases/:alias`, async (request) => {
    const fn = find(request.params.name, 'GetAlias');
    const { alias } = request.params;
    checkAliasName(alias);
    if (!Object.hasOwn(fn.aliases, alias)) {
      throw new HubError('TH_ERR_FUNCTION_NOT_FOUND', `Cannot find alias arn: ${functionArn(config.region, config.accountId, fn.name)}:${alias}`);
    }
    return aliasConfiguration(config, fn, alias);
  });

  // GetFunctionConcurrency: the function's reserved concurrency, `{}` when it has none (as on Lambda).
  app.get<{ Params: FunctionParams }>('/2019-09-30/functions/:name/concurrency', async (request) => {
    const { reservedConcurrency } = find(request.params.name, 'GetFunctionConcurrency');
    return reservedConcurrency === undefined ? {} : { ReservedConcurrentExecutions: reservedConcurrency };
  });

  app.get<{ Params: FunctionParams; Querystring: PageQuery }>(`${API}/:name/versions`, async (request) => {
    const fn = find(request.params.name, 'ListVersionsByFunction');
    const { page: versions, ...next } = page(hasVersions(fn) ? [LATEST, PUBLISHED_VERSION] : [LATEST], request.query);
    return { Versions: versions.map((version) => functionConfiguration(config, fn, { version, qualifier: version })), ...next };
  });
}

const FUNCTION_VERSION = /^(\$LATEST|[0-9]+)$/;

/** ListAliases' `FunctionVersion` (only the aliases that invoke it): every alias invokes version 1. */
function pointingAt(version: string | undefined): boolean {
  if (version !== undefined && !FUNCTION_VERSION.test(version)) {
    throw new HubError('TH_ERR_REQUEST_VALIDATION', `1 validation error detected: Value '${version.slice(0, 1024)}' at 'functionVersion' failed to satisfy constraint: Member must satisfy regular expression pattern: (\\$LATEST|[0-9]+)`);
  }
  return version === undefined || version === PUBLISHED_VERSION;
}

const ALIAS_NAME = '(?!^[0-9]+$)([a-zA-Z0-9-_]+)';
const ALIAS_NAME_TEST = new RegExp(`^${ALIAS_NAME}$`);

/** GetAlias' `Name`, checked as Lambda does before any lookup: 1-128 characters of its pattern, not all digits. */
function checkAliasName(name: string): void {
  const constraint = name.length > 128 ? 'Member must have length less than or equal to 128'
    : ALIAS_NAME_TEST.test(name) ? undefined : `Member must satisfy regular expression pattern: ${ALIAS_NAME}`;
  if (constraint) throw new HubError('TH_ERR_REQUEST_VALIDATION', `1 validation error detected: Value '${name.slice(0, 128)}' at 'name' failed to satisfy constraint: ${constraint}`);
}
