/**
 * moto_server for the rehearsal: found on PATH (or pyenv's shims), started on a free loopback port and
 * stopped by its PID whatever happens.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';

export function findMotoServer(env: NodeJS.ProcessEnv = process.env): string | undefined {
  const dirs = [...(env.PATH ?? '').split(path.delimiter), path.join(env.HOME ?? '/root', '.pyenv', 'shims')];
  for (const dir of dirs) {
    const candidate = path.join(dir, 'moto_server');
    if (dir && fs.existsSync(candidate) && spawnSync(candidate, ['--help'], { stdio: 'ignore' }).status === 0) return candidate;
  }
  return undefined;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

export interface Moto {
  readonly endpoint: string;
  readonly pid: number;
  stop(): void;
}

export async function startMoto(bin: string, log: string, env: NodeJS.ProcessEnv = {}): Promise<Moto> {
  const port = await freePort();
  const out = fs.openSync(log, 'w');
  const child: ChildProcess = spawn(bin, ['-H', '127.0.0.1', '-p', String(port)], {
    stdio: ['ignore', out, 'pipe'],
    env: { ...process.env, ...env },
  });
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => {
    stderr = (stderr + d.toString()).slice(-4000);
    fs.appendFileSync(log, d);
  });
  const endpoint = `http://127.0.0.1:${port}`;
  const stop = () => {
    if (child.pid && child.exitCode === null) process.kill(child.pid, 'SIGTERM');
  };
  for (let i = 0; i < 100; i++) {
    if (child.exitCode !== null) throw new Error(`moto_server exited (${child.exitCode}): ${stderr}`);
    try {
      const res = await fetch(`${endpoint}/moto-api/`);
      if (res.ok) return { endpoint, pid: child.pid!, stop };
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  stop();
  throw new Error(`moto_server did not answer on ${endpoint} within 20 s: ${stderr}`);
}
