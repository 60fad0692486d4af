import type { Stack } from './stack.js';
import { httpApiOf } from './http-api.js';
import { corsSettings } from './sam-function.js';
import { isObject } from '../own.js';

type Props = Record<string, unknown>;


/**
 * The `CorsConfiguration` of the HTTP API a SAM HttpApi event (its unresolved properties) is on:
 * its `ApiId`'s, else `Globals.HttpApi`'s (SAM's implicit API, and any AWS::Serverless::HttpApi
 * without its own) → the `cors` setting of the event's route. `true` allows every origin and
 * nothing else, as samtranslator's `_add_cors` sets it.
 */
export function httpApiCors(stack: Stack, event: Props, at: string): Props | undefined {
  const { id: apiId, api } = httpApiOf(stack, event);
  const globals = stack.globals.get('HttpApi');
  const [raw, where] = api?.Properties.CorsConfiguration !== undefined
    ? [api.Properties.CorsConfiguration, `Resources.${apiId}.Properties.CorsConfiguration`]
    : apiId === undefined || api?.Type === 'AWS::Serverless::HttpApi'
      ? [isObject(globals) ? globals.CorsConfiguration : undefined, 'Globals.HttpApi.CorsConfiguration']
      : [undefined, at];
  if (raw === undefined) return undefined;
  const value = stack.resolver.resolve(raw, where);
  if (value === true || value === 'true') return corsSettings({ AllowOrigins: ['*'] });
  return isObject(value) ? corsSettings(value) : undefined;
}
