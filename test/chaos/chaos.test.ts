/**
 * The short chaos run (the full one is `npm run chaos`): a persisted run of the real binary killed
 * with SIGKILL at three random moments, each restarted with the same command, plus the full-disk and
 * read-only-lake rounds where the machine lets a test mount file systems (root; CI runs as root);
 * every round must end with the ticks and alerts of the uninterrupted run of the same seed.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runChaos, totalsLine } from '../../bench/chaos.bench';

const canMount = process.getuid?.() === 0;

describe('chaos: kill -9, a full disk, a read-only lake', () => {
  let workDir: string;
  beforeAll(() => (workDir = mkdtempSync(join(tmpdir(), 'stockpipe-chaos-'))));
  afterAll(() => rmSync(workDir, { recursive: true, force: true }));

  it('loses no tick, misses or repeats no alert and leaves nothing PENDING', async () => {
    if (!canMount) {
      const line =
        'chaos test: the full-disk and read-only-lake rounds need root (to mount a tmpfs); running the kill rounds only';
      if (process.env.CI === 'true') throw new Error(`${line}: CI=true requires them`);
      process.stdout.write(`${line}\n`);
    }
    const lines: string[] = [];
    const result = await runChaos(
      { size: { symbols: 8, samples: 150, seed: 3 }, killRounds: 3, faultRounds: canMount },
      workDir,
      (line) => lines.push(line),
    );
    const summary = `${totalsLine(result.totals)}\n${lines.join('\n')}`;
    expect(result.baseline.alerts.length).toBeGreaterThan(10); // the seed must give alerts to lose
    expect(result.totals.skipped).toEqual([]);
    expect({ summary, ...result.totals, skipped: undefined }).toEqual({
      summary,
      ran: canMount ? 5 : 3,
      clean: canMount ? 5 : 3,
      ticksLost: 0,
      alertsMissing: 0,
      spurious: 0,
      duplicated: 0,
      pending: 0,
      skipped: undefined,
    });
  }, 480_000);
});
