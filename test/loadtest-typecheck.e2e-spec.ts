import { spawnSync } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

// k6 cannot run here, so its scripts are kept honest by the compiler: every k6 call is checked
// against @types/k6. The Node benchmark is checked too, so `npm run bench` cannot rot either.
const ROOT = process.cwd();
const TSC = join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc');
const TIMEOUT_MS = 120_000;

function typecheck(project: string): { status: number | null; output: string } {
  const result = spawnSync(process.execPath, [TSC, '--noEmit', '--pretty', 'false', '-p', project], {
    cwd: ROOT,
    encoding: 'utf8',
    timeout: TIMEOUT_MS,
  });
  return { status: result.status, output: `${result.stdout ?? ''}${result.stderr ?? ''}${result.error?.message ?? ''}` };
}

describe('load tests', () => {
  it(
    'k6 scripts type-check against @types/k6',
    () => {
      const { status, output } = typecheck('loadtest/tsconfig.json');
      expect(output).toBe('');
      expect(status).toBe(0);
    },
    TIMEOUT_MS,
  );

  it(
    'the Node benchmark type-checks',
    () => {
      const { status, output } = typecheck('loadtest/bench/tsconfig.json');
      expect(output).toBe('');
      expect(status).toBe(0);
    },
    TIMEOUT_MS,
  );

  it(
    'the check fails on a k6 script that misuses the k6 API',
    () => {
      // Under node_modules so that @types/k6 resolves exactly as for loadtest/.
      const dir = join(ROOT, 'node_modules', '.cache', `loadtest-typecheck-${process.pid}`);
      mkdirSync(dir, { recursive: true });
      try {
        writeFileSync(join(dir, 'tsconfig.json'), JSON.stringify({ extends: join(ROOT, 'loadtest', 'tsconfig.json'), include: ['*.ts'] }));
        writeFileSync(
          join(dir, 'broken.ts'),
          "import http from 'k6/http';\nexport default function (): void {\n  http.post(42, null, { timeout: [] });\n}\n",
        );
        const { status, output } = typecheck(join(dir, 'tsconfig.json'));
        expect(status).not.toBe(0);
        expect(output).toMatch(/broken\.ts\(3,\d+\): error TS2345/);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
    TIMEOUT_MS,
  );
});
