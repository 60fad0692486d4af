import { z } from 'zod';

/** The stage an HTTP API serves at the root of its invoke URL; it is never in a path. */
export const DEFAULT_STAGE = '$default';

/** API Gateway's stage names (CreateStage): letters, digits, - and _, at most 128; or `$default` (HTTP APIs). */
const STAGE_NAME = /^[A-Za-z0-9_-]{1,128}$/;
export const STAGE_NAME_MESSAGE = 'must be $default or 1-128 letters, digits, - and _ (API Gateway\'s stage names)';

export function isHttpStageName(stage: string): boolean {
  return stage === DEFAULT_STAGE || STAGE_NAME.test(stage);
}

/** An HTTP API route's `stage`. */
export const httpStageSchema = z.string({ error: STAGE_NAME_MESSAGE }).refine(isHttpStageName, { error: STAGE_NAME_MESSAGE });

/**
 * A path as API Gateway places it under a stage: `/dev/items/1` for stage `dev`, the path itself
 * for `$default`. HTTP APIs serve a named stage's routes there (and put it in the event's paths);
 * REST APIs put it in `requestContext.path`.
 */
export function stagePath(stage: string, path: string): string {
  return stage === DEFAULT_STAGE ? path : `/${stage}${path}`;
}
