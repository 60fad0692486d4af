import { functionArn } from '../arn.js';
import { loadConfig, print, type GlobalOptions } from './context.js';
import { printable } from './printable.js';

/** `triggerhub functions`: the configured functions, from the config file (no hub needed). */
export function functionsCommand(options: GlobalOptions & { json?: boolean }): void {
  const config = loadConfig(options);
  const rows = Object.values(config.functions).map((fn) => ({
    name: fn.name,
    arn: functionArn(config.region, config.accountId, fn.name),
    handler: fn.handler,
    runtime: fn.runtime,
    timeout: fn.timeout,
    memorySize: fn.memorySize,
    reservedConcurrency: fn.reservedConcurrency ?? null,
    maximumRetryAttempts: fn.maximumRetryAttempts,
    events: fn.events.map((e) => Object.keys(e)[0]),
  }));
  if (options.json) return print(JSON.stringify(rows, null, 2));
  print(table(['NAME', 'HANDLER', 'RUNTIME', 'TIMEOUT', 'MEMORY', 'RESERVED', 'RETRIES', 'EVENTS'], rows.map((r) => [
    r.name, r.handler, r.runtime, `${r.timeout}s`, `${r.memorySize}MB`, r.reservedConcurrency === null ? '-' : String(r.reservedConcurrency),
    String(r.maximumRetryAttempts), r.events.join(',') || '-',
  ])));
}

/** Columns padded to their widest cell; cells hold one line (control characters shown as escapes). */
export function table(header: string[], unsafeRows: string[][]): string {
  const rows = unsafeRows.map((row) => row.map((cell) => printable(cell, true)));
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  return [header, ...rows].map((r) => r.map((cell, i) => cell.padEnd(widths[i])).join('  ').trimEnd()).join('\n');
}
