import { request as httpRequest } from 'node:http';
import { Sha256 } from '@smithy/core/checksum';
import { HttpRequest } from '@smithy/core/protocols';
import { SignatureV4 } from '@smithy/signature-v4';

export interface Reply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** Sends a request over node:http (fetch would not let us set Host) and reads the whole reply. */
export function send(base: string, method: string, path: string, headers: Record<string, string>, body?: string): Promise<Reply> {
  const url = new URL(path, base);
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: url.hostname, port: url.port, method, path: url.pathname + url.search, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

export interface SignOptions {
  method?: string;
  path: string;
  query?: Record<string, string>;
  body?: string;
  headers?: Record<string, string>;
  credentials: { accessKeyId: string; secretAccessKey: string };
  region?: string;
  signingDate?: Date;
  /** false: no X-Amz-Content-Sha256 header (the body hash is only inside the signature). */
  applyChecksum?: boolean;
}

/**
 * Signs a function URL request as aws4-signing clients do (a smithy HttpRequest signed by
 * SignatureV4 for service `lambda`) and returns the headers to send.
 */
export async function signRequest(base: string, options: SignOptions): Promise<Record<string, string>> {
  const url = new URL(base);
  const request = new HttpRequest({
    method: options.method ?? 'GET',
    protocol: 'http:',
    hostname: url.hostname,
    port: Number(url.port),
    path: options.path,
    query: options.query ?? {},
    headers: { host: url.host, ...(options.body === undefined ? {} : { 'content-type': 'application/json' }), ...options.headers },
    body: options.body,
  });
  const signer = new SignatureV4({
    service: 'lambda', region: options.region ?? 'us-east-1', credentials: options.credentials, sha256: Sha256,
    applyChecksum: options.applyChecksum ?? true,
  });
  const signed = await signer.sign(request, { signingDate: options.signingDate });
  return signed.headers;
}

/** The path with its query, as sent. */
export const withQuery = (path: string, query: Record<string, string> = {}) =>
  (Object.keys(query).length ? `${path}?${new URLSearchParams(query).toString().replace(/\+/g, '%20')}` : path);
