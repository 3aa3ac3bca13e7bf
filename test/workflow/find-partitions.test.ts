import type { Partition } from '../../src/core/lake';
import type { LakeObject, LakeObjects, PartitionCatalog } from '../../src/core/ports-lake';
import { SOURCE_FINGERPRINT, sourceFingerprint } from '../../src/compaction/fingerprint';
import { makeFindPartitionsHandler } from '../../src/compaction/find-partitions';

class MemoryLake implements LakeObjects {
  readonly objects = new Map<string, LakeObject & { meta: Record<string, string> }>();
  add(key: string, lastModified: string, etag = '"e"', meta: Record<string, string> = {}) {
    this.objects.set(key, { key, etag, size: 10, lastModified, meta });
  }
  async list(prefix: string) {
    return [...this.objects.values()].filter((o) => o.key.startsWith(prefix)).sort((a, b) => (a.key < b.key ? -1 : 1));
  }
  async getText(): Promise<string> {
    throw new Error('not used');
  }
  async put(): Promise<void> {}
  async metadata(key: string) {
    return this.objects.get(key)?.meta;
  }
}

const catalogOf = (raw: Partition[], curated: Partition[]): PartitionCatalog => ({
  listPartitions: async (table) => (table === 'stock_data_table' ? raw : curated),
  addPartitions: async () => ({ created: [], existing: [] }),
});

describe('find-partitions', () => {
  const A = { symbol: 'A', dt: '2024-01-02' };
  const B = { symbol: 'B', dt: '2024-01-01' };
  const C = { symbol: 'C', dt: '2024-01-03' };
  const D = { symbol: 'D', dt: '2024-01-04' };

  it('picks new, changed and unregistered partitions, oldest day first, and leaves up-to-date ones alone', async () => {
    const lake = new MemoryLake();
    // A: compacted after its raw data, registered: up to date.
    lake.add('raw/symbol=A/dt=2024-01-02/s-1.ndjson', '2024-01-02T10:00:00.000Z');
    lake.add('curated/symbol=A/dt=2024-01-02/part-0000.parquet', '2024-01-02T11:00:00.000Z');
    // B: never compacted.
    lake.add('raw/symbol=B/dt=2024-01-01/s-1.ndjson', '2024-01-01T10:00:00.000Z');
    // C: raw rewritten in the same second as the compaction, with other content: the fingerprint differs.
    lake.add('raw/symbol=C/dt=2024-01-03/s-1.ndjson', '2024-01-03T10:00:00.000Z', '"new"');
    lake.add('curated/symbol=C/dt=2024-01-03/part-0000.parquet', '2024-01-03T10:00:00.000Z', '"p"', {
      [SOURCE_FINGERPRINT]: 'old',
    });
    // D: compacted, identical content re-delivered, but the curated table misses it.
    lake.add('raw/symbol=D/dt=2024-01-04/s-1.ndjson', '2024-01-04T10:00:00.000Z');
    const dRaw = (await lake.list('raw/symbol=D/'))!;
    lake.add('curated/symbol=D/dt=2024-01-04/part-0000.parquet', '2024-01-04T10:00:00.000Z', '"p"', {
      [SOURCE_FINGERPRINT]: sourceFingerprint(dRaw),
    });

    const find = makeFindPartitionsHandler({ lake, catalog: catalogOf([A, B, C, D], [A, B, C]) });
    expect(await find({})).toEqual({
      partitions: [B, C, D],
      count: 3,
      total: 4,
      reasons: { new: 1, changed: 1, unregistered: 1 },
      remaining: 0,
    });
    expect(await find({ maxPartitions: 2 })).toMatchObject({ partitions: [B, C], count: 2, remaining: 1 });
  });

  it('refuses a maxPartitions that is not a positive whole number', async () => {
    const find = makeFindPartitionsHandler({ lake: new MemoryLake(), catalog: catalogOf([], []) });
    await expect(find({ maxPartitions: 0 })).rejects.toThrow('find-partitions input maxPartitions:');
  });
});
