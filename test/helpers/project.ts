import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';

/**
 * Writes files (path relative to `dir` → content) into a temp project: handlers, layers, configs.
 * Files under a `bin/` directory or named `bootstrap` are made executable.
 */
export function writeTree(dir: string, files: Record<string, string>): void {
  for (const [name, content] of Object.entries(files)) {
    const file = path.join(dir, name);
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, content);
    if (name.split('/').includes('bin') || path.basename(name) === 'bootstrap') chmodSync(file, 0o755);
  }
}
