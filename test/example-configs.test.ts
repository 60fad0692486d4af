import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfigFile } from '../src/config/load.js';
import { REPO_ROOT } from './helpers/paths.js';

/**
 * Each example's triggerhub.yaml as `node bin/triggerhub.js --config examples/<x>/triggerhub.yaml up`
 * reads it with no variables set: the defaults alone make a valid config pointing at LocalStack.
 */
describe('examples/*/triggerhub.yaml with default settings', () => {
  const load = (name: string) => loadConfigFile(path.join(REPO_ROOT, 'examples', name, 'triggerhub.yaml'), { PATH: process.env.PATH });

  it('hello-http: a GET/POST route', () => {
    const config = load('hello-http');
    expect(config.server.port).toBe(9000);
    expect(config.functions['hello-http'].events).toEqual([{ http: expect.objectContaining({ path: '/hello/{name}', methods: ['GET', 'POST'] }) }]);
  });

  it('orders: an SQS mapping with ReportBatchItemFailures on LocalStack', () => {
    expect(load('orders').functions.orders.events[0].sqs).toMatchObject({
      queue: 'http://localhost:4566/000000000000/orders', endpoint: 'http://localhost:4566', functionResponseTypes: ['ReportBatchItemFailures'],
    });
  });

  it('fanout: two functions on one topic, each on its own route', () => {
    const config = load('fanout');
    const sns = ['email', 'analytics'].map((fn) => config.functions[fn].events[0].sns as Record<string, unknown>);
    expect(sns.map((s) => s.topic)).toEqual(['arn:aws:sns:us-east-1:000000000000:orders-events', 'arn:aws:sns:us-east-1:000000000000:orders-events']);
    expect(sns.map((s) => s.path)).toEqual(['/sns/email', '/sns/analytics']);
    expect(sns[0]).toMatchObject({ allowHttp: true, trustedCertHosts: ['localhost.localstack.cloud:4566'] });
  });

  it('clickstream: a Kinesis mapping from TRIM_HORIZON with a 1 s batching window', () => {
    expect(load('clickstream').functions.clickstream.events[0].kinesis).toMatchObject({
      stream: 'clickstream', startingPosition: 'TRIM_HORIZON', maximumBatchingWindowInSeconds: 1, endpoint: 'http://localhost:4566',
    });
  });
});
