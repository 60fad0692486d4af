import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
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

/**
 * A project bundling the AWS SDK v2: `aws-sdk` stands in with the part of v2 the hub relies on
 * (service clients take `AWS.config[<identifier>]` as made, `config.update` takes service keys),
 * and the handler makes its clients at module load, as such projects do.
 */
const sdkV2Project = mkdtempSync(path.join(tmpdir(), 'th-sdk-v2-'));
mkdirSync(path.join(sdkV2Project, 'node_modules', 'aws-sdk'), { recursive: true });
writeFileSync(path.join(sdkV2Project, 'node_modules', 'aws-sdk', 'index.js'), `
const config = { update(options) { Object.assign(this, options); } };
const client = (id, host) => class { constructor(options = {}) { const c = { ...config[id], ...options }; this.endpoint = c.endpoint ?? config.endpoint ?? \`https://\${host}.amazonaws.com\`; this.pathStyle = c.s3ForcePathStyle === true; } };
const DynamoDB = client('dynamodb', 'dynamodb');
DynamoDB.DocumentClient = class { constructor(options) { this.service = new DynamoDB(options); } };
module.exports = { config, DynamoDB, S3: client('s3', 's3'), SQS: client('sqs', 'sqs'), Kinesis: client('kinesis', 'kinesis') };
`);
writeFileSync(path.join(sdkV2Project, 'app.js'), `
const AWS = require('aws-sdk');
const documents = new AWS.DynamoDB.DocumentClient();
const s3 = new AWS.S3();
const own = new AWS.SQS({ endpoint: 'http://127.0.0.1:1' });
const kinesis = new AWS.Kinesis();
exports.handler = async () => ({ dynamodb: documents.service.endpoint, s3: [s3.endpoint, s3.pathStyle], sqs: own.endpoint, kinesis: kinesis.endpoint });
`);
afterAll(() => rmSync(sdkV2Project, { recursive: true, force: true }));

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

  it('points the clients of a bundled AWS SDK v2 (which reads no AWS_ENDPOINT_URL_*) at the local cloud before the handler loads; an endpoint the code sets wins', async () => {
    const environment = {
      AWS_ENDPOINT_URL_DYNAMODB: 'http://127.0.0.1:8000', AWS_ENDPOINT_URL_S3: 'http://127.0.0.1:9001', AWS_ENDPOINT_URL_SQS: 'http://127.0.0.1:9324',
    };
    const fn = { ...functionConfig('handlers.mjs', 'handler', { environment }), handler: 'app.handler', handlerFile: path.join(sdkV2Project, 'app.js'), taskRoot: sdkV2Project };
    const pool = new FunctionPool(fn, runtimeOptions({ isolation }), silentLogger());
    pools.push(pool);
    const result = await pool.invoke(request());
    expect(result.status).toBe('success');
    expect(JSON.parse(result.payload!)).toEqual({
      dynamodb: 'http://127.0.0.1:8000', s3: ['http://127.0.0.1:9001', true], sqs: 'http://127.0.0.1:1', kinesis: 'https://kinesis.amazonaws.com',
    });
  });
});
