import { createHash, createHmac, timingSafeEqual, type Hash, type Hmac } from 'node:crypto';
import { loadSignatureV4 } from '../../aws/lazy-sdk.js';
import type { IncomingHttp } from './request.js';
import { headerValues } from './request.js';
import { dictionary } from '../../own.js';

/** `AWS4-HMAC-SHA256 Credential=<key>/<date>/<region>/<service>/aws4_request, SignedHeaders=a;b, Signature=<hex>`. */
const AUTHORIZATION = /^AWS4-HMAC-SHA256 Credential=([^/\s]+)\/(\d{8})\/([^/\s]+)\/([^/\s]+)\/aws4_request,\s*SignedHeaders=([a-z0-9;_.-]+),\s*Signature=([0-9a-f]{64})$/;
const AMZ_DATE = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/;
/** How far X-Amz-Date may be from the hub's clock, as AWS allows. */
export const MAX_CLOCK_SKEW_MS = 15 * 60 * 1000;

export interface SigningKey {
  accessKeyId: string;
  secretAccessKey: string;
}

/** What the signature names once it is verified. */
export interface VerifiedSigner {
  accessKeyId: string;
}

/**
 * Verifies the SigV4 `Authorization` header of a request (service `service`, region `region`)
 * against the secret the hub knows for its access key: the canonical request is rebuilt from what
 * arrived (the path as sent, the signed headers only, the body's SHA-256) and signed again with
 * @smithy/signature-v4, the signer AWS SDK clients use. Returns the signer or why it failed.
 */
export async function verifySigV4(
  incoming: IncomingHttp, keys: ReadonlyMap<string, SigningKey>, scope: { region: string; service: string }, now = Date.now(),
): Promise<VerifiedSigner | { reason: string }> {
  const headers = headerValues(incoming, true);
  const one = (name: string) => headers.get(name)?.join(',');
  const match = AUTHORIZATION.exec(one('authorization') ?? '');
  if (!match) return { reason: 'missing or malformed SigV4 Authorization header' };
  const [, accessKeyId, day, region, service, signedList, signature] = match;
  const key = keys.get(accessKeyId);
  if (!key) return { reason: `unknown access key ${accessKeyId}` };
  if (region !== scope.region || service !== scope.service) return { reason: `credential scope ${region}/${service} is not ${scope.region}/${scope.service}` };
  const signingDate = amzDate(one('x-amz-date') ?? '');
  if (!signingDate || !signingDate.toISOString().replace(/-/g, '').startsWith(day)) return { reason: 'missing X-Amz-Date, or not the day of the credential scope' };
  if (Math.abs(now - signingDate.getTime()) > MAX_CLOCK_SKEW_MS) return { reason: 'signature expired: X-Amz-Date is more than 15 minutes from the hub clock' };
  const bodyHash = createHash('sha256').update(incoming.body).digest('hex');
  const claimed = one('x-amz-content-sha256');
  if (claimed !== undefined && claimed !== bodyHash) return { reason: 'X-Amz-Content-Sha256 does not match the body' };
  const signed = signedList.split(';');
  const signedHeaders = dictionary<string>();
  for (const name of signed) {
    const value = one(name);
    if (value === undefined) return { reason: `signed header ${name} is missing` };
    signedHeaders[name] = value;
  }
  const query = queryOf(incoming.rawQueryString);
  if (!query) return { reason: 'query string is not valid percent-encoding' };
  const { SignatureV4 } = await loadSignatureV4();
  const signer = new SignatureV4({
    service, region, sha256: Sha256, applyChecksum: false,
    credentials: { accessKeyId, secretAccessKey: key.secretAccessKey, sessionToken: signedHeaders['x-amz-security-token'] },
  });
  const resigned = await signer.sign(
    { method: incoming.method, protocol: 'http:', hostname: signedHeaders.host ?? '', path: incoming.rawPath, query, headers: signedHeaders, body: incoming.body },
    { signingDate, signableHeaders: new Set(signed) },
  );
  const expected = /Signature=([0-9a-f]{64})/.exec(String(resigned.headers.authorization))?.[1] ?? '';
  return expected.length === signature.length && timingSafeEqual(Buffer.from(expected), Buffer.from(signature))
    ? { accessKeyId }
    : { reason: 'signature does not match' };
}

function amzDate(text: string): Date | undefined {
  const m = AMZ_DATE.exec(text);
  return m ? new Date(Date.UTC(+m[1], +m[2] - 1, +m[3], +m[4], +m[5], +m[6])) : undefined;
}

/** The query as the signer takes it: names → values (lists for repeats), percent-decoded. */
function queryOf(raw: string): Record<string, string | string[]> | undefined {
  const out = new Map<string, string[]>();
  try {
    for (const pair of raw.split('&')) {
      if (!pair) continue;
      const at = pair.indexOf('=');
      const name = decodeURIComponent(at === -1 ? pair : pair.slice(0, at));
      const value = at === -1 ? '' : decodeURIComponent(pair.slice(at + 1));
      out.set(name, [...(out.get(name) ?? []), value]);
    }
  } catch {
    return undefined;
  }
  return Object.fromEntries([...out].map(([name, values]) => [name, values.length === 1 ? values[0] : values]));
}

/** SHA-256 (HMAC-SHA256 when given a secret) for the signer, from node:crypto. */
class Sha256 {
  readonly #hash: Hash | Hmac;
  constructor(secret?: SourceData) {
    this.#hash = secret === undefined ? createHash('sha256') : createHmac('sha256', bytes(secret));
  }

  update(data: SourceData): void {
    this.#hash.update(bytes(data));
  }

  async digest(): Promise<Uint8Array> {
    return this.#hash.digest();
  }
}

type SourceData = string | ArrayBuffer | ArrayBufferView;
const bytes = (data: SourceData): string | Uint8Array => {
  if (typeof data === 'string') return data;
  return ArrayBuffer.isView(data) ? new Uint8Array(data.buffer, data.byteOffset, data.byteLength) : new Uint8Array(data);
};
