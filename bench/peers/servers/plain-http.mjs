// The floor: node:http calling the handler in-process, with a minimal HTTP API 2.0 event.
import { createServer } from 'node:http';
import { handler } from './handler.mjs';

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
    const result = await handler(event, { awsRequestId: 'x', functionName: 'noop' });
    res.writeHead(result.statusCode, result.headers);
    res.end(result.body);
  });
});
server.listen(Number(process.argv[2]), '127.0.0.1');
process.on('SIGTERM', () => server.close(() => process.exit(0)));
