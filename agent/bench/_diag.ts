// Scratch diagnostics (deleted after use): Port-Yard CLI runs under env variations, RSS timeline.
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensureBenchDatabase } from './generate-data.ts';
import { mariadbDriver } from './mariadb-data.ts';
import { postgresDriver } from './postgres-data.ts';
import { writePortYardConfig } from './port-yard-runner.ts';
import { timedRun } from './timed-run.ts';
import { waitForQuiet } from './proc-sampler.ts';
const driver = process.argv[2] === 'pg' ? postgresDriver : mariadbDriver;
const size = Number(process.argv[3] ?? 500);
const dir = await mkdtemp(join(tmpdir(), 'pyd-'));
const db = await ensureBenchDatabase(driver, size, dir, (l) => console.error(l));
const setup = await writePortYardConfig(driver, db.database, dir);
const variants: Record<string, NodeJS.ProcessEnv> = {
  default: {},
  'semi-space 1MB': { NODE_OPTIONS: '--max-semi-space-size=1' },
  'semi-space 4MB': { NODE_OPTIONS: '--max-semi-space-size=4' },
  'cc + semi 1MB': { NODE_COMPILE_CACHE: join(dir, 'cc'), NODE_OPTIONS: '--max-semi-space-size=1' },
};
for (const [name, env] of Object.entries(variants)) {
  for (let i = 0; i < Number(process.argv[4] ?? 2); i++) {
    await waitForQuiet();
    const r = await timedRun({
      command: process.execPath,
      args: [
        '--disable-warning=ExperimentalWarning',
        join(import.meta.dirname, '../bin/port-yard.js'),
        '--config',
        setup.configPath,
        'backup',
        setup.target,
        '--json',
      ],
      env: { ...process.env, ...env },
      serverComms: driver.serverComms,
    });
    const t = r.usage.rootRssTimeline;
    const at = (f: number) => t[Math.min(t.length - 1, Math.floor(f * t.length))]?.[1] ?? 0;
    console.log(
      `${name.padEnd(20)} exit ${r.code} wall ${(r.wallMs / 1000).toFixed(2)} s node cpu ${(r.usage.rootCpuMs / 1000).toFixed(2)} s peak ${(r.usage.rootPeakRssKb / 1024).toFixed(1)} MB; RSS at 10/25/50/75/100%: ${[0.1, 0.25, 0.5, 0.75, 1].map((f) => (at(f) / 1024).toFixed(0)).join('/')}`,
    );
  }
}
