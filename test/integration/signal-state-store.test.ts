/**
 * The indicator-state item against the real emulator: a full-size state comes back as it was saved,
 * items saved before the fold history was compressed still load, and a damaged one fails by name.
 */
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { DynamoDbSignalStateStore } from '../../src/adapters/aws/dynamodb-signal-state-store';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { useLocalAws } from '../support/local-aws';
import { fullSignalState as fullState, tickTime as at } from '../support/signal-states';

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
    const stored = (
      await aws.clients.documents.send(
        new GetCommand({ TableName: aws.resources.signalStateTable, Key: { symbol: 'OLDLAYOUT' } }),
      )
    ).Item;
    expect(Object.keys(stored ?? {}).sort()).toEqual(
      ['fold_history', 'last_timestamp', 'prices', 'relation', 'skipped', 'symbol', 'version'].sort(),
    );
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
