import { lambdaAuthorizerSchema } from '../sources/http/authorizer-settings.js';
import type { ProjectModel } from './model.js';
import { FUNCTION_ARN } from './cfn-attachments.js';
import type { Stack } from './stack.js';

/**
 * What SAM's and the Framework's API authorizers share once mapped onto the hub's route
 * `authorizer` (a Lambda authorizer of a project function): the function an ARN names, identity
 * source lists, API Gateway's cache default, and the check, once every function is loaded, that
 * the authorizer function is one of the project's.
 */
type Props = Record<string, unknown>;

/** API Gateway's authorizer result TTL when the project sets none (REST; HTTP APIs with identity sources). */
export const DEFAULT_RESULT_TTL = 300;

/** JWT / Cognito authorizers: the hub holds no issuer's keys, so it cannot tell a good token from a forged one. */
export const TOKEN_ISSUER_WARNING = 'is not emulated (the hub cannot verify tokens against the issuer\'s keys, as sam local start-api cannot): the route is open';

/** The function name of a Lambda function ARN (any qualifier dropped), else undefined. */
export const functionOfArn = (arn: string): string | undefined => FUNCTION_ARN.exec(arn)?.[1];

/** A list property given as a list, one text, or a comma-separated text (the Framework's `identitySource`). */
export function textList(value: unknown): string[] {
  if (value === undefined || value === null) return [];
  return [value].flat().flatMap((item) => String(item).split(',')).map((item) => item.trim()).filter(Boolean);
}

/**
 * Where a mapped authorizer is written in the project file: `at`, the authorizer, and under it the
 * property each hub setting is read from (`Identity.ReauthorizeEvery`, `resultTtlInSeconds`), so a
 * value the hub refuses is named where the project has it.
 */
export interface AuthorizerOrigin {
  stack: Stack;
  at: string;
  names: Partial<Record<'identitySource' | 'validationExpression' | 'resultTtlInSeconds', string>>;
}

/** A TTL as written: a number, or its digits as text (CloudFormation and the Framework's ajv take both); anything else is left for the check to refuse. */
export const resultTtl = (value: unknown): unknown => (value === undefined ? DEFAULT_RESULT_TTL : typeof value === 'string' && /^\d+$/.test(value) ? Number(value) : value);

/**
 * The hub setting of a Lambda authorizer, checked against the hub's route `authorizer` schema: a
 * value it refuses (a TTL that is no number of seconds up to 3600, a validation expression that is
 * no regular expression) is an error naming the project's property. Without identity sources
 * nothing can key a cache, so none is kept.
 */
export function lambdaAuthorizer(origin: AuthorizerOrigin, fn: string, sources: string[], ttl: unknown, extra: Props = {}): Props {
  const setting: Props = { function: fn, identitySource: sources, resultTtlInSeconds: resultTtl(ttl), ...extra };
  const checked = lambdaAuthorizerSchema.safeParse(setting);
  if (!checked.success) {
    const [issue] = checked.error.issues;
    const [key, index] = issue.path;
    const name = new Map(Object.entries(origin.names)).get(String(key));
    const value = index === undefined ? setting[String(key)] : (setting[String(key)] as unknown[])[Number(index)];
    throw origin.stack.resolver.error(name === undefined ? origin.at : `${origin.at}.${name}`, `${issue.message}, not ${JSON.stringify(value)}`);
  }
  return { ...setting, resultTtlInSeconds: sources.length ? setting.resultTtlInSeconds : 0 };
}

/**
 * After every function is loaded: a route whose authorizer names no function of the project (one of
 * another stack, or one that is not loaded) loses it, with a warning saying the route is open; the
 * hub would otherwise refuse the whole project. So does its path's CORS answer (`cors.authorizer`).
 */
export function dropForeignAuthorizers(model: ProjectModel): void {
  const foreign = (holder: Props | undefined) => {
    const authorizer = holder?.authorizer as Props | undefined;
    return authorizer && typeof authorizer.function === 'string' && !model.functions.has(authorizer.function) ? authorizer.function : undefined;
  };
  for (const [name, fn] of model.functions) {
    for (const event of fn.events) {
      for (const kind of ['api', 'http']) {
        const route = event[kind] as Props | undefined;
        const cors = route?.cors as Props | undefined;
        const other = foreign(route);
        if (other !== undefined) {
          delete route!.authorizer;
          model.warnings.push(`${name}: the authorizer of its ${kind} route ${String(route!.path)} is ${other}, not a function of this project that runs here: the route is open`);
        }
        const preflight = foreign(cors);
        if (preflight !== undefined) {
          delete cors!.authorizer;
          model.warnings.push(`${name}: the authorizer of the CORS preflight (OPTIONS) of its ${kind} route ${String(route!.path)} is ${preflight}, not a function of this project that runs here: the preflight is open`);
        }
      }
    }
  }
}
