// A plain Lambda handler behind a function URL / HTTP API route (payload format 2.0).
// Runs unchanged on AWS Lambda (nodejs20.x).
export const handler = async (event) => {
  const name = event.pathParameters?.name ?? event.queryStringParameters?.name ?? 'world';
  const method = event.requestContext?.http?.method ?? 'GET';
  let extra = {};
  if (method === 'POST' && event.body) {
    try {
      extra = JSON.parse(event.isBase64Encoded ? Buffer.from(event.body, 'base64').toString('utf8') : event.body);
    } catch {
      return { statusCode: 400, headers: { 'content-type': 'application/json' }, body: JSON.stringify({ error: 'body is not JSON' }) };
    }
  }
  console.log(JSON.stringify({ route: event.routeKey, name }));
  return {
    statusCode: 200,
    headers: { 'content-type': 'application/json', 'x-example': 'hello-http' },
    body: JSON.stringify({ message: `${process.env.GREETING ?? 'Hello'}, ${name}!`, route: event.routeKey, path: event.rawPath, ...extra }),
  };
};
