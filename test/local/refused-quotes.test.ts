/**
 * A quote the tick schema refuses, in the local runtime: the sample's other symbols are processed, the
 * refused quote reaches the invalid-records queue with its reason, and the run counts it as a record
 * refused at the source (records in = processed + dead-lettered).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startLocalPipeline } from '../../src/local/runtime';
import { YahooSource } from '../../src/producer/yahoo-source';
import { drainQueue } from '../support/aws-reads';
import { recordedFetch } from '../unit/producer/yahoo-fetch';

it('sends a refused Yahoo quote to the invalid-records queue and counts it; the other symbols go on', async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'stockpipe-refused-'));
  const source = new YahooSource({ fetch: recordedFetch('quote-AZN-no-previous-close.json').fetch, log: () => undefined });
  const pipeline = await startLocalPipeline({ dataDir, producer: { source, symbols: ['AAPL', 'MSFT', 'AZN'] } });
  try {
    await pipeline.produce({ samples: 1 });
    await pipeline.drain(60_000);
    const c = pipeline.counters();
    expect(c).toMatchObject({ produced: 2, processed: 2, rejectedAtSource: 1, deadLettered: 1 });
    const letters = await drainQueue(pipeline.clients, pipeline.resources.invalidQueueUrl);
    expect(letters).toHaveLength(1);
    expect(letters[0]).toMatchObject({
      reason: 'yahoo quote for AZN is invalid: regularMarketPreviousClose=0: must be greater than 0',
      rejection: { field: 'regularMarketPreviousClose', value: '0', reason: 'must be greater than 0' },
      source: { kind: 'yahoo', symbol: 'AZN' },
    });
  } finally {
    await pipeline.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}, 60_000);
