import { buildConfig, type HubConfig } from '../../src/config/load.js';
import { tempDir } from './paths.js';
import { writeTree } from './project.js';

/** A project directory: the files given (path → text), plus a Node handler at each `handlers` path. */
export function projectDir(files: Record<string, string>, handlers: string[] = []): string {
  const dir = tempDir('th-project-');
  writeTree(dir, files);
  writeTree(dir, Object.fromEntries(handlers.map((file) => [file, 'export const handler = async (event) => event;\nexport const lambdaHandler = handler;\n'])));
  return dir;
}

/** The hub config of a template (or serverless.yml) in `dir`, with extra config keys. */
export function projectConfig(dir: string, raw: Record<string, unknown>): HubConfig {
  return buildConfig(raw, { baseDir: dir, env: {} });
}
