import { afterEach, describe, expect, it } from 'vitest';
import { ISOLATIONS } from '../src/config/schema.js';
import { silentLogger } from '../src/log.js';
import { FunctionPool } from '../src/runtime/pool.js';
import { functionConfig, request, runtimeOptions } from './fixtures/handlers/function-config.js';

/**
 * Module loading as Lambda's Node.js runtime does it (aws-lambda-nodejs-runtime-interface-client,
 * UserFunction.js): an ES module's handler is looked up on its namespace only; only a CommonJS
 * `MODULE_NOT_FOUND` (or the handler's own module missing) is Runtime.ImportModuleError, while an
 * ES module's missing import passes through as the `Error` Node throws (ERR_MODULE_NOT_FOUND).
 */
const pools: FunctionPool[] = [];

describe.each(ISOLATIONS)('handler loading with %s isolation', { timeout: 30_000 }, (isolation) => {
  const poolFor = (file: string, exportName: string) => {
    const pool = new FunctionPool(functionConfig(file, exportName), runtimeOptions({ isolation }), silentLogger());
    pools.push(pool);
    return pool;
  };

  afterEach(async () => {
    await Promise.all(pools.splice(0).map((pool) => pool.close()));
  });

  it.each([
    ['an ES module whose handler is only inside its default export', 'esm-default.mjs', 'handler', 'Runtime.HandlerNotFound', 'esm-default.handler is undefined or not exported'],
    ['an ES module importing a package that is not there', 'import-error.mjs', 'handler', 'Error', "Cannot find package 'th-no-such-package' imported from "],
    ['a CommonJS module requiring a package that is not there', 'require-error.cjs', 'handler', 'Runtime.ImportModuleError', "Error: Cannot find module 'th-no-such-package'"],
    ['a handler module that is not there', 'absent.mjs', 'handler', 'Runtime.ImportModuleError', "Error: Cannot find module 'absent'"],
  ])('reports %s as Lambda does', async (_case, file, exportName, errorType, message) => {
    const result = await poolFor(file, exportName).invoke(request());
    expect(result.status).toBe('error');
    expect(result.error).toMatchObject({ errorType, errorMessage: expect.stringContaining(message) });
    if (errorType === 'Error') expect(result.error!.trace![0]).toMatch(/^Error \[ERR_MODULE_NOT_FOUND\]: Cannot find package/);
  });

  it.each([['an ES module importing', 'import-sdk-error.mjs'], ['a CommonJS module requiring', 'require-sdk-error.cjs']])(
    'says in the log how to install an AWS SDK package Lambda\'s runtime would have had: %s it', async (_case, file) => {
      const result = await poolFor(file, 'handler').invoke(request());
      expect(result.status).toBe('error');
      expect(result.logs).toContain("[triggerhub] @aws-sdk/client-th-not-installed is part of Lambda's Node.js runtime but not installed here: add it to the project (npm install @aws-sdk/client-th-not-installed)");
    });
});
