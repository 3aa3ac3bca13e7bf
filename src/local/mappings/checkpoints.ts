/** Where a stream mapping remembers the last sequence number it finished, per shard. */
import { readJsonFile, writeJsonFile } from '../data-dir';

export interface CheckpointStore {
  get(shardId: string): string | undefined;
  set(shardId: string, sequenceNumber: string): void;
}

export class MemoryCheckpointStore implements CheckpointStore {
  protected readonly positions = new Map<string, string>();

  get(shardId: string): string | undefined {
    return this.positions.get(shardId);
  }

  set(shardId: string, sequenceNumber: string): void {
    this.positions.set(shardId, sequenceNumber);
  }
}

/** Kept in a JSON file (written through on every batch), for a runtime whose stream persists. */
export class FileCheckpointStore extends MemoryCheckpointStore {
  constructor(private readonly path: string) {
    super();
    const saved = readJsonFile<Record<string, string>>(path) ?? {};
    for (const [shard, sequence] of Object.entries(saved)) this.positions.set(shard, sequence);
  }

  override set(shardId: string, sequenceNumber: string): void {
    super.set(shardId, sequenceNumber);
    writeJsonFile(this.path, Object.fromEntries(this.positions));
  }
}
