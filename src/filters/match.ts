import type { ObjectNode, PatternNode } from './compile.js';
import { anyPasses, isPlainObject, type Leaf, type LeafNode } from './operators.js';

/**
 * The hot path: walks a compiled pattern over an event without allocating. Event arrays are
 * "crushed out" as in Event Ruler: a leaf matches if any element matches, and a nested pattern
 * object must match one element as a whole (fields from different elements never combine).
 */
export function matchObject(node: ObjectNode, value: unknown): boolean {
  if (Array.isArray(value)) {
    if (value.length === 0) return matchObject(node, undefined);
    for (let i = 0; i < value.length; i++) if (matchObject(node, value[i])) return true;
    return false;
  }
  const object = isPlainObject(value) ? value : undefined;
  for (let i = 0; i < node.fields.length; i++) {
    const { key, node: child } = node.fields[i];
    if (!matchNode(child, object !== undefined && Object.hasOwn(object, key) ? object[key] : undefined)) return false;
  }
  for (let g = 0; g < node.ors.length; g++) {
    const branches = node.ors[g];
    let any = false;
    for (let b = 0; b < branches.length && !any; b++) any = matchObject(branches[b], object);
    if (!any) return false;
  }
  return true;
}

export function matchNode(node: PatternNode, value: unknown): boolean {
  if (node.kind === 'leaf') return matchLeaf(node, value);
  if (node.kind === 'object') return matchObject(node, value);
  return guardAdmits(node.wants, value) && matchNode(node.inner, value);
}

export function guardAdmits(wants: 'json' | 'text', value: unknown): boolean {
  return (typeof value === 'object' && value !== null) === (wants === 'json');
}

/** `exists` is about leaves: an object, an empty array or a missing key has none. */
export function matchLeaf(node: LeafNode, value: unknown): boolean {
  if (node.whenPresent || node.whenAbsent) {
    const present = hasLeaf(value);
    if (present ? node.whenPresent : node.whenAbsent) return true;
  }
  return node.tests.length > 0 && leafPasses(node, value);
}

function leafPasses(node: LeafNode, value: unknown): boolean {
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) if (leafPasses(node, value[i])) return true;
    return false;
  }
  return isLeaf(value) && anyPasses(node.tests, value);
}

export function hasLeaf(value: unknown): boolean {
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) if (hasLeaf(value[i])) return true;
    return false;
  }
  return isLeaf(value);
}

const isLeaf = (value: unknown): value is Leaf =>
  value === null || typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean';
