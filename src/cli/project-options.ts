import path from 'node:path';
import { CliExit, EXIT } from './context.js';
import { setOwn } from '../own.js';

/** `--template`, `--serverless`, `--stage`, `--parameter-overrides K=V ...`: a project on the command line. */
export interface ProjectOptions {
  template?: string;
  serverless?: string;
  stage?: string;
  parameterOverrides?: string[];
}

/** Config keys the flags set (paths made absolute: they are relative to the working directory, not the config). */
export function projectOverrides(options: ProjectOptions): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (options.template) out.template = path.resolve(options.template);
  if (options.serverless) out.serverless = path.resolve(options.serverless);
  if (options.stage) out.stage = options.stage;
  if (options.parameterOverrides?.length) out.parameters = parameterOverrides(options.parameterOverrides);
  return out;
}

/**
 * `--parameter-overrides` takes values up to the next option, as SAM CLI's does; a value without
 * `=` that names a command ends them, so `triggerhub --parameter-overrides A=B up` runs `up` (commander
 * alone would take `up` as a value and find no command). Each value becomes `--parameter-overrides=V`,
 * which commander reads as one value; any other value without `=` stays and is refused as not KEY=VALUE,
 * and none before a command is refused naming it.
 */
export function endOverridesAtCommand(argv: readonly string[], commands: ReadonlySet<string>): string[] {
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    out.push(argv[i]);
    if (argv[i] === '--') return out.concat(argv.slice(i + 1));
    if (argv[i] !== '--parameter-overrides') continue;
    const first = i + 1;
    while (i + 1 < argv.length && !argv[i + 1].startsWith('-') && (argv[i + 1].includes('=') || !commands.has(argv[i + 1]))) i++;
    if (i < first) {
      if (first < argv.length && commands.has(argv[first])) throw new CliExit(EXIT.usage, `--parameter-overrides: no KEY=VALUE before the command '${argv[first]}'`);
      continue;
    }
    out.pop();
    out.push(...argv.slice(first, i + 1).map((value) => `--parameter-overrides=${value}`));
  }
  return out;
}

/**
 * One pair, as SAM CLI reads its --parameter-overrides string: pairs separated by spaces (so
 * `--parameter-overrides "Stage=prod Env=dev"` is two), a value in double or single quotes may
 * hold spaces, and a backslash escapes a space or a quote.
 */
const PAIR = /(?:"(?:\\.|[^"\\])*"|'(?:\\.|[^'\\])*'|\\.|[^\s"'\\])+/g;

const unquote = (value: string) =>
  (/^(["']).*\1$/s.test(value) ? value.slice(1, -1) : value).replace(/\\([ "'])/g, '$1');

/** `K=V` pairs (also SAM's `ParameterKey=K,ParameterValue=V`). */
function parameterOverrides(args: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const pair of args.flatMap((arg) => arg.match(PAIR) ?? [])) {
    const sam = /^ParameterKey=([^,]+),ParameterValue=(.*)$/s.exec(pair);
    const eq = pair.indexOf('=');
    if (!sam && eq < 1) throw new CliExit(EXIT.usage, `--parameter-overrides: "${pair}" is not KEY=VALUE`);
    const [key, value] = sam ? [sam[1], sam[2]] : [pair.slice(0, eq), pair.slice(eq + 1)];
    setOwn(out, key, unquote(value));
  }
  return out;
}
