import { rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { InvokeCommand } from '@aws-sdk/client-lambda';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildConsole } from '../scripts/build-console.js';
import type { DlqRecord } from '../src/dlq/store.js';
import { hasChromium, launchBrowser, screenshot } from './helpers/browser.js';
import { encoder, startTestHub, tempDir, waitFor, type TestHub } from './helpers/hub.js';

if (!hasChromium) console.warn('console.test: /usr/bin/chromium is missing (apt-get install chromium); the browser tests are skipped');

describe.skipIf(!hasChromium)('web console in a real browser', { timeout: 120_000 }, () => {
  const dir = tempDir('th-console-');
  const fixMarker = path.join(dir, 'fixed');
  let hub: TestHub;
  let browser: BrowserContext;
  let page: Page;
  const invoke = (fn: string, payload: unknown, type: 'RequestResponse' | 'Event' = 'RequestResponse') =>
    hub.lambda.send(new InvokeCommand({ FunctionName: fn, InvocationType: type, Payload: encoder.encode(JSON.stringify(payload)) }));
  const row = (fn: string) => page.locator(`tr[data-function="${fn}"]`);

  beforeAll(async () => {
    await buildConsole();
    hub = await startTestHub({
      functions: {
        echo: { handler: 'echo.handler', memorySize: 256 },
        fail: { handler: 'fail.handler', maximumRetryAttempts: 0, environment: { FIX_MARKER: fixMarker } },
        ticker: { handler: 'noop.handler', events: [{ schedule: { expression: 'rate(1 hour)' } }] },
        orders: { handler: 'echo.handler', events: [{ http: { path: '/orders', methods: ['POST'] } }], destinations: { onSuccess: 'ticker' } },
      },
    });
    browser = await launchBrowser();
    page = await browser.newPage();
  });
  afterAll(async () => {
    await browser?.close();
    await hub?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('shows every function with its counts, state, sources and the hub, live', async () => {
    for (let i = 0; i < 3; i += 1) await invoke('echo', { i });
    await invoke('fail', { order: 7 }, 'Event');
    await invoke('orders', { n: 9 }, 'Event');
    for (let i = 0; i < 2; i += 1) expect((await fetch(`${hub.url}/orders`, { method: 'POST', body: JSON.stringify({ n: i }) })).status).toBe(200);
    await waitFor(async () => (await hub.dlq.list()).length === 1, 15_000, 'the failed event in the DLQ');
    await page.goto(`${hub.url}/console`);
    // Keyboard: the first Tab reaches the skip link, Enter moves focus to the page's content.
    await page.keyboard.press('Tab');
    expect(await page.evaluate(() => document.activeElement?.textContent)).toBe('Skip to content');
    await page.keyboard.press('Enter');
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('main');
    await expect.poll(() => row('echo').locator('[data-col="invocations"]').textContent(), { timeout: 15_000 }).toBe('3');
    await expect.poll(() => row('fail').locator('[data-col="errors"]').textContent(), { timeout: 15_000 }).toBe('1');
    expect(await row('fail').textContent()).toContain('failing');
    expect(await row('ticker').locator('.chip').textContent()).toBe('schedule');
    expect(await row('orders').locator('.chip').textContent()).toBe('http');
    expect(await page.locator('#hubs-title + .table-wrap tbody tr').count()).toBe(1);
    // Live: a new invocation shows without reloading the page.
    await invoke('echo', { i: 3 });
    await expect.poll(() => row('echo').locator('[data-col="invocations"]').textContent(), { timeout: 15_000 }).toBe('4');
    await screenshot(page, 'overview');
    await page.setViewportSize({ width: 420, height: 800 });
    await screenshot(page, 'overview-narrow', false);
    await page.setViewportSize({ width: 1280, height: 800 });
  });

  it('opens a function: its live log gets a new invocation, and the page invokes it', async () => {
    await row('echo').getByRole('link', { name: 'echo' }).click();
    await page.getByRole('heading', { name: 'Live log' }).waitFor();
    const logBox = page.locator('pre.log');
    await expect.poll(() => logBox.textContent(), { timeout: 10_000 }).toContain('REPORT RequestId');
    const { $metadata } = await invoke('echo', { marker: 'from-outside' });
    const requestId = $metadata.requestId!;
    await logBox.locator(`[data-request-id="${requestId}"]`).first().waitFor({ timeout: 15_000 });
    // Invoke from the page (keyboard: focus the editor, replace its text, submit).
    await page.getByLabel('Event (JSON)').fill('{"from": "the page"}');
    await page.getByRole('button', { name: 'Invoke' }).click();
    const result = page.locator('pre.result');
    await expect.poll(() => result.textContent(), { timeout: 15_000 }).toContain('"from":"the page"');
    expect(await page.locator('pre.log-tail').textContent()).toMatch(/REPORT RequestId/);
    await expect.poll(() => page.locator('table.recent tbody tr').count(), { timeout: 15_000 }).toBeGreaterThanOrEqual(6);
    await screenshot(page, 'function');
    // Async from the page: 202 with a request id, and the live log narrowed to that invocation shows its lines.
    await page.getByLabel('Event (async)').check();
    await page.getByRole('button', { name: 'Invoke' }).click();
    const showLines = page.getByRole('button', { name: 'Show only its lines in the live log' });
    await showLines.waitFor({ timeout: 15_000 });
    const asyncId = await page.locator('.invoke-result code[data-request-id]').getAttribute('data-request-id');
    await showLines.click();
    expect(await page.getByLabel('Request id').inputValue()).toBe(asyncId);
    await logBox.locator(`[data-request-id="${asyncId}"]`).filter({ hasText: 'REPORT' }).waitFor({ timeout: 15_000 });
    expect(await logBox.locator('.log-line').evaluateAll((lines, id) => lines.every((l) => l.getAttribute('data-request-id') === id), asyncId)).toBe(true);
    await page.setViewportSize({ width: 420, height: 800 });
    await page.evaluate(() => window.scrollTo(0, 0));
    await screenshot(page, 'function-narrow', false);
    await page.setViewportSize({ width: 1280, height: 800 });
  });

  it('draws the live flow and lists the sources with their next fire times', async () => {
    await page.goto(`${hub.url}/console#/flow`);
    await page.locator('[data-edge="source:triggerhub:invoke>fn:echo"].active').waitFor({ timeout: 15_000 });
    await page.locator('[data-edge="fn:fail>dlq"].active').waitFor({ timeout: 15_000 });
    expect(await page.locator('[data-edge^="source:"][data-edge$=">fn:orders"].active').count()).toBeGreaterThanOrEqual(1);
    // orders' on-success destination is the function ticker: an edge to its right-hand copy.
    await page.locator('[data-edge="fn:orders>fn:ticker#dest"].active').waitFor({ timeout: 15_000 });
    // Each rate sits on its function's row (beside the box it enters or leaves), not halfway along a fan of edges.
    const box = async (selector: string) => (await page.locator(selector).boundingBox())!;
    for (const [edge, fn] of [['source:triggerhub:invoke>fn:fail', 'fail'], ['fn:fail>dlq', 'fail'], ['source:triggerhub:invoke>fn:echo', 'echo']]) {
      const [rate, node] = [await box(`[data-edge="${edge}"] text.rate`), await box(`[data-node="fn:${fn}"] rect`)];
      expect(rate.y + rate.height / 2, edge).toBeGreaterThan(node.y);
      expect(rate.y + rate.height / 2, edge).toBeLessThan(node.y + node.height);
    }
    await screenshot(page, 'flow');
    await page.goto(`${hub.url}/console#/sources`);
    const ticker = page.locator('tr[data-source="schedule:ticker:0"]');
    await expect.poll(() => ticker.textContent(), { timeout: 15_000 }).toContain('running');
    expect(await ticker.textContent()).toMatch(/\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ/);
    await screenshot(page, 'sources');
  });

  it('opens the dead letter with every attempt, redrives it edited and then fixed, and the function runs it', async () => {
    await page.goto(`${hub.url}/console#/dlq`);
    const [record] = await hub.dlq.list();
    await page.locator(`tr[data-record="${record.id}"]`).waitFor();
    // The CLI's filters: typed key by key (the field keeps focus), applied with Enter.
    await page.getByLabel('Function').selectOption('echo');
    await page.getByRole('button', { name: 'Apply filters' }).click();
    await page.getByText('No dead-letter records match these filters').waitFor();
    await page.getByLabel('Function').selectOption('fail');
    await page.getByLabel('Source').pressSequentially('triggerhub:*');
    await page.keyboard.press('Enter');
    await page.locator(`tr[data-record="${record.id}"]`).waitFor();
    expect(page.url()).toContain('function=fail');
    await screenshot(page, 'dlq');
    await page.locator(`tr[data-record="${record.id}"] a`).click();
    await page.getByRole('heading', { name: 'Attempts (1)' }).waitFor();
    expect(await page.locator('table.attempts').textContent()).toContain('BoomError');
    expect(await page.locator('pre.code').last().textContent()).toContain('"order": 7');
    // Edit the payload and redrive: it fails again (not fixed yet) and comes back with the edit in its history.
    await page.getByRole('button', { name: 'Edit the payload, then redrive…' }).click();
    await page.getByLabel(/Payload to redrive/).fill('{"order": 8}');
    await page.getByRole('button', { name: 'Redrive edited' }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Redrive edited' }).click();
    await page.getByText('Redriven: 1').waitFor();
    await waitFor(async () => (await hub.dlq.list())[0]?.delivery.redrives === 1, 15_000, 'the edited event back in the DLQ');
    await page.reload();
    await page.getByRole('heading', { name: 'Attempts (2)' }).waitFor();
    expect(await page.locator('pre.code').last().textContent()).toContain('"order": 8');
    expect(await page.getByRole('heading', { name: 'Payload edits' }).count()).toBe(1);
    await screenshot(page, 'dlq-record');
    writeFileSync(fixMarker, 'fixed');
    // Keyboard only: Enter opens the confirmation, Esc cancels it, Enter again and Enter confirms.
    await page.getByRole('button', { name: 'Redrive this record' }).focus();
    await page.keyboard.press('Enter');
    await page.getByRole('dialog').waitFor();
    await page.keyboard.press('Escape');
    await page.getByRole('dialog').waitFor({ state: 'detached' });
    expect(await hub.dlq.list()).toHaveLength(1);
    await page.getByRole('button', { name: 'Redrive this record' }).focus();
    await page.keyboard.press('Enter');
    await page.getByRole('dialog').waitFor();
    await page.keyboard.press('Enter');
    await page.getByText('Redriven: 1').waitFor();
    expect(await hub.dlq.list()).toEqual([]);
    await page.goto(`${hub.url}/console#/dlq`);
    await page.getByText('No dead-letter records').waitFor();
    await page.goto(`${hub.url}/console#/`);
    await expect.poll(() => row('fail').locator('[data-col="invocations"]').textContent(), { timeout: 15_000 }).toBe('3');
  });
  it('shows a record a custom runtime failed with a stack string and an object message; a broken address or record names the problem instead of blanking the console', async () => {
    const errors: string[] = [];
    page.on('pageerror', (err) => errors.push(err.message));
    const base = {
      function: 'fail', source: 'triggerhub:invoke', reason: 'RetriesExhausted' as const, failedAt: new Date().toISOString(),
      envelope: { specversion: '1.0', id: 'x', source: 'triggerhub:invoke', type: 'aws.lambda.invoke', time: new Date().toISOString(), datacontenttype: 'application/json', data: { n: 1 } } as DlqRecord['envelope'],
      delivery: { invocationType: 'Event' as const, firstSeenAt: Date.now(), redrives: 0 },
    };
    // As hubs before the fix kept them: the runtime's document as posted.
    const loose = { attempt: 1, startedAt: base.failedAt, durationMs: 1, status: 'error', errorType: 'LooseError', redrive: 0 };
    await hub.dlq.add({ ...base, id: 'loose-record', envelope: { ...base.envelope, id: 'loose-record' },
      attempts: [{ ...loose, errorMessage: { why: '<b>bad</b>' }, stackTrace: 'at one\nat two' } as unknown as DlqRecord['attempts'][number]] });
    await page.goto(`${hub.url}/console#/dlq/loose-record`);
    await page.getByRole('heading', { name: 'Attempts (1)' }).waitFor();
    expect(await page.locator('table.attempts').textContent()).toContain('LooseError {"why":"<b>bad</b>"}');
    expect(await page.locator('table.attempts pre.code').textContent()).toBe('at one\nat two');
    await page.goto(`${hub.url}/console#/dlq`);
    expect(await page.locator('tr[data-record="loose-record"]').textContent()).toContain('LooseError: {"why":');
    // A record with no delivery at all: the page says it cannot be shown; the rest of the console works.
    await hub.dlq.add({ ...base, id: 'broken-record', delivery: undefined } as unknown as DlqRecord);
    await page.goto(`${hub.url}/console#/dlq/broken-record`);
    await page.locator('[data-page-error]').waitFor();
    expect(await page.locator('[data-page-error]').textContent()).toContain('This page could not be shown');
    await page.getByRole('link', { name: 'Overview' }).click();
    await row('echo').waitFor();
    // A broken escape in the address is the name as typed (no such function), not a blank page.
    await page.goto(`${hub.url}/console#/functions/%E0%A4%A`);
    await page.getByRole('heading', { name: '%E0%A4%A' }).waitFor();
    // An error message that is one 3,000-character word wraps in its cell: the attempts table does not scroll sideways.
    await hub.dlq.add({ ...base, id: 'long-word', envelope: { ...base.envelope, id: 'long-word' }, attempts: [{ ...loose, errorMessage: 'B'.repeat(3000) }] });
    await page.goto(`${hub.url}/console#/dlq/long-word`);
    await page.getByRole('heading', { name: 'Attempts (1)' }).waitFor();
    expect(await page.locator('table.attempts').evaluate((table) => table.parentElement!.scrollWidth <= table.parentElement!.clientWidth)).toBe(true);
    // A right-to-left override in an error would show the text after it reversed (invoice\u202Egnp.exe reads "invoiceexe.png"): shown as its escape.
    await hub.dlq.add({ ...base, id: 'bidi', envelope: { ...base.envelope, id: 'bidi' }, attempts: [{ ...loose, errorMessage: 'invoice\u202Egnp.exe' }] });
    await page.goto(`${hub.url}/console#/dlq`);
    expect(await page.locator('tr[data-record="bidi"]').textContent()).toContain('invoice\\u202egnp.exe');
    await page.goto(`${hub.url}/console#/dlq/bidi`);
    await page.getByRole('heading', { name: 'Attempts (1)' }).waitFor();
    expect(await page.locator('table.attempts').textContent()).toContain('invoice\\u202egnp.exe');
    await hub.dlq.purge({});
    expect(errors).toEqual([]);
  });

  /** A dead letter of `fail` that failed `agoMs` ago. */
  const deadLetter = (id: string, agoMs: number, i = 0): DlqRecord => {
    const failedAt = new Date(Date.now() - agoMs).toISOString();
    return {
      id, function: 'fail', source: 'triggerhub:invoke', reason: 'RetriesExhausted', failedAt,
      envelope: { specversion: '1.0', id, source: 'triggerhub:invoke', type: 'aws.lambda.invoke', time: failedAt, datacontenttype: 'application/json', data: { i } },
      delivery: { invocationType: 'Event', firstSeenAt: Date.now(), redrives: 0 },
      attempts: [{ attempt: 1, startedAt: failedAt, durationMs: 1, status: 'error', errorType: 'BoomError', errorMessage: `boom ${i}`, redrive: 0 }],
    };
  };

  it('acts on every matching dead letter, not only the rows listed, names how many, and sends one request at a time', async () => {
    const record = (i: number) => deadLetter(`many-${i}`, i * 1000, i);
    for (let i = 0; i < 501; i += 1) await hub.dlq.add(record(i));
    await page.goto(`${hub.url}/console#/dlq`);
    await page.locator('tr[data-record="many-0"]').waitFor();
    expect(await page.locator('table.dlq tbody tr').count()).toBe(500);
    expect(await page.locator('.bulk h2').textContent()).toBe('All 501 matching (the newest 500 are listed)');
    // Keyboard: a purge dialog opens on Cancel, so Enter closes it and nothing is deleted.
    await page.getByRole('button', { name: 'Purge all 501 matching' }).focus();
    await page.keyboard.press('Enter');
    expect(await page.getByRole('dialog').getByRole('heading').textContent()).toBe('Purge all 501 matching?');
    await page.keyboard.press('Enter');
    await page.getByRole('dialog').waitFor({ state: 'detached' });
    expect(await hub.dlq.count()).toBe(501);
    await page.getByRole('button', { name: 'Purge all 501 matching' }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Purge for good' }).click();
    await page.getByText('Purged: 501').waitFor();
    expect(await hub.dlq.count()).toBe(0);
    // A paced redrive takes a while: the page says so and offers no second one meanwhile (the function is fixed by now).
    for (let i = 0; i < 3; i += 1) await hub.dlq.add(record(i));
    await page.goto(`${hub.url}/console#/dlq?function=fail`);
    await page.locator('tr[data-record="many-2"]').waitFor();
    await page.getByLabel('Rate (records/s)').fill('1');
    const posts: string[] = [];
    page.on('request', (request) => { if (request.method() === 'POST') posts.push(request.url()); });
    await page.getByRole('button', { name: 'Redrive all 3 matching' }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Redrive' }).click();
    await page.locator('[data-busy]').waitFor();
    expect(await page.locator('[data-busy]').textContent()).toBe('Redriving all 3 matching at 1 per second…');
    expect(await page.getByRole('button', { name: 'Redrive all 3 matching' }).isDisabled()).toBe(true);
    expect(await page.getByRole('button', { name: 'Purge all 3 matching' }).isDisabled()).toBe(true);
    await page.getByText('Redriven: 3').waitFor({ timeout: 15_000 });
    expect(posts).toEqual([`${hub.url}/admin/dlq/redrive`]);
    await page.getByText('No dead-letter records match these filters').waitFor();
  });

  it('acts on the dead letters a relative since listed: it sends the instant 15m meant when listed, not 15m again', async () => {
    await hub.dlq.add(deadLetter('recent', 60_000));
    await hub.dlq.add(deadLetter('hour-old', 3_600_000));
    const listed = page.waitForResponse((response) => response.url().includes('/console/api/dlq?since=15m'));
    await page.goto(`${hub.url}/console#/dlq?since=15m`);
    const applied = ((await (await listed).json()) as { filter: { since: string } }).filter;
    await page.locator('tr[data-record="recent"]').waitFor();
    expect(await page.locator('.bulk h2').textContent()).toBe('All 1 matching');
    const bodies: string[] = [];
    page.on('request', (request) => { if (request.method() === 'POST') bodies.push(request.postData() ?? ''); });
    await page.getByRole('button', { name: 'Purge all 1 matching' }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Purge for good' }).click();
    await page.getByText('Purged: 1').waitFor();
    expect(applied.since).toMatch(/^\d{4}-\d{2}-\d{2}T[\d:.]+Z$/);
    expect(bodies.map((body) => JSON.parse(body))).toEqual([{ filter: { since: applied.since } }]);
    expect((await hub.dlq.list()).map((r) => r.id)).toEqual(['hour-old']);
    await hub.dlq.purge({});
  });
});

describe.skipIf(!hasChromium)('web console behind an admin token', { timeout: 60_000 }, () => {
  const token = 'console-browser-token-42-42-42';
  let hub: TestHub;
  let browser: BrowserContext;
  beforeAll(async () => {
    await buildConsole();
    hub = await startTestHub({ admin: { token }, functions: { echo: { handler: 'echo.handler' } } });
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    await hub?.stop();
  });

  it('asks for the token, refuses a wrong one, and shows the overview with the right one', async () => {
    const page = await browser.newPage();
    await page.goto(`${hub.url}/console`);
    const field = page.getByLabel('Admin token');
    await field.waitFor();
    await field.fill('not-the-token-at-all');
    await page.keyboard.press('Enter');
    await page.getByRole('alert').waitFor();
    expect(await page.getByRole('alert').textContent()).toContain('Bearer');
    await screenshot(page, 'login', false);
    await field.fill(token);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.locator('tr[data-function="echo"]').waitFor();
    expect(await page.evaluate(() => sessionStorage.getItem('triggerhub.adminToken'))).toBe(token);
  });
});
