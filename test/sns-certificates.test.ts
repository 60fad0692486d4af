import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CertificateCache } from '../src/sources/sns/certificates.js';

describe('SNS signing certificates', () => {
  let server: http.Server;
  let base: string;
  const hits = new Map<string, number>();

  beforeAll(async () => {
    server = http.createServer((req, res) => {
      hits.set(req.url!, (hits.get(req.url!) ?? 0) + 1);
      res.writeHead(404).end('no such certificate');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise((resolve) => server.close(resolve)));

  it('keeps a failed fetch for a while: forged messages naming a missing certificate do not each make the hub fetch it', async () => {
    const cache = new CertificateCache(undefined, 300);
    const url = new URL(`${base}/SimpleNotificationService-missing.pem`);
    for (let i = 0; i < 5; i++) {
      await expect(cache.get(url)).rejects.toMatchObject({ reason: 'certificate_unavailable', message: expect.stringContaining('HTTP 404') });
    }
    expect(hits.get(url.pathname)).toBe(1);
    // After the failure's time, the next message may fetch it again (the file may be there now).
    await new Promise((resolve) => setTimeout(resolve, 400));
    await expect(cache.get(url)).rejects.toMatchObject({ reason: 'certificate_unavailable' });
    expect(hits.get(url.pathname)).toBe(2);
  });
});
