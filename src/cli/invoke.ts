import { readFileSync } from 'node:fs';
import { HubError } from '../errors.js';
import { CliExit, EXIT, hubEndpoint, loadConfig, print, printErr, type GlobalOptions } from './context.js';

export interface InvokeOptions extends GlobalOptions {
  event?: string;
  payload?: string;
  async?: boolean;
  endpoint?: string;
  tail: boolean;
}

/** `triggerhub invoke FN`: calls the running hub's Invoke API, prints the result and the log tail. */
export async function invokeCommand(fn: string, options: InvokeOptions): Promise<number> {
  const config = loadConfig(options);
  const payload = readPayload(options);
  const endpoint = hubEndpoint(config, checkedEndpoint(options.endpoint));
  const headers: Record<string, string> = {
    'content-type': 'application/json',
    'x-amz-invocation-type': options.async ? 'Event' : 'RequestResponse',
  };
  if (options.tail && !options.async) headers['x-amz-log-type'] = 'Tail';
  let response: Response;
  try {
    response = await fetch(`${endpoint}/2015-03-31/functions/${encodeURIComponent(fn)}/invocations`, { method: 'POST', headers, body: payload });
  } catch (cause) {
    throw new HubError('TH_ERR_HUB_UNREACHABLE', `no hub answering at ${endpoint} (start it with \`triggerhub up\`, or pass --endpoint): ${(cause as Error).message}`, { cause });
  }
  const body = await response.text();
  if (response.status >= 400) {
    const type = response.headers.get('x-amzn-errortype') ?? 'Error';
    let message = body;
    // Lambda's error documents say `message`, or `Message` (ResourceNotFoundException, ServiceException).
    try { const doc = JSON.parse(body) as { message?: string; Message?: string }; message = doc.message ?? doc.Message ?? body; } catch { /* plain text */ }
    throw new CliExit(response.status === 404 || response.status < 500 ? EXIT.usage : EXIT.failed, `${type} (${response.status}): ${message}`);
  }
  if (response.status === 202) {
    print(JSON.stringify({ StatusCode: 202, RequestId: response.headers.get('x-amzn-requestid') }));
    return EXIT.ok;
  }
  const tail = response.headers.get('x-amz-log-result');
  if (tail) printErr(Buffer.from(tail, 'base64').toString('utf8'));
  print(body);
  return response.headers.get('x-amz-function-error') ? EXIT.failed : EXIT.ok;
}

function readPayload(options: InvokeOptions): string {
  if (options.payload !== undefined && options.event !== undefined) {
    throw new CliExit(EXIT.usage, 'use either --event or --payload, not both');
  }
  if (options.payload !== undefined) return checkedJson(options.payload, '--payload');
  if (options.event === undefined) return '{}';
  let text: string;
  try {
    text = readFileSync(options.event === '-' ? 0 : options.event, 'utf8');
  } catch (cause) {
    throw new CliExit(EXIT.usage, `cannot read event ${options.event}: ${(cause as Error).message}`);
  }
  return checkedJson(text, options.event === '-' ? '--event - (stdin)' : `--event ${options.event}`);
}

/** The payload as given, once it parses as JSON (an empty one is Lambda's `{}`): the hub would refuse it, naming neither flag nor file. */
function checkedJson(text: string, from: string): string {
  if (text.trim() === '') return text;
  try {
    JSON.parse(text);
  } catch (cause) {
    throw new CliExit(EXIT.usage, `${from}: not valid JSON (${(cause as Error).message})`);
  }
  return text;
}

function checkedEndpoint(endpoint: string | undefined): string | undefined {
  if (endpoint !== undefined && !/^https?:$/.test(URL.parse(endpoint)?.protocol ?? '')) {
    throw new CliExit(EXIT.usage, `--endpoint: ${JSON.stringify(endpoint)} is not an http:// or https:// URL (the hub's, as \`triggerhub up\` prints it: http://127.0.0.1:9000)`);
  }
  return endpoint;
}
