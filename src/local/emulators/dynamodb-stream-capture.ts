/**
 * Feeds a LocalDynamoDbStream from the writes a DynamoDB client commits. A middleware on the client's
 * middlewareStack (so a DynamoDBDocumentClient built on the client is covered too) watches PutItem,
 * UpdateItem, DeleteItem and BatchWriteItem on the stream's table:
 *
 * 1. before the write it reads the items the write will touch (consistent GetItem/BatchGetItem),
 * 2. the write goes out unchanged; if it fails, nothing is emitted,
 * 3. for every request that was committed (a BatchWriteItem's UnprocessedItems were not), it emits:
 *    INSERT when the key did not exist, MODIFY when it existed and the new image differs, REMOVE when
 *    a delete removed an item, and nothing when the image is unchanged or a delete found nothing.
 *    That is DynamoDB Streams' own rule: a write that changes no data writes no stream record.
 *
 * The records of one BatchWriteItem are appended in a random order: DynamoDB commits the items of a
 * request in no set order and Streams orders records per item only, so nothing may rely on the order
 * within a request (processing never puts two ticks of one symbol in one; see dynamodb-price-store.ts).
 *
 * The read and the write are two calls, not one atomic step: a writer outside this client could slip
 * in between. In the local runtime every write of a price item comes from the processing function,
 * and a key's writes come from one Kinesis shard, in order, so the emitted order per key is the order
 * of the commits. Writes made by another client (the AWS CLI against `stockpipe up --expose`) are
 * not captured.
 */
import {
  BatchGetItemCommand,
  GetItemCommand,
  type DynamoDBClient,
  type ServiceInputTypes,
  type ServiceOutputTypes,
  type WriteRequest,
} from '@aws-sdk/client-dynamodb';
import { marshall } from '@aws-sdk/util-dynamodb';
import type { BuildMiddleware } from '@smithy/types';
import type { Item, LocalDynamoDbStream, TableChange } from './dynamodb-stream';
import { asLocalOnlyRequests } from '../functions/request-tally';

const MIDDLEWARE_NAME = 'stockpipeLocalDynamoDbStream';

