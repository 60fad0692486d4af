import { Rejection, type RejectionReason } from '../../errors.js';

/**
 * Whether `raw` is a URL the endpoint may fetch: https (or http when `allowHttp`), on a trusted host.
 * A trusted entry `host` matches the URL's host on the scheme's default port; `host:port` matches
 * exactly that port. Throws an Rejection with `reason` otherwise; returns the parsed URL.
 */
export function trustedUrl(raw: string, hosts: readonly string[], allowHttp: boolean, reason: RejectionReason, what: string): URL {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new Rejection(reason, `${what} is not a URL: ${raw}`);
  }
  const schemeOk = url.protocol === 'https:' || (allowHttp && url.protocol === 'http:');
  if (!schemeOk) throw new Rejection(reason, `${what} must use https: ${raw}`);
  if (url.username || url.password) throw new Rejection(reason, `${what} must not hold credentials`);
  if (!hosts.includes(url.host.toLowerCase())) {
    throw new Rejection(reason, `${what} host ${url.host} is not trusted (trusted: ${hosts.join(', ')})`);
  }
  return url;
}
