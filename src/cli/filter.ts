import { readFileSync } from 'node:fs';
import { explainPattern, formatExplanation, type DataEncoding, type DataField } from '../filters/criteria.js';
import { CliExit, EXIT, print } from './context.js';

export interface FilterTestOptions {
  pattern: string;
  event: string;
  dataField?: DataField;
  encoding?: DataEncoding;
  json?: boolean;
}

/**
 * `triggerhub filter test`: matches one event against one pattern and explains each leaf. Needs
 * no config and no hub. Exit 0 on a match, 1 on no match; an invalid pattern is a config error (2).
 */
export function filterTestCommand(options: FilterTestOptions): number {
  const pattern = readJson(options.pattern, '--pattern');
  const event = readJson(options.event, '--event');
  const explanation = explainPattern(pattern, event, { dataField: options.dataField, encoding: options.encoding });
  if (options.json) print(JSON.stringify(explanation, null, 2));
  else print([explanation.matched ? 'match' : 'no match', ...formatExplanation(explanation).map((line) => `  ${line}`)].join('\n'));
  return explanation.matched ? EXIT.ok : EXIT.failed;
}

/** Inline JSON, or `@path` to a JSON file. */
function readJson(value: string, option: string): unknown {
  let text = value;
  if (value.startsWith('@')) {
    try {
      text = readFileSync(value.slice(1), 'utf8');
    } catch (cause) {
      throw new CliExit(EXIT.usage, `cannot read ${option} file ${value.slice(1)}: ${(cause as Error).message}`);
    }
  }
  try {
    return JSON.parse(text) as unknown;
  } catch (cause) {
    throw new CliExit(EXIT.usage, `${option} is not valid JSON: ${(cause as Error).message}`);
  }
}
