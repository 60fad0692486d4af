import { DEFAULT_STAGE, isHttpStageName, STAGE_NAME_MESSAGE } from '../sources/http/stage.js';
import type { Stack, TemplateResource } from './stack.js';
import { isObject } from '../own.js';

type Props = Record<string, unknown>;


/**
 * The API a SAM event names with `ApiId: !Ref X` (HttpApi) or `RestApiId: !Ref X` (Api); no id:
 * SAM's implicit API of that kind.
 */
export function apiOf(stack: Stack, event: Props, key: 'ApiId' | 'RestApiId'): { id?: string; api?: TemplateResource } {
  const ref = event[key];
  const id = isObject(ref) && typeof ref.Ref === 'string' ? ref.Ref : undefined;
  return { id, api: id === undefined ? undefined : stack.resources.get(id) };
}

/** The HTTP API a SAM HttpApi event names. */
export const httpApiOf = (stack: Stack, event: Props) => apiOf(stack, event, 'ApiId');

/**
 * The stage of a SAM HttpApi event (its unresolved properties): the `StageName` of the
 * AWS::Serverless::HttpApi its ApiId names, resolved (`!Ref StageParam`); without one, or an empty
 * one, `$default`, as samtranslator makes it. SAM's implicit HTTP API is always on `$default` (its
 * stage cannot be set, and Globals.HttpApi takes no StageName).
 */
export function httpApiStage(stack: Stack, event: Props): string {
  const { id, api } = httpApiOf(stack, event);
  if (api?.Type !== 'AWS::Serverless::HttpApi' || api.Properties.StageName === undefined) return DEFAULT_STAGE;
  const at = `Resources.${id}.Properties.StageName`;
  const stage = stack.resolver.string(api.Properties.StageName, at);
  if (stage === '') return DEFAULT_STAGE;
  if (!isHttpStageName(stage)) throw stack.resolver.error(at, `${STAGE_NAME_MESSAGE}, not ${JSON.stringify(stage)}`);
  return stage;
}

/** What to do instead of a StageName in Globals, by section. */
const GLOBAL_STAGE_ADVICE = new Map([
  ['Api', "set StageName on the AWS::Serverless::Api the events name with RestApiId (SAM's implicit API is on Prod)"],
  ['HttpApi', "set StageName on the AWS::Serverless::HttpApi the events name with ApiId (SAM's implicit HTTP API is always on $default)"],
]);

/**
 * SAM refuses a template whose Globals.Api or Globals.HttpApi has a StageName ("'StageName' is not
 * a supported property of 'HttpApi'"): it would not deploy, so it does not run here either.
 */
export function refuseGlobalStageName(stack: Stack): void {
  for (const [section, advice] of GLOBAL_STAGE_ADVICE) {
    const globals = stack.globals.get(section);
    if (isObject(globals) && Object.hasOwn(globals, 'StageName')) {
      throw stack.resolver.error(`Globals.${section}.StageName`, `is not a supported property of Globals.${section} (SAM refuses it): ${advice}`);
    }
  }
}
