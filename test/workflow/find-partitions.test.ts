import type { TablePartition } from '../../src/core/lake';
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

const catalogOf = (raw: TablePartition[], curated: TablePartition[]): PartitionCatalog => ({
  listPartitions: async (table) => (table === 'stock_data_table' ? raw : curated),
  addPartitions: async () => ({ created: [], existing: [] }),
});

describe('find-partitions', () => {
  const day = (dt: string) => ({ dt });

  it('picks new, changed and unregistered days, oldest first, and leaves up-to-date ones alone', async () => {
    const lake = new MemoryLake();
    const manifest = (dt: string, at: string, fingerprint: string) =>
      lake.add(`curated/_manifests/dt=${dt}.json`, at, '"m"', { [SOURCE_FINGERPRINT]: fingerprint });
    // 01-02: compacted after its raw data, registered: up to date.
    lake.add('raw/dt=2024-01-02/s-1.ndjson', '2024-01-02T10:00:00.000Z');
    lake.add('curated/symbol=A/dt=2024-01-02/part-0000.parquet', '2024-01-02T11:00:00.000Z');
    manifest('2024-01-02', '2024-01-02T11:00:00.000Z', 'any');
    // 01-01: never compacted; one object of it is in the older per-symbol layout.
    lake.add('raw/dt=2024-01-01/s-2.ndjson', '2024-01-01T10:00:00.000Z');
    lake.add('raw/symbol=B/dt=2024-01-01/s-1.ndjson', '2024-01-01T10:00:00.000Z');
    // 01-03: raw rewritten in the same second as the compaction, with other content: the fingerprint differs.
    lake.add('raw/dt=2024-01-03/s-1.ndjson', '2024-01-03T10:00:00.000Z', '"new"');
    lake.add('curated/symbol=C/dt=2024-01-03/part-0000.parquet', '2024-01-03T10:00:00.000Z');
    manifest('2024-01-03', '2024-01-03T10:00:00.000Z', 'old');
    // 01-04: compacted, identical content re-delivered, but the curated table misses its symbol D.
    lake.add('raw/dt=2024-01-04/s-1.ndjson', '2024-01-04T10:00:00.000Z');
    lake.add('curated/symbol=D/dt=2024-01-04/part-0000.parquet', '2024-01-04T10:00:00.000Z');
    manifest('2024-01-04', '2024-01-04T10:00:00.000Z', sourceFingerprint(await lake.list('raw/dt=2024-01-04/')));
    // 01-05: a failed run wrote a Parquet object but no manifest: compacted again.
    lake.add('raw/dt=2024-01-05/s-1.ndjson', '2024-01-05T10:00:00.000Z');
    lake.add('curated/symbol=E/dt=2024-01-05/part-0000.parquet', '2024-01-05T11:00:00.000Z');

    const raw = ['2024-01-01', '2024-01-02', '2024-01-03', '2024-01-04', '2024-01-05'].map(day);
    const curated = [
      { symbol: 'A', dt: '2024-01-02' },
      { symbol: 'C', dt: '2024-01-03' },
    ];
    const find = makeFindPartitionsHandler({ lake, catalog: catalogOf(raw, curated) });
    expect(await find({})).toEqual({
      partitions: [{ dt: '2024-01-01', legacy: true }, day('2024-01-03'), day('2024-01-04'), day('2024-01-05')],
      count: 4,
      total: 5,
      reasons: { new: 2, changed: 1, unregistered: 1 },
      remaining: 0,
    });
    expect(await find({ maxPartitions: 2 })).toMatchObject({
      partitions: [{ dt: '2024-01-01', legacy: true }, day('2024-01-03')],
      count: 2,
      remaining: 2,
    });
  });

  it('asks for a day whose raw objects are all in the catalog but not its raw-table partition', async () => {
    const lake = new MemoryLake();
    lake.add('raw/dt=2024-01-02/s-1.ndjson', '2024-01-02T10:00:00.000Z');
    lake.add('curated/symbol=A/dt=2024-01-02/part-0000.parquet', '2024-01-02T11:00:00.000Z');
    lake.add('curated/_manifests/dt=2024-01-02.json', '2024-01-02T11:00:00.000Z');
    const find = makeFindPartitionsHandler({ lake, catalog: catalogOf([], [{ symbol: 'A', dt: '2024-01-02' }]) });
    expect(await find({})).toMatchObject({ partitions: [day('2024-01-02')], reasons: { new: 0, changed: 0, unregistered: 1 } });
  });

  it('refuses a maxPartitions that is not a positive whole number', async () => {
    const find = makeFindPartitionsHandler({ lake: new MemoryLake(), catalog: catalogOf([], []) });
    await expect(find({ maxPartitions: 0 })).rejects.toThrow('find-partitions input maxPartitions:');
  });
});
