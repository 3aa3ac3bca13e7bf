/**
 * The real `stockpipe` binary in a child process, as a user runs it: `--help` loads no more than
 * commander; `npm start` shows BUY and SELL alerts and stops cleanly on Ctrl-C; `up --expose` lets a
 * plain AWS SDK client (no project code) feed the stream and read the table.
 */
import { spawnSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { KinesisClient, PutRecordCommand } from '@aws-sdk/client-kinesis';
import { DynamoDBClient, GetItemCommand } from '@aws-sdk/client-dynamodb';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { BIN, collect, freePorts, spawnCli, tempDataDir, waitFor } from './helpers';

let cwd: string;
beforeEach(() => {
  cwd = tempDataDir();
});
afterEach(() => rmSync(cwd, { recursive: true, force: true }));

describe('the stockpipe binary', () => {
  it('exits 2 on a usage error and 0 on --help', async () => {
    const bad = collect(spawnCli(['run', '--speed'], cwd));
    expect((await bad.exit).code).toBe(2);
    expect(bad.stderr).toContain("error: unknown option '--speed'");
    const help = collect(spawnCli(['--help'], cwd));
    expect((await help.exit).code).toBe(0);
    expect(help.stdout).toContain('Usage: stockpipe [options] [command]');
  }, 30_000);

  it('--help loads commander and no other package (not the AWS SDK, the emulators, DuckDB or zod)', () => {
    // Every package the process loads, by name, from the binary or from within another package.
    const traced = `
      const Module = require('node:module');
      const load = Module._load;
      const loaded = new Set();
      Module._load = function (request, ...rest) {
        if (!request.startsWith('.') && !request.startsWith('/') && !Module.isBuiltin(request)) loaded.add(request);
        return load.call(this, request, ...rest);
      };
      process.on('exit', () => process.stderr.write('loaded: ' + JSON.stringify([...loaded]) + '\\n'));
      process.argv = [process.execPath, ${JSON.stringify(BIN)}, '--help'];
      require(${JSON.stringify(BIN)});
    `;
    const help = spawnSync(process.execPath, ['-e', traced], { cwd, encoding: 'utf8' });
    expect(help.status).toBe(0);
    expect(help.stdout).toContain('Usage: stockpipe [options] [command]');
    const loaded = /^loaded: (.*)$/m.exec(help.stderr);
    expect(loaded).not.toBeNull();
    expect(JSON.parse(loaded![1]!)).toEqual(['commander']);
  });

  it('start: shows processed ticks and a BUY and a SELL alert from the shipped prices, and exits 0 within 5 s of Ctrl-C', async () => {
    const child = spawnCli(['start'], cwd);
    const run = collect(child);
    const started = Date.now();
    await waitFor(() => /^BUY /m.test(run.stdout) && /^SELL /m.test(run.stdout), 60_000, 'a BUY and a SELL alert');
    expect(Date.now() - started).toBeLessThan(60_000);
    const interruptedAt = Date.now();
    child.kill('SIGINT');
    const exit = await run.exit;
    expect(exit.code).toBe(0);
    expect(exit.at - interruptedAt).toBeLessThan(5000);
    expect(run.stderr).toContain('stockpipe: local pipeline up');
    expect(run.stderr).toContain('SIGINT: stopping');
    // Neither thread prints Node's warnings the CLI filters (the SDK's Node 22 notice, sqslite's deprecation).
    expect(run.stderr).not.toMatch(/NodeVersionSupportWarning|fastify-formbody|\(node:\d+\)/);
    const summary = /^stopped: (\d+) ticks in, (\d+) processed, (\d+) dead-lettered, (\d+) alerts/m.exec(run.stdout);
    expect(summary).not.toBeNull();
    const [, ticksIn, processed, deadLettered, alerts] = summary!.map(Number);
    expect(processed).toBeGreaterThan(0);
    expect(ticksIn).toBe(processed! + deadLettered!);
    expect(run.stdout.split('\n').filter((l) => /^(BUY|SELL) /.test(l))).toHaveLength(alerts!);
  }, 90_000);

  it('up --expose: a record put with the plain AWS SDK lands processed in the table', async () => {
    const [kinesisPort, dynamodbPort, s3Port, sqsPort] = await freePorts(4);
    const child = spawnCli(
      [
        'up',
        '--expose',
        '--json',
        '--kinesis-port',
        String(kinesisPort),
        '--dynamodb-port',
        String(dynamodbPort),
        '--s3-port',
        String(s3Port),
        '--sqs-port',
        String(sqsPort),
        '--data-dir',
        'dd',
      ],
      cwd,
    );
    const run = collect(child);
    try {
      await waitFor(() => run.stdout.includes('\n'), 30_000, 'the endpoints line');
      const info = JSON.parse(run.stdout.split('\n')[0]!) as {
        endpoints: Record<string, string>;
        stream: string;
        tables: { prices: string };
        region: string;
      };
      expect(info.endpoints).toEqual({
        kinesis: `http://127.0.0.1:${kinesisPort}`,
        dynamodb: `http://127.0.0.1:${dynamodbPort}`,
        s3: `http://127.0.0.1:${s3Port}`,
        sqs: `http://localhost:${sqsPort}`,
      });

      // From here on: only the AWS SDK and what `up` printed.
      const credentials = { accessKeyId: 'any', secretAccessKey: 'any' };
      const kinesis = new KinesisClient({
        region: info.region,
        endpoint: info.endpoints.kinesis,
        credentials,
        requestHandler: new NodeHttpHandler(),
      });
      const dynamodb = new DynamoDBClient({ region: info.region, endpoint: info.endpoints.dynamodb, credentials });
      const tick = {
        symbol: 'ZZZZ',
        timestamp: '2024-05-06T14:30:00Z',
        price: 101.5,
        open: 100,
        high: 102,
        low: 99.5,
        previous_close: 100,
        volume: 1200,
        source: 'sdk',
      };
      await kinesis.send(
        new PutRecordCommand({ StreamName: info.stream, PartitionKey: tick.symbol, Data: Buffer.from(JSON.stringify(tick)) }),
      );
      const key = { symbol: { S: 'ZZZZ' }, timestamp: { S: '2024-05-06T14:30:00.000Z' } };
      let item: Record<string, unknown> | undefined;
      const deadline = Date.now() + 15_000;
      while (!item && Date.now() < deadline) {
        item = (await dynamodb.send(new GetItemCommand({ TableName: info.tables.prices, Key: key }))).Item;
        if (!item) await new Promise((r) => setTimeout(r, 100));
      }
      expect(item).toMatchObject({
        price: { N: '101.5' },
        change: { N: '1.5' },
        change_percent: { N: '1.5' },
        anomaly: { BOOL: false },
      });
      kinesis.destroy();
      dynamodb.destroy();
    } finally {
      const interruptedAt = Date.now();
      child.kill('SIGINT');
      const exit = await run.exit;
      expect(exit.code).toBe(0);
      expect(exit.at - interruptedAt).toBeLessThan(5000);
    }
  }, 60_000);
});
