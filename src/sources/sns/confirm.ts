import { Rejection } from '../../errors.js';

const CONFIRM_TIMEOUT_MS = 10_000;

/**
 * Confirms a subscription by fetching its SubscribeURL (a GET, as the SNS docs describe). The URL
 * must have passed the trust check. Redirects are refused; anything but 2xx is a failure.
 */
export async function confirmSubscription(url: URL, signal: AbortSignal): Promise<void> {
  try {
    const response = await fetch(url, { redirect: 'error', signal: AbortSignal.any([signal, AbortSignal.timeout(CONFIRM_TIMEOUT_MS)]) });
    await response.arrayBuffer();
    if (!response.ok) throw new Error(`HTTP ${response.status}`);
  } catch (err) {
    throw new Rejection('confirmation_failed', `cannot confirm the subscription at ${url.origin}${url.pathname}: ${(err as Error).message}`, { cause: err });
  }
}
