import { ruleArn } from '../sources/schedule/event.js';
import { localIso, parseExpression } from '../sources/schedule/expression.js';
import type { ScheduleSettings } from '../sources/schedule/settings.js';
import { CliExit, EXIT, loadConfig, print, type GlobalOptions } from './context.js';
import { table } from './functions.js';

export interface SchedulesOptions extends GlobalOptions {
  next?: string;
  from?: string;
  json?: boolean;
}

/** `triggerhub schedules`: every schedule's next fire times, from the config file (no hub needed). */
export function schedulesCommand(options: SchedulesOptions): void {
  const count = Number(options.next ?? 3);
  if (!Number.isInteger(count) || count < 1 || count > 1000) throw new CliExit(EXIT.usage, `--next must be a whole number from 1 to 1000, got ${options.next}`);
  const from = options.from === undefined ? Date.now() : Date.parse(options.from);
  if (Number.isNaN(from)) throw new CliExit(EXIT.usage, `--from must be an ISO date-time, got ${options.from}`);
  const config = loadConfig(options);
  const rows = Object.values(config.functions).flatMap((fn) => fn.events.flatMap((mapping, index) => {
    if (!('schedule' in mapping)) return [];
    const settings = mapping.schedule as ScheduleSettings;
    const schedule = parseExpression(settings.expression, settings.timezone);
    const ticks: number[] = [];
    for (let t = schedule.nextAfter(from); t !== null && ticks.length < count; t = schedule.nextAfter(t)) ticks.push(t);
    return [{
      function: fn.name,
      rule: ruleArn(config, { fn: fn.name, index }),
      expression: settings.expression,
      timezone: settings.timezone,
      enabled: settings.enabled,
      catchUp: settings.catchUp,
      next: ticks.map((t) => ({ local: localIso(t, settings.timezone), utc: new Date(t).toISOString().replace(/\.\d{3}Z$/, 'Z') })),
    }];
  }));
  if (options.json) return print(JSON.stringify(rows, null, 2));
  if (rows.length === 0) return print('no schedules configured');
  print(table(['FUNCTION', 'EXPRESSION', 'TIMEZONE', 'ENABLED', 'NEXT (LOCAL)', 'NEXT (UTC)'], rows.flatMap((r) => {
    const next = r.next.length ? r.next : [{ local: '(none)', utc: '-' }];
    return next.map((tick, i) => (i === 0
      ? [r.function, r.expression, r.timezone, r.enabled ? 'yes' : 'no', tick.local, tick.utc]
      : ['', '', '', '', tick.local, tick.utc]));
  })));
}
