import { verify, type X509Certificate } from 'node:crypto';
import { canonicalString, type SnsHttpMessage } from './message.js';
import { Rejection } from '../../errors.js';

const DIGESTS = { 1: 'sha1', 2: 'sha256' } as const;

/**
 * Checks an SNS message's RSA signature (SignatureVersion 1: SHA1withRSA, 2: SHA256withRSA) over
 * the canonical string with the signing certificate's public key. Throws `signature_invalid`.
 */
export function verifySignature(message: SnsHttpMessage, certificate: X509Certificate): void {
  const now = Date.now();
  if (Date.parse(certificate.validFrom) > now || Date.parse(certificate.validTo) < now) {
    throw new Rejection('invalid_certificate', `the signing certificate is not valid now (${certificate.validFrom} – ${certificate.validTo})`);
  }
  const data = Buffer.from(canonicalString(message), 'utf8');
  const signature = Buffer.from(message.Signature, 'base64');
  let ok = false;
  try {
    ok = verify(DIGESTS[message.SignatureVersion], data, certificate.publicKey, signature);
  } catch {
    ok = false;
  }
  if (!ok) throw new Rejection('signature_invalid', `the message signature (SignatureVersion ${message.SignatureVersion}) does not match its content and certificate`);
}
