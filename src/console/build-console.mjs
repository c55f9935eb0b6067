// Builds the web console (src/console/web) into dist/console/static: type-checked by its own tsconfig (the
// browser's lib, not Node's), bundled and minified by esbuild into one script, with its page and
// style beside it. The broker serves that folder at /console (broker.serve-console).
import { build } from 'esbuild';
import { execFileSync } from 'node:child_process';
import { cpSync, mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';

const web = 'src/console/web';
const out = 'dist/console/static';
const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
execFileSync(process.execPath, [tsc, '-p', `${web}/tsconfig.json`], { stdio: 'inherit' });
mkdirSync(out, { recursive: true });
await build({
  entryPoints: [`${web}/main.ts`],
  bundle: true,
  minify: true,
  format: 'esm',
  target: 'es2020',
  outfile: `${out}/console.js`,
  legalComments: 'none',
  logLevel: 'warning',
});
for (const file of ['index.html', 'console.css']) cpSync(`${web}/${file}`, `${out}/${file}`);
