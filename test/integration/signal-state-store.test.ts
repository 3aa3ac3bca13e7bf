/**
 * The indicator-state item against the real emulator: a full-size state comes back as it was saved,
 * items saved before the fold history was compressed still load, and a damaged one fails by name.
 */
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { DynamoDbSignalStateStore } from '../../src/adapters/aws/dynamodb-signal-state-store';
import { MAX_CHECKPOINTS, MAX_RECENT_TIMESTAMPS } from '../../src/analysis/analyse-batch';
import type { SymbolAnalysisState } from '../../src/core/ports';
import { LONG_WINDOW } from '../../src/core/signals';
import { useLocalAws } from '../support/local-aws';

const at = (i: number) => new Date(Date.UTC(2024, 4, 6, 13, 30) + i * 30_000 + ((i * 337) % 1000)).toISOString();

const fullState = (symbol: string): SymbolAnalysisState => ({
  state: {
    symbol,
    lastTimestamp: at(99),
    prices: Array.from({ length: LONG_WINDOW }, (_, i) => 101.5 + ((i * 7) % 13) / 8),
    relation: -1,
  },
  recentTimestamps: Array.from({ length: MAX_RECENT_TIMESTAMPS }, (_, i) => at(100 - MAX_RECENT_TIMESTAMPS + i)),
  checkpoints: Array.from({ length: MAX_CHECKPOINTS }, (_, i) => ({
    through: at(100 - MAX_CHECKPOINTS + i),
    readAt: Date.parse(at(100 - MAX_CHECKPOINTS + i)) + 1_234 + i,
  })),
  skipped: { '2024-05-06': { late: 3, duplicate: 1 } },
});

describe('the indicator-state store', () => {
  const aws = useLocalAws({ shardCount: 1 });
  const store = () => new DynamoDbSignalStateStore(aws.clients.documents, aws.resources.signalStateTable);

  it('gives back a full-size state exactly as saved, by load and by loadMany', async () => {
    const saved = fullState('ROUND');
    expect(await store().save(saved, 0)).toBe(true);
    expect(await store().load('ROUND')).toEqual({ ...saved, version: 1 });
    expect((await store().loadMany(['ROUND', 'OTHER'])).get('ROUND')).toEqual({ ...saved, version: 1 });
    // The next save is conditional on that version, and replaces the item whole.
    expect(await store().save({ ...saved, recentTimestamps: [at(99)] }, 0)).toBe(false);
    expect(await store().save({ ...saved, recentTimestamps: [at(99)] }, 1)).toBe(true);
    expect((await store().load('ROUND')).recentTimestamps).toEqual([at(99)]);
  });

  it('loads an item saved with the plain lists (before the fold history was compressed), and saves it compressed', async () => {
    const old = fullState('OLDLAYOUT');
    await aws.clients.documents.send(
      new PutCommand({
        TableName: aws.resources.signalStateTable,
        Item: {
          symbol: 'OLDLAYOUT',
          version: 7,
          last_timestamp: old.state.lastTimestamp,
          prices: [...old.state.prices],
          relation: old.state.relation,
          recent_timestamps: [...old.recentTimestamps],
          checkpoints: old.checkpoints.map((c) => ({ through: c.through, read_at: c.readAt })),
          skipped: old.skipped,
        },
      }),
    );
    const loaded = await store().load('OLDLAYOUT');
    expect(loaded).toEqual({ ...old, version: 7 });
    expect(await store().save(loaded, 7)).toBe(true);
    expect(await store().load('OLDLAYOUT')).toEqual({ ...old, version: 8 });
  });

  it('a damaged fold history fails the load with the symbol and the reason', async () => {
    await aws.clients.documents.send(
      new PutCommand({
        TableName: aws.resources.signalStateTable,
        Item: {
          symbol: 'DAMAGED',
          version: 2,
          last_timestamp: at(1),
          prices: [1, 2],
          relation: null,
          fold_history: new Uint8Array([1, 2, 3, 4]),
        },
      }),
    );
    await expect(store().load('DAMAGED')).rejects.toThrow(/the stored fold history of DAMAGED cannot be read/);
  });
});
