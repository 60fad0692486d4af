import type { ALBEvent } from 'aws-lambda';
import { headerValues, type IncomingHttp } from '../http/request.js';

/** Content types ALB passes as text; other bodies (and any content-encoded body) are base64. */
const ALB_TEXT_TYPES = /^(text\/|application\/(json|javascript|xml)\b)/i;

/**
 * The event an Application Load Balancer sends a Lambda target: lower-cased header names, query
 * names and values exactly as sent (ALB does not decode them), `body` always a string. Either the
 * single-value maps (the last value of a repeated name) or, with multi-value headers enabled on the
 * target group, only the multi-value ones.
 */
export function buildAlbEvent(incoming: IncomingHttp, targetGroupArn: string, multiValue: boolean): ALBEvent {
  const headers = headerValues(incoming, true);
  const query = rawQueryValues(incoming.rawQueryString);
  const hasBody = incoming.body.length > 0;
  const encoded = headers.has('content-encoding') || !ALB_TEXT_TYPES.test(incoming.contentType);
  const binary = hasBody && encoded;
  const event: ALBEvent = {
    requestContext: { elb: { targetGroupArn } },
    httpMethod: incoming.method,
    path: incoming.rawPath,
    body: hasBody ? incoming.body.toString(binary ? 'base64' : 'utf8') : '',
    isBase64Encoded: binary,
  };
  if (multiValue) {
    event.multiValueQueryStringParameters = Object.fromEntries(query);
    event.multiValueHeaders = Object.fromEntries(headers);
  } else {
    event.queryStringParameters = Object.fromEntries([...query].map(([name, values]) => [name, values.at(-1)!]));
    event.headers = Object.fromEntries([...headers].map(([name, values]) => [name, values.at(-1)!]));
  }
  return event;
}

/** Query parameters as sent: split on `&` and the first `=`, nothing decoded. */
function rawQueryValues(rawQueryString: string): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const pair of rawQueryString.split('&')) {
    if (!pair) continue;
    const at = pair.indexOf('=');
    const [name, value] = at === -1 ? [pair, ''] : [pair.slice(0, at), pair.slice(at + 1)];
    const values = out.get(name);
    if (values) values.push(value);
    else out.set(name, [value]);
  }
  return out;
}
