// The floor: node:http calling the handler with a minimal HTTP API 2.0 event, in-process, or
// (argv[3] = 'child') in one of up to 10 child processes over Node's IPC channel, one request
// per child at a time: what process isolation costs at the least, with no framework, logging or
// bookkeeping. The children lead sessions of their own, as the hub's environments do.
import { fork } from 'node:child_process';
import { createServer } from 'node:http';
import { fileURLToPath } from 'node:url';
import { handler } from './handler.mjs';

if (process.argv[2] === 'environment') {
  process.on('message', async ({ id, event }) => {
    process.send({ id, result: await handler(event, { awsRequestId: id, functionName: 'noop' }) });
  });
  process.once('disconnect', () => process.exit(0));
} else {
  const isolated = process.argv[3] === 'child';
  const MAX_CHILDREN = 10;
  const idle = [];
  const waiting = [];
  const pending = new Map();
  let children = 0;
  let nextId = 0;

  const spawnChild = () => {
    children += 1;
    const child = fork(fileURLToPath(import.meta.url), ['environment'], { detached: true, stdio: 'ignore', serialization: 'json' });
    child.on('message', ({ id, result }) => {
      const resolve = pending.get(id);
      pending.delete(id);
      release(child);
      resolve(result);
    });
    return child;
  };
  const release = (child) => {
    const next = waiting.shift();
    if (next) next(child);
    else idle.push(child);
  };
  const acquire = () => {
    const child = idle.pop();
    if (child) return Promise.resolve(child);
    if (children < MAX_CHILDREN) return Promise.resolve(spawnChild());
    return new Promise((resolve) => waiting.push(resolve));
  };
  const invoke = async (event) => {
    if (!isolated) return handler(event, { awsRequestId: 'x', functionName: 'noop' });
    const child = await acquire();
    const id = String((nextId += 1));
    return new Promise((resolve) => {
      pending.set(id, resolve);
      child.send({ id, event });
    });
  };

  const server = createServer((req, res) => {
    const chunks = [];
    req.on('data', (chunk) => chunks.push(chunk));
    req.on('end', async () => {
      const url = new URL(req.url, 'http://localhost');
      const event = {
        version: '2.0', routeKey: '$default', rawPath: url.pathname, rawQueryString: url.search.slice(1),
        headers: req.headers, requestContext: { http: { method: req.method, path: url.pathname } },
        body: Buffer.concat(chunks).toString(), isBase64Encoded: false,
      };
      const result = await invoke(event);
      res.writeHead(result.statusCode, result.headers);
      res.end(result.body);
    });
  });
  server.listen(Number(process.argv[2]), '127.0.0.1');
  process.on('SIGTERM', () => {
    for (const child of idle) child.kill();
    server.close(() => process.exit(0));
  });
}
