import path from 'node:path';
import type { HubConfig } from '../config/load.js';

/**
 * Where a running hub records its local cloud's endpoints (for `triggerhub resources`). Apart from
 * local-cloud.ts so that the CLI reads it without loading the emulators and AWS SDK clients.
 */
export const cloudStateFile = (config: HubConfig) => path.join(config.dataDir, 'cloud.json');