/** DynamoDB's equality of images: map keys unordered, numbers by value, sets unordered. */
function canonical(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(canonical);
  if (value instanceof Uint8Array) return Buffer.from(value).toString('base64');
  if (value === null || typeof value !== 'object') return value;
  const entries = Object.entries(value as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return Object.fromEntries(
    entries.map(([type, inner]) => {
      if (type === 'N' && typeof inner === 'string') return [type, String(Number(inner))];
      if ((type === 'SS' || type === 'NS' || type === 'BS') && Array.isArray(inner)) {
        const members = inner.map((m) => JSON.stringify(canonical(type === 'NS' ? { N: m } : m)));
        return [type, members.sort()];
      }
      return [type, canonical(inner)];
    }),
  );
}

export const sameImage = (a: Item, b: Item): boolean => JSON.stringify(canonical(a)) === JSON.stringify(canonical(b));

const keyText = (keys: Item): string => JSON.stringify(canonical(keys));

/** A key attribute is a string, number or binary: in DynamoDB JSON it is an object, in document form it is not. */
const keyAttribute = (value: unknown): Item[string] =>
  value !== null && typeof value === 'object' && !(value instanceof Uint8Array)
    ? (value as Item[string])
    : marshall({ v: value }).v!;

function changeOf(keys: Item, before: Item | undefined, after: Item | undefined): TableChange | undefined {
  if (after === undefined) return before ? { eventName: 'REMOVE', keys, oldImage: before } : undefined;
  if (before === undefined) return { eventName: 'INSERT', keys, newImage: after };
  if (sameImage(before, after)) return undefined;
  return { eventName: 'MODIFY', keys, newImage: after, oldImage: before };
}

async function readItems(client: DynamoDBClient, table: string, keys: readonly Item[]): Promise<Map<string, Item>> {
  const found = new Map<string, Item>();
  const unique = [...new Map(keys.map((k) => [keyText(k), k])).values()];
  for (let i = 0; i < unique.length; i += 100) {
    let request: Record<string, { Keys: Item[]; ConsistentRead: boolean }> | undefined = {
      [table]: { Keys: unique.slice(i, i + 100), ConsistentRead: true },
    };
    for (let attempt = 0; request && Object.keys(request).length > 0; attempt++) {
      if (attempt >= 10) throw new Error(`local DynamoDB stream: could not read the current items of ${table} before a write`);
      const out = await client.send(new BatchGetItemCommand({ RequestItems: request }));
      for (const item of out.Responses?.[table] ?? []) found.set(keyText(keysFrom(item, keys[0]!)), item);
      request = out.UnprocessedKeys as typeof request;
    }
  }
  return found;
}

/** The key attributes of an item, named as in a sample key. */
const keysFrom = (item: Item, sample: Item): Item => Object.fromEntries(Object.keys(sample).map((name) => [name, item[name]!]));

interface WriteInput {
  TableName?: string;
  ReturnValues?: string;
  Item?: Item;
  Key?: Item;
  RequestItems?: Record<string, WriteRequest[]>;
}

/**
 * Whether the table holds what `change` describes (its new image; for a REMOVE, no item): how the
 * recovery of a persisted stream tells an interrupted write that committed from one that did not.
 */
export async function changeCommitted(client: DynamoDBClient, table: string, change: TableChange): Promise<boolean> {
  const current = (await client.send(new GetItemCommand({ TableName: table, Key: change.keys, ConsistentRead: true }))).Item;
  if (change.newImage === undefined) return current === undefined;
  return current !== undefined && sameImage(current, change.newImage);
}

/**
 * Installs the capture on `client`; returns a function that removes it. Every emitted change goes
 * to `stream.append` after the write it describes has returned successfully.
 */
export interface CaptureOptions {
  /** Shuffles the records of one BatchWriteItem. @default Math.random */
  readonly random?: () => number;
}

/** Fisher-Yates, in place. */
function shuffle<T>(items: T[], random: () => number): T[] {
  for (let i = items.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [items[i], items[j]] = [items[j]!, items[i]!];
  }
  return items;
}

export function captureTableWrites(
  client: DynamoDBClient,
  stream: LocalDynamoDbStream,
  options: CaptureOptions = {},
): () => void {
  const random = options.random ?? Math.random;
  /**
   * An item returned by a write, in DynamoDB JSON. A Document client has already unmarshalled its
   * output by the time this middleware sees it: then the hash key is a plain value, not `{ S: ... }`.
   */
  const asItem = (attributes: Record<string, unknown> | undefined): Item | undefined => {
    if (attributes === undefined) return undefined;
    const hash = attributes[stream.keySchema.hash];
    const plain = hash === null || typeof hash !== 'object' || hash instanceof Uint8Array;
    return plain ? (marshall(attributes, { removeUndefinedValues: true }) as Item) : (attributes as Item);
  };

  const table = stream.tableName;
  const middleware: BuildMiddleware<ServiceInputTypes, ServiceOutputTypes> = (next, context) => async (args) => {
    const input = args.input as WriteInput;
    switch (context.commandName) {
      case 'PutItemCommand':
      case 'DeleteItemCommand':
      case 'UpdateItemCommand': {
        if (input.TableName !== table) return next(args);
        const keys = input.Item ? stream.keysOf(input.Item) : (input.Key as Item);
        // A put that returns the old item tells what it replaced: no read before it is needed.
        const returnsOld = context.commandName === 'PutItemCommand' && input.ReturnValues === 'ALL_OLD';
        const read = returnsOld
          ? undefined
          : (await asLocalOnlyRequests(() => readItems(client, table, [keys]))).get(keyText(keys));
        // Only puts are journalled before they go (the price table's writes): their image is known.
        const intent =
          context.commandName === 'PutItemCommand' && input.Item
            ? stream.begin([changeOf(keys, read, input.Item) ?? { eventName: 'INSERT', keys, newImage: input.Item }])
            : undefined;
        let result: Awaited<ReturnType<typeof next>>;
        try {
          result = await next(args);
        } catch (error) {
          stream.abandon(intent);
          throw error;
        }
        const before = returnsOld ? asItem((result.output as { Attributes?: Record<string, unknown> }).Attributes) : read;
        let after: Item | undefined;
        if (context.commandName === 'PutItemCommand') after = input.Item;
        else if (context.commandName === 'UpdateItemCommand') {
          after = (
            await asLocalOnlyRequests(() =>
              client.send(new GetItemCommand({ TableName: table, Key: keys, ConsistentRead: true })),
            )
          ).Item;
        }
        const change = changeOf(keys, before, after);
        stream.append(change ? [change] : [], intent);
        return result;
      }
      case 'BatchWriteItemCommand': {
        const requests = input.RequestItems?.[table];
        if (!requests || requests.length === 0) return next(args);
        const keyOf = (r: WriteRequest): Item =>
          r.PutRequest ? stream.keysOf(r.PutRequest.Item as Item) : (r.DeleteRequest!.Key as Item);
        const before = await asLocalOnlyRequests(() => readItems(client, table, requests.map(keyOf)));
        const candidates = requests
          .map((r) => changeOf(keyOf(r), before.get(keyText(keyOf(r))), r.PutRequest ? (r.PutRequest.Item as Item) : undefined))
          .filter((c): c is TableChange => c !== undefined);
        const intent = stream.begin(candidates);
        let result: Awaited<ReturnType<typeof next>>;
        try {
          result = await next(args);
        } catch (error) {
          stream.abandon(intent);
          throw error;
        }
        const output = result.output as {
          UnprocessedItems?: Record<
            string,
            { PutRequest?: { Item?: Record<string, unknown> }; DeleteRequest?: { Key?: Record<string, unknown> } }[]
          >;
        };
        const unprocessed = new Set(
          (output.UnprocessedItems?.[table] ?? []).map((r) => {
            const raw = r.PutRequest?.Item ?? r.DeleteRequest?.Key ?? {};
            const names = [stream.keySchema.hash, stream.keySchema.range].filter((n): n is string => n !== undefined);
            return keyText(Object.fromEntries(names.map((n) => [n, keyAttribute(raw[n])])));
          }),
        );
        const changes: TableChange[] = [];
        for (const request of requests) {
          const keys = keyOf(request);
          if (unprocessed.has(keyText(keys))) continue;
          const change = changeOf(
            keys,
            before.get(keyText(keys)),
            request.PutRequest ? (request.PutRequest.Item as Item) : undefined,
          );
          if (change) changes.push(change);
        }
        stream.append(shuffle(changes, random), intent);
        return result;
      }
      default:
        return next(args);
    }
  };
  client.middlewareStack.add(middleware, { step: 'build', name: MIDDLEWARE_NAME, override: true });
  return () => {
    client.middlewareStack.remove(MIDDLEWARE_NAME);
  };
}
