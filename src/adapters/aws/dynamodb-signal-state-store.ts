import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { GetCommand, PutCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { SignalStateStore, VersionedSignalState } from '../../core/ports';
import { initialSignalState, type SignalState } from '../../core/signals';

interface StoredState {
  symbol: string;
  version: number;
  last_timestamp: string | null;
  prices: number[];
  relation: -1 | 0 | 1 | null;
}

/** One item per symbol, versioned: a save is conditional on the version that was loaded. */
export class DynamoDbSignalStateStore implements SignalStateStore {
  constructor(
    private readonly documents: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async load(symbol: string): Promise<VersionedSignalState> {
    const out = await this.documents.send(new GetCommand({ TableName: this.tableName, Key: { symbol }, ConsistentRead: true }));
    const item = out.Item as StoredState | undefined;
    if (!item) return { state: initialSignalState(symbol), version: 0 };
    return {
      version: item.version,
      state: { symbol, lastTimestamp: item.last_timestamp, prices: item.prices, relation: item.relation },
    };
  }

  async save(state: SignalState, expectedVersion: number): Promise<boolean> {
    const item: StoredState = {
      symbol: state.symbol,
      version: expectedVersion + 1,
      last_timestamp: state.lastTimestamp,
      prices: [...state.prices],
      relation: state.relation,
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
