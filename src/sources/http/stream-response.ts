import type { FastifyReply } from 'fastify';
import type { OutgoingHttpHeaders } from 'node:http';
import { HTTP_INTEGRATION_CONTENT_TYPE } from '../../runtime/protocol.js';
import type { InvokeResult, ResponseSink } from '../../runtime/types.js';
import { whenWritable } from '../kit/drain.js';
import { STREAMED_RESPONSE_LIMIT } from '../kit/limits.js';
import { sendHttpResult } from './response.js';
import { isHopByHop, isPlainObject, isSendableHeader, isStatusCode } from './shape.js';
import { parseJson } from '../../json.js';

const DELIMITER = Buffer.alloc(8);
/**
 * The most metadata (the prelude's JSON: status, headers, cookies) the hub holds while it waits for
 * the 8 NUL bytes: a stream that never sends them (its content type set to the prelude's by hand)
 * fails here instead of piling up in the hub's memory.
 */
export const PRELUDE_LIMIT = 1024 * 1024;

/** Answers one request with a streaming handler's bytes as they arrive; `finish` ends it. */
export interface StreamingResponder extends ResponseSink {
  finish(result: InvokeResult): FastifyReply;
}

/**
 * A RESPONSE_STREAM function URL: the status and headers come from the
 * `application/vnd.awslambda.http-integration-response` prelude (JSON, then 8 NUL bytes) when the
 * handler used `awslambda.HttpResponseStream.from`, else 200 with the stream's content type; the
 * body follows chunked, as written, each chunk taken once the client's connection can take more.
 * A failure before the first byte is the buffered 502; after it, the connection is cut (the client
 * sees an incomplete chunked body), as on Lambda.
 */
export function functionUrlStream(reply: FastifyReply): StreamingResponder {
  let prelude: Buffer | undefined;
  let bytes = 0;
  let opened = false;
  let failed = false;
  const open = (status: number, headers: OutgoingHttpHeaders) => {
    opened = true;
    reply.hijack();
    reply.raw.writeHead(status, { ...(reply.getHeaders() as OutgoingHttpHeaders), ...headers });
  };
  /** Past the streamed response limit, or once the client is gone, bytes are dropped (and taken at once). */
  const write = (data: Buffer, taken: () => void) => {
    bytes += data.length;
    if (bytes > STREAMED_RESPONSE_LIMIT) failed = true;
    if (failed || !data.length || reply.raw.destroyed) return taken();
    whenWritable(reply.raw, reply.raw.write(data), taken);
  };
  return {
    start(contentType) {
      if (contentType === HTTP_INTEGRATION_CONTENT_TYPE) prelude = Buffer.alloc(0);
      else open(200, { 'content-type': contentType });
    },
    chunk(data, taken) {
      if (failed) return taken(); // a prelude that cannot be sent, or the size limit passed: nothing more goes out
      if (!prelude) return write(data, taken);
      prelude = Buffer.concat([prelude, data]);
      const at = prelude.indexOf(DELIMITER);
      if ((at === -1 ? prelude.length : at) > PRELUDE_LIMIT) {
        [failed, prelude] = [true, undefined];
        return taken();
      }
      if (at === -1) return taken();
      const metadata = parsePrelude(prelude.subarray(0, at));
      const rest = prelude.subarray(at + DELIMITER.length);
      prelude = undefined;
      if (!metadata) { failed = true; return taken(); }
      open(metadata.status, metadata.headers);
      write(rest, taken);
    },
    finish(result) {
      if (!opened && (failed || prelude || result.status !== 'success')) {
        return sendHttpResult(reply, { ...result, status: result.status === 'success' ? 'error' : result.status });
      }
      if (!opened) return sendHttpResult(reply, result); // a buffered handler behind a RESPONSE_STREAM URL
      if (failed || result.status !== 'success') reply.raw.destroy();
      else reply.raw.end();
      return reply;
    },
  };
}

/** `{ statusCode, headers, cookies }` of the prelude; undefined when it is not that, or cannot be sent as given. */
function parsePrelude(text: Buffer): { status: number; headers: OutgoingHttpHeaders } | undefined {
  let value: unknown;
  try {
    value = parseJson(text.toString('utf8'));
  } catch {
    return undefined;
  }
  if (!isPlainObject(value)) return undefined;
  const status = value.statusCode ?? 200;
  if (!isStatusCode(status)) return undefined;
  const headers: OutgoingHttpHeaders = {};
  for (const [name, v] of Object.entries(isPlainObject(value.headers) ? value.headers : {})) {
    if (!isSendableHeader(name, String(v))) return undefined;
    // The body goes out chunked: a handler's Content-Length would cut it short (and the bytes left over
    // would poison the client's keep-alive connection).
    if (!isHopByHop(name) && name.toLowerCase() !== 'content-length') headers[name.toLowerCase()] = String(v);
  }
  const cookies = Array.isArray(value.cookies) ? value.cookies.map(String) : [];
  if (!cookies.every((cookie) => isSendableHeader('set-cookie', cookie))) return undefined;
  if (cookies.length) headers['set-cookie'] = cookies;
  return { status, headers };
}
