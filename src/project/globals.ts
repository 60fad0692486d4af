import { setOwn } from '../own.js';

/**
 * SAM's `Globals.Function`, merged into each AWS::Serverless::Function as SAM does: a property the
 * function sets wins; maps merge key by key (the function's keys win); lists are concatenated,
 * the globals' first. An intrinsic (`!Ref X`) counts as a plain value, never as a map.
 */
type Props = Record<string, unknown>;

const isMap = (value: unknown): value is Props =>
  typeof value === 'object' && value !== null && !Array.isArray(value) && !isIntrinsic(value as Props);

function isIntrinsic(value: Props): boolean {
  const keys = Object.keys(value);
  return keys.length === 1 && (keys[0] === 'Ref' || keys[0].startsWith('Fn::'));
}

export function mergeGlobals(globals: unknown, props: Props): Props {
  if (!isMap(globals)) return props;
  return merge(globals, props) as Props;
}

function merge(global: unknown, local: unknown): unknown {
  if (local === undefined) return global;
  if (Array.isArray(global) && Array.isArray(local)) return [...global, ...local];
  if (isMap(global) && isMap(local)) {
    const out: Props = { ...global };
    for (const [key, value] of Object.entries(local)) setOwn(out, key, merge(Object.hasOwn(global, key) ? global[key] : undefined, value));
    return out;
  }
  return local;
}
