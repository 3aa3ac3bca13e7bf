/** `stockpipe dashboard` through the CLI: prints its loopback URL, serves until Ctrl-C, then stops. */
import { rmSync } from 'node:fs';
import { cli, tempDataDir } from '../cli/helpers';

describe('stockpipe dashboard', () => {
  const dataDir = tempDataDir();
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  it('prints its 127.0.0.1 URL on stdout, answers there while it runs, and stops on Ctrl-C', async () => {
    let answered: unknown;
    const run = await cli(['dashboard', '--port', '0', '--json', '--data-dir', dataDir], {
      interruptWhen: ({ stdout }) => {
        const line = stdout.split('\n')[0];
        if (!line || answered !== undefined) return answered !== undefined && answered !== 'pending';
        answered = 'pending';
        const { url } = JSON.parse(line) as { url: string };
        void fetch(new URL('/api/info', url))
          .then((r) => r.json())
          .then((body) => (answered = body));
        return false;
      },
    });
    expect(run.code).toBe(0);
    const printed = JSON.parse(run.stdout.split('\n')[0]!) as { url: string; target: string; where: string };
    expect(printed).toEqual({ url: expect.stringMatching(/^http:\/\/127\.0\.0\.1:\d+\/$/), target: 'local', where: dataDir });
    expect(answered).toEqual({ target: 'local', where: dataDir });
    await expect(fetch(printed.url)).rejects.toThrow();
  });

  it('refuses a port that is taken, saying what to do', async () => {
    const { createServer } = await import('node:net');
    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const port = (blocker.address() as { port: number }).port;
    try {
      const run = await cli(['dashboard', '--port', String(port), '--data-dir', dataDir]);
      expect(run.code).toBe(1);
      expect(run.stderr).toContain(`port ${port} on 127.0.0.1 is in use; pass --port <another>, or --port 0 for any free one`);
    } finally {
      blocker.close();
    }
  });
});
