/** The console's calls to the hub: its JSON API, the admin DLQ API and the Invoke API (same origin). */

const TOKEN_KEY = 'triggerhub.adminToken';

export class ApiError extends Error {
  constructor(readonly status: number, readonly code: string, message: string) {
    super(message);
  }
}

export const auth = {
  token: (): string | null => sessionStorage.getItem(TOKEN_KEY),
  set: (token: string): void => sessionStorage.setItem(TOKEN_KEY, token),
  clear: (): void => sessionStorage.removeItem(TOKEN_KEY),
  /** Called when the hub says 401: the app shows its login prompt. */
  onUnauthorized: (): void => undefined,
};

function headers(extra: Record<string, string> = {}): Record<string, string> {
  const token = auth.token();
  return token ? { ...extra, authorization: `Bearer ${token}` } : extra;
}

async function failure(response: Response): Promise<ApiError> {
  let code = `HTTP_${response.status}`;
  let message = response.statusText;
  try {
    const body = await response.json() as { error?: string; message?: string; Message?: string };
    code = body.error ?? response.headers.get('x-amzn-errortype') ?? code;
    message = body.message ?? body.Message ?? message;
  } catch { /* not JSON */ }
  if (response.status === 401) auth.onUnauthorized();
  return new ApiError(response.status, code, message);
}

export async function getJson<T>(path: string): Promise<T> {
  const response = await fetch(path, { headers: headers() });
  if (!response.ok) throw await failure(response);
  return response.json() as Promise<T>;
}

export async function sendJson<T>(method: 'POST' | 'DELETE', path: string, body?: unknown): Promise<T> {
  const response = await fetch(path, {
    method,
    headers: headers(body === undefined ? {} : { 'content-type': 'application/json' }),
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (!response.ok) throw await failure(response);
  return response.json() as Promise<T>;
}

export interface InvokeOutcome {
  status: number;
  requestId: string | null;
  functionError: string | null;
  payload: string;
  logTail: string | null;
}

/** The Lambda Invoke API, as `triggerhub invoke` calls it (log tail for sync calls). */
export async function invoke(fn: string, payload: string, async: boolean): Promise<InvokeOutcome> {
  const response = await fetch(`/2015-03-31/functions/${encodeURIComponent(fn)}/invocations`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      'x-amz-invocation-type': async ? 'Event' : 'RequestResponse',
      ...(async ? {} : { 'x-amz-log-type': 'Tail' }),
    },
    body: payload,
  });
  const text = await response.text();
  const tail = response.headers.get('x-amz-log-result');
  return {
    status: response.status,
    requestId: response.headers.get('x-amzn-requestid'),
    functionError: response.headers.get('x-amz-function-error') ?? (response.status >= 400 ? response.headers.get('x-amzn-errortype') ?? 'Error' : null),
    payload: text,
    logTail: tail ? new TextDecoder().decode(Uint8Array.from(atob(tail), (c) => c.charCodeAt(0))) : null,
  };
}

/**
 * Reads a Server-Sent Events stream with fetch (EventSource cannot send the Authorization header),
 * reconnecting after a drop until `signal` aborts. `path` is asked again for each connection (a
 * log stream resumes after the last line it got instead of sending the ones shown again).
 */
export async function subscribe(path: string | (() => string), onEvent: (event: string, data: unknown) => void, signal: AbortSignal, onState?: (live: boolean, why?: string) => void): Promise<void> {
  while (!signal.aborted) {
    let why = 'the stream ended';
    try {
      const response = await fetch(typeof path === 'string' ? path : path(), { headers: headers({ accept: 'text/event-stream' }), signal });
      if (!response.ok || !response.body) throw await failure(response);
      onState?.(true);
      const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
      let buffer = '';
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        buffer += value;
        let end: number;
        while ((end = buffer.indexOf('\n\n')) >= 0) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          let event = 'message';
          const data: string[] = [];
          for (const line of block.split('\n')) {
            if (line.startsWith('event: ')) event = line.slice(7);
            else if (line.startsWith('data: ')) data.push(line.slice(6));
          }
          if (data.length) onEvent(event, JSON.parse(data.join('\n')));
        }
      }
    } catch (err) {
      if (signal.aborted) return;
      if (err instanceof ApiError && err.status === 401) return;
      why = (err as Error).message;
    }
    onState?.(false, why);
    await new Promise((resolve) => setTimeout(resolve, 2000));
  }
}
