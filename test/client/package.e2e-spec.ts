import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

/** The built package as an application gets it (`npm test` builds first). */
const root = join(process.cwd(), 'client');
const manifest = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));

/** Every file an entry loads, following its relative imports. */
function importGraph(entry: string, seen = new Set<string>()): Set<string> {
  if (seen.has(entry)) return seen;
  seen.add(entry);
  for (const [, specifier] of readFileSync(entry, 'utf8').matchAll(/(?:import|export)[^'"]*?from\s*['"]([^'"]+)['"]/g)) {
    if (specifier.startsWith('.')) importGraph(join(dirname(entry), specifier), seen);
  }
  return seen;
}

describe('the @gophermq/client package', () => {
  it('has no runtime dependency, is ESM, and ships the types of each entry', () => {
    expect(manifest.name).toBe('@gophermq/client');
    expect(manifest.type).toBe('module');
    expect(manifest.dependencies ?? {}).toEqual({});
    const { node, default: portable } = manifest.exports['.'];
    for (const file of [node.types, node.default, portable.types, portable.default]) expect({ file, exists: existsSync(join(root, file)) }).toEqual({ file, exists: true });
  });

  it('the entry for browsers, Deno and Bun loads no node: module', () => {
    const files = [...importGraph(join(root, manifest.exports['.'].default.default))];
    expect(files.length).toBeGreaterThan(3);
    const nodeImports = files.filter((file) => /from\s*['"]node:/.test(readFileSync(file, 'utf8')));
    expect(nodeImports).toEqual([]);
  });

  it('Node resolves the package to its node:http entry, and the lock file has the workspace (npm ci on a clean clone)', () => {
    const script = "const m = await import('@gophermq/client'); console.log(typeof m.GopherMQ, typeof m.NodeHttpTransport, typeof m.FetchTransport);";
    expect(execFileSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8' }).trim()).toBe('function function function');
    const lock = JSON.parse(readFileSync('package-lock.json', 'utf8'));
    expect(lock.packages['node_modules/@gophermq/client']).toEqual({ resolved: 'client', link: true });
    expect(lock.packages.client.name).toBe('@gophermq/client');
  });
});
