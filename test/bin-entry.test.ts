import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT as REPO, tempDir } from './helpers/paths.js';

describe('bin/triggerhub.js', () => {
  it('runs the build while it is up to date, and the sources once one is edited after the build', () => {
    const root = tempDir('th-bin-');
    for (const dir of ['bin', 'dist', 'src/sub']) mkdirSync(path.join(root, dir), { recursive: true });
    copyFileSync(path.join(REPO, 'bin/triggerhub.js'), path.join(root, 'bin/triggerhub.js'));
    symlinkSync(path.join(REPO, 'node_modules'), path.join(root, 'node_modules'));
    writeFileSync(path.join(root, 'package.json'), '{ "type": "module" }');
    writeFileSync(path.join(root, 'dist/cli.js'), 'export async function main() { console.log("built"); return 0; }\n');
    writeFileSync(path.join(root, 'src/cli.ts'), 'export async function main(): Promise<number> { console.log("source"); return 0; }\n');
    writeFileSync(path.join(root, 'src/sub/deep.ts'), 'export const x = 1;\n');
    const past = new Date(Date.now() - 60_000);
    for (const file of ['src/cli.ts', 'src/sub/deep.ts']) utimesSync(path.join(root, file), past, past);
    const run = () => execFileSync(process.execPath, [path.join(root, 'bin/triggerhub.js')], { encoding: 'utf8' }).trim();

    expect(run()).toBe('built');
    utimesSync(path.join(root, 'src/sub/deep.ts'), new Date(), new Date());
    expect(run()).toBe('source');
  });
});
