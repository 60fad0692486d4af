import { functionSchema } from '../config/schema.js';

/**
 * Whether this build's function schema has a setting another part of the hub adds (layers,
 * aliases, url): the loaders emit it only then and warn otherwise, so a template still runs.
 */
export const hasFunctionField = (key: string): boolean => Object.hasOwn(functionSchema.shape, key);
