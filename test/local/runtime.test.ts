import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import { readOutbox } from '../../src/adapters/local/outbox-notifier';
import { foldSignals, initialSignalState } from '../../src/core/signals';
import type { Tick } from '../../src/core/tick';
import { startLocalPipeline } from '../../src/local/runtime';
import { ReplaySource } from '../../src/producer/replay-source';
import { SyntheticSource, syntheticSymbols } from '../../src/producer/synthetic-source';
import { receiveAll } from './helpers';

let dataDir: string;
beforeEach(() => {
  dataDir = mkdtempSync(join(tmpdir(), 'stockpipe-runtime-'));
});
afterEach(() => rmSync(dataDir, { recursive: true, force: true }));

const alertsOf = (ticks: readonly Tick[]): number => {
  const symbols = [...new Set(ticks.map((t) => t.symbol))];
  return symbols.reduce((n, s) => n + foldSignals(initialSignalState(s), ticks).alerts.length, 0);
};

describe('local pipeline', () => {
  it('carries synthetic ticks through stream, processing, table, DynamoDB stream and analysis to the outbox', async () => {
    const symbols = syntheticSymbols(4);
    const pipeline = await startLocalPipeline({ dataDir, producer: { source: new SyntheticSource({ seed: 7 }), symbols } });
    try {
      const result = await pipeline.produce({ samples: 60 });
      await pipeline.drain(30_000);
      const counters = pipeline.counters();
      expect(result.ticks).toBe(240);
      expect(counters).toMatchObject({
        produced: 240,
        processed: 240,
        deadLettered: 0,
        streamRecords: 240,
        analysed: 240,
        analysisFailed: 0,
      });

      const expected: Tick[] = [];
      const again = new SyntheticSource({ seed: 7 });
      for (let k = 0; k < 60; k++) expected.push(...(await again.sample(symbols)));
      expect(counters.alerts).toBe(alertsOf(expected));
      expect(counters.alerts).toBeGreaterThan(0);
      expect(readOutbox(pipeline.layout.outbox)).toHaveLength(counters.alerts);

      const items = await pipeline.clients.documents.send(
        new ScanCommand({ TableName: pipeline.resources.priceTable, Select: 'COUNT' }),
      );
      expect(items.Count).toBe(240);
    } finally {
      await pipeline.stop();
    }
  });

  it('dead-letters bad CSV rows and records that are not ticks, so in == processed + dead-lettered', async () => {
    const csv = ['symbol,date,price', 'AAA,2024-01-02,10', 'AAA,2024-01-03,abc', 'AAA,2024-01-04,11', 'AAA,not a date,12'].join(
      '\n',
    );
    const source = ReplaySource.fromCsv(csv, { name: 'csv', label: 'prices.csv' });
    const pipeline = await startLocalPipeline({ dataDir, producer: { source, symbols: source.symbols() } });
    try {
      await pipeline.deadLetterRows(source.rejections, 'prices.csv');
      await pipeline.produce();
      await pipeline.clients.kinesis.send(
        new (await import('@aws-sdk/client-kinesis')).PutRecordCommand({
          StreamName: pipeline.resources.streamName,
          PartitionKey: 'X',
          Data: Buffer.from('{"symbol":"AAA"}'),
        }),
      );
      await pipeline.drain(30_000);
      const c = pipeline.counters();
      expect(c).toMatchObject({
        produced: 2,
        rejectedAtSource: 2,
        processed: 2,
        invalid: 1,
        processingFailed: 0,
        deadLettered: 3,
      });
      const letters = await receiveAll(pipeline.clients, pipeline.resources.invalidQueueUrl);
      expect(letters.map((l) => l.reason).sort()).toEqual([
        'line 3: price="abc": must be a number',
        expect.stringMatching(/^line 5: date="not a date": is not a date/),
        'timestamp=<missing>: is required',
      ]);
    } finally {
      await pipeline.stop();
    }
  });

  it('leaves the lake and the outbox in the data dir after stop, and clears them on the next start without persist', async () => {
    const symbols = ['AAPL', 'MSFT'];
    const first = await startLocalPipeline({ dataDir, producer: { source: ReplaySource.fromFile(), symbols } });
    await first.produce();
    await first.drain(30_000);
    const alerts = first.counters().alerts;
    await first.stop();
    expect(alerts).toBeGreaterThan(0);
    expect(readOutbox(join(dataDir, 'outbox'))).toHaveLength(alerts);

    const second = await startLocalPipeline({ dataDir });
    try {
      expect(readOutbox(second.layout.outbox)).toHaveLength(0);
    } finally {
      await second.stop();
    }
  });

  it('refuses a second pipeline on the same data dir while the first runs', async () => {
    const first = await startLocalPipeline({ dataDir, command: 'start' });
    try {
      await expect(startLocalPipeline({ dataDir })).rejects.toThrow(
        `a local pipeline (start, pid ${process.pid}) already runs on`,
      );
    } finally {
      await first.stop();
    }
  });
});

describe('local pipeline with persist', () => {
  it('keeps the table across a restart and resumes the stream after its checkpoint instead of reprocessing it', async () => {
    const first = await startLocalPipeline({
      dataDir,
      persist: true,
      producer: { source: new SyntheticSource({ seed: 3 }), symbols: ['AAA'] },
    });
    await first.produce({ samples: 30 });
    await first.drain(30_000);
    expect(first.counters().processed).toBe(30);
    await first.stop();

    const second = await startLocalPipeline({
      dataDir,
      persist: true,
      producer: { source: new SyntheticSource({ seed: 3, start: '2024-01-03T14:30:00Z' }), symbols: ['AAA'] },
    });
    try {
      await second.produce({ samples: 5 });
      await second.drain(30_000);
      expect(second.counters().processed).toBe(5);
      const items = await second.clients.documents.send(
        new ScanCommand({ TableName: second.resources.priceTable, Select: 'COUNT' }),
      );
      expect(items.Count).toBe(35);
      expect(readOutbox(second.layout.outbox).length).toBeGreaterThanOrEqual(first.counters().alerts);
    } finally {
      await second.stop();
    }
  });
});
