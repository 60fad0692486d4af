import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from './helpers/cli.js';
import { tempDir } from './helpers/paths.js';

describe('triggerhub filter test', () => {
  const order = JSON.stringify({ body: { size: [{ numeric: ['>', 10] }], type: ['order'] } });
  // No config file exists at this path: filter test must not need one.
  const filterTest = (...args: string[]) => runCli(['--config', '/nonexistent/triggerhub.yaml', 'filter', 'test', ...args]);

  it('exits 0 on a match and prints one line per leaf', async () => {
    const result = await filterTest('--pattern', order, '--event', JSON.stringify({ body: { size: 42, type: 'order' } }));
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toBe('match\n  ✓ body.size: numeric [">", 10] matched 42\n  ✓ body.type: ["order"] matched "order"\n');
  });

  it('exits 1 on no match and shows which keys failed', async () => {
    const result = await filterTest('--pattern', order, '--event', JSON.stringify({ body: { size: 42, type: 'refund' } }));
    expect(result.code).toBe(1);
    expect(result.stdout).toBe('no match\n  ✓ body.size: numeric [">", 10] matched 42\n  ✗ body.type: ["order"] got "refund"\n');
  });

  it('exits 2 naming the path inside an invalid pattern', async () => {
    const result = await filterTest('--pattern', '{"body": {"size": [{"numeric": [">", "ten"]}]}}', '--event', '{}');
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toContain('invalid filter pattern: body.size: numeric value after ">" must be a number (got "ten")');
  });

  it('exits 2 on input that is not JSON, a missing file or a missing option', async () => {
    const badJson = await filterTest('--pattern', '{"a": [1]', '--event', '{}');
    expect(badJson.code).toBe(2);
    expect(badJson.stderr).toContain('--pattern is not valid JSON');
    const noFile = await filterTest('--pattern', '{"a": [1]}', '--event', '@/nonexistent/event.json');
    expect(noFile.code).toBe(2);
    expect(noFile.stderr).toContain('cannot read --event file /nonexistent/event.json');
    const missing = await filterTest('--pattern', '{"a": [1]}');
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain("required option '-e, --event <json|@file>' not specified");
  });

  it('reads the pattern and the event from @files and applies the SQS body rules', async () => {
    const dir = tempDir('th-filter-');
    const patternFile = path.join(dir, 'pattern.json');
    const eventFile = path.join(dir, 'record.json');
    writeFileSync(patternFile, JSON.stringify({ body: { RequestCode: ['BBBB'] } }));
    writeFileSync(eventFile, JSON.stringify({ messageId: 'm1', body: '{"RecordNumber": 1234, "RequestCode": "BBBB"}' }));

    const asRecord = await filterTest('--pattern', `@${patternFile}`, '--event', `@${eventFile}`, '--data-field', 'body');
    expect(asRecord.code).toBe(0);
    expect(asRecord.stdout).toContain('✓ body.RequestCode: ["BBBB"] matched "BBBB"');

    const raw = await filterTest('--pattern', `@${patternFile}`, '--event', `@${eventFile}`);
    expect(raw.code).toBe(1);
    expect(raw.stdout).toContain('✗ body.RequestCode: ["BBBB"], key is missing');

    const plainBody = await filterTest('--pattern', `@${patternFile}`, '--event', '{"body": "hello"}', '--data-field', 'body');
    expect(plainBody.code).toBe(1);
    expect(plainBody.stdout).toContain('✗ body: expected a JSON object or array (the pattern has fields under it), got "hello"');
  });

  it('decodes base64 Kinesis data and prints the explanation as JSON', async () => {
    const record = { partitionKey: '1', data: Buffer.from('{"order": {"type": "buy"}}').toString('base64') };
    const result = await filterTest(
      '--pattern', '{"partitionKey": ["1"], "data": {"order": {"type": ["buy"]}}}',
      '--event', JSON.stringify(record), '--data-field', 'data', '--json',
    );
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toEqual({
      matched: true,
      entries: [
        { path: 'partitionKey', kind: 'value', expected: '["1"]', actual: '1', matched: true },
        { path: 'data.order.type', kind: 'value', expected: '["buy"]', actual: 'buy', matched: true },
      ],
    });
  });

  it('rejects a plain-value pattern on stream data and an unknown data field', async () => {
    const plain = await filterTest('--pattern', '{"data": ["hello"]}', '--event', '{"data": "aGVsbG8="}', '--data-field', 'data');
    expect(plain.code).toBe(2);
    expect(plain.stderr).toContain('data: must be an object of fields');
    const unknown = await filterTest('--pattern', '{"a": [1]}', '--event', '{}', '--data-field', 'payload');
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('Allowed choices are body, data');
  });

  it('has help', async () => {
    const result = await runCli(['filter', 'test', '--help']);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('Usage: triggerhub filter test [options]');
    expect(result.stdout).toContain('--data-field <field>');
  });
});
