import type { ProjectModel } from './model.js';
import { FUNCTION_ARN } from './cfn-attachments.js';

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

/** The hub setting of a Lambda authorizer; without identity sources nothing can key a cache, so none is kept. */
export function lambdaAuthorizer(fn: string, sources: string[], ttl: number, extra: Props = {}): Props {
  return { function: fn, identitySource: sources, resultTtlInSeconds: sources.length ? ttl : 0, ...extra };
}

/**
 * After every function is loaded: a route whose authorizer names no function of the project (one of
 * another stack, or one that is not loaded) loses it, with a warning saying the route is open; the
 * hub would otherwise refuse the whole project.
 */
export function dropForeignAuthorizers(model: ProjectModel): void {
  for (const [name, fn] of model.functions) {
    for (const event of fn.events) {
      for (const kind of ['api', 'http']) {
        const route = event[kind] as Props | undefined;
        const authorizer = route?.authorizer as Props | undefined;
        if (!authorizer || typeof authorizer.function !== 'string' || model.functions.has(authorizer.function)) continue;
        delete route!.authorizer;
        model.warnings.push(`${name}: the authorizer of its ${kind} route ${String(route!.path)} is ${authorizer.function}, not a function of this project that runs here: the route is open`);
      }
    }
  }
}
