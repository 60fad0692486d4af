import path from 'node:path';
import { CliExit, EXIT } from './context.js';

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

/** `K=V` pairs (also SAM's `ParameterKey=K,ParameterValue=V`). */
function parameterOverrides(pairs: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const pair of pairs) {
    const sam = /^ParameterKey=([^,]+),ParameterValue=(.*)$/.exec(pair);
    const eq = pair.indexOf('=');
    if (!sam && eq < 1) throw new CliExit(EXIT.usage, `--parameter-overrides: "${pair}" is not KEY=VALUE`);
    const [key, value] = sam ? [sam[1], sam[2]] : [pair.slice(0, eq), pair.slice(eq + 1)];
    Object.defineProperty(out, key, { value, enumerable: true, writable: true, configurable: true });
  }
  return out;
}
