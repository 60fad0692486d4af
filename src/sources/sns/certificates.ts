import { X509Certificate } from 'node:crypto';
import { Rejection } from '../../errors.js';

/** Certificates are small; anything bigger is not one. */
const MAX_CERT_BYTES = 64 * 1024;
const FETCH_TIMEOUT_MS = 10_000;
/** AWS rotates certificates under new URLs; a handful per topic is plenty. */
const MAX_ENTRIES = 32;

/** How long a failed fetch answers for its URL before the next request may try again. */
const FAILURE_TTL_MS = 60_000;

/**
 * Signing certificates by URL, fetched once (concurrent requests share the fetch) and kept while
 * the mapping runs. Call only with URLs that passed the trust check. A failed fetch is kept for a
 * minute: forged messages naming a trusted host's missing file do not each make the hub fetch it.
 */
export class CertificateCache {
  private readonly entries = new Map<string, Promise<X509Certificate>>();

  constructor(private readonly signal?: AbortSignal, private readonly failureTtlMs = FAILURE_TTL_MS) {}

  get(url: URL): Promise<X509Certificate> {
    const key = url.href;
    let entry = this.entries.get(key);
    if (!entry) {
      const fetched = fetchCertificate(url, this.signal);
      entry = fetched;
      fetched.catch(() => {
        setTimeout(() => { if (this.entries.get(key) === fetched) this.entries.delete(key); }, this.failureTtlMs).unref();
      });
      this.entries.set(key, entry);
      if (this.entries.size > MAX_ENTRIES) this.entries.delete(this.entries.keys().next().value as string);
    }
    return entry;
  }
}

async function fetchCertificate(url: URL, signal?: AbortSignal): Promise<X509Certificate> {
  const signals = [AbortSignal.timeout(FETCH_TIMEOUT_MS), ...(signal ? [signal] : [])];
  let pem: Buffer;
  try {
    // No redirects: a trusted host must not send us to an untrusted one.
    const response = await fetch(url, { redirect: 'error', signal: AbortSignal.any(signals) });
    if (!response.ok) throw new Error(`HTTP ${response.status}`);
    pem = Buffer.from(await response.arrayBuffer());
  } catch (err) {
    throw new Rejection('certificate_unavailable', `cannot fetch the signing certificate ${url.href}: ${(err as Error).message}`, { cause: err });
  }
  if (pem.length > MAX_CERT_BYTES) throw new Rejection('invalid_certificate', `the signing certificate ${url.href} is over ${MAX_CERT_BYTES} bytes`);
  try {
    return new X509Certificate(pem);
  } catch (err) {
    throw new Rejection('invalid_certificate', `${url.href} is not a PEM certificate`, { cause: err });
  }
}
