import { brotliCompressSync, brotliDecompressSync, constants as zlibConstants } from 'node:zlib';
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { BatchGetCommand, GetCommand, PutCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { FoldCheckpoint, SignalStateStore, SkippedTicks, SymbolAnalysisState, VersionedSignalState } from '../../core/ports';
import { initialSignalState } from '../../core/signals';
import { chunk, retryPending, type BackoffOptions } from '../../shared/retry';

interface StoredState {
  symbol: string;
  version: number;
  last_timestamp: string | null;
  prices: number[];
  relation: -1 | 0 | 1 | null;
  /** The fold history, compressed (see packFoldHistory); items saved before it carry the two lists below. */
  fold_history?: Uint8Array;
  recent_timestamps?: string[];
  checkpoints?: { through: string; read_at: number }[];
  skipped?: Record<string, SkippedTicks>;
}

interface FoldHistory {
  readonly recent: readonly string[];
  readonly checkpoints: readonly (readonly [through: string, readAt: number])[];
}

/**
 * DynamoDB bills a write per KB of the item. The remembered timestamps and checkpoints as plain
 * attributes come to ~3.5 KB at their bounds (4 write units per save, one save per symbol and
 * invocation); they repeat each other's prefixes, so compressed they take ~0.6 KB and the item one unit.
 */
const packFoldHistory = (history: FoldHistory): Uint8Array =>
  brotliCompressSync(JSON.stringify(history), { params: { [zlibConstants.BROTLI_PARAM_QUALITY]: 5 } });

function unpackFoldHistory(symbol: string, packed: Uint8Array): FoldHistory {
  try {
    const history = JSON.parse(brotliDecompressSync(packed).toString('utf8')) as FoldHistory;
    if (!Array.isArray(history.recent) || !Array.isArray(history.checkpoints)) throw new Error('not {recent, checkpoints}');
    return history;
  } catch (e) {
    throw new Error(`the stored fold history of ${symbol} cannot be read (${e instanceof Error ? e.message : String(e)})`, {
      cause: e,
    });
  }
}

/** BatchGetItem takes at most 100 keys. */
const BATCH_GET_LIMIT = 100;

function fromItem(symbol: string, item: StoredState | undefined): VersionedSignalState {
  if (!item) return { state: initialSignalState(symbol), version: 0, recentTimestamps: [], checkpoints: [], skipped: {} };
  // Items saved before the history was compressed carry it as two plain lists.
  const history: FoldHistory = item.fold_history
    ? unpackFoldHistory(symbol, item.fold_history)
    : { recent: item.recent_timestamps ?? [], checkpoints: (item.checkpoints ?? []).map((c) => [c.through, c.read_at] as const) };
  return {
    version: item.version,
    state: { symbol, lastTimestamp: item.last_timestamp, prices: item.prices, relation: item.relation },
    recentTimestamps: [...history.recent],
    checkpoints: history.checkpoints.map(([through, readAt]): FoldCheckpoint => ({ through, readAt })),
    skipped: item.skipped ?? {},
  };
}

/** One item per symbol, versioned: a save is conditional on the version that was loaded. */
export class DynamoDbSignalStateStore implements SignalStateStore {
  constructor(
    private readonly documents: DynamoDBDocumentClient,
    private readonly tableName: string,
    private readonly backoff: BackoffOptions = {},
  ) {}

  async load(symbol: string): Promise<VersionedSignalState> {
    const out = await this.documents.send(new GetCommand({ TableName: this.tableName, Key: { symbol }, ConsistentRead: true }));
    return fromItem(symbol, out.Item as StoredState | undefined);
  }

  async loadMany(symbols: readonly string[]): Promise<Map<string, VersionedSignalState>> {
    const found = new Map<string, StoredState>();
    const unique = [...new Set(symbols)];
    await Promise.all(
      chunk(unique, BATCH_GET_LIMIT).map(async (group) => {
        const left = await retryPending(
          group,
          async (pending) => {
            const out = await this.documents.send(
              new BatchGetCommand({
                RequestItems: { [this.tableName]: { Keys: pending.map((symbol) => ({ symbol })), ConsistentRead: true } },
              }),
            );
            for (const item of (out.Responses?.[this.tableName] ?? []) as StoredState[]) found.set(item.symbol, item);
            const unprocessed = new Set((out.UnprocessedKeys?.[this.tableName]?.Keys ?? []).map((k) => String(k.symbol)));
            return pending.filter((symbol) => unprocessed.has(symbol));
          },
          this.backoff,
        );
        if (left.length > 0)
          throw new Error(`could not read the indicator state of ${left.join(', ')}: the keys stayed unprocessed after retries`);
      }),
    );
    return new Map(unique.map((symbol) => [symbol, fromItem(symbol, found.get(symbol))]));
  }

  async save(next: SymbolAnalysisState, expectedVersion: number): Promise<boolean> {
    const { state } = next;
    const item: StoredState = {
      symbol: state.symbol,
      version: expectedVersion + 1,
      last_timestamp: state.lastTimestamp,
      prices: [...state.prices],
      relation: state.relation,
      fold_history: packFoldHistory({
        recent: next.recentTimestamps,
        checkpoints: next.checkpoints.map((c) => [c.through, c.readAt] as const),
      }),
      skipped: { ...next.skipped },
    };
    try {
      await this.documents.send(
        new PutCommand({
          TableName: this.tableName,
          Item: item,
          ...(expectedVersion === 0
            ? { ConditionExpression: 'attribute_not_exists(#symbol)', ExpressionAttributeNames: { '#symbol': 'symbol' } }
            : {
                ConditionExpression: '#version = :expected',
                ExpressionAttributeNames: { '#version': 'version' },
                ExpressionAttributeValues: { ':expected': expectedVersion },
              }),
        }),
      );
      return true;
    } catch (e) {
      if (e instanceof ConditionalCheckFailedException) return false;
      throw e;
    }
  }
}
