/**
 * Loaded with `--import` into a Node.js environment whose function has layers (a forked process,
 * or a worker thread: each registers its own hooks): installs layer-resolve.mjs as a module
 * resolution hook with this environment's NODE_PATH, read here because the hooks run on a thread
 * of their own.
 */
import { register } from 'node:module';

register(new URL('./layer-resolve.mjs', import.meta.url), { data: { nodePath: process.env.NODE_PATH ?? '' } });
