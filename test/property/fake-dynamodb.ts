/**
 * A DynamoDB DocumentClient `send` kept in memory, with just what the real adapters send: PutCommand
 * with the condition expressions they use, GetCommand, UpdateCommand (SET / REMOVE), QueryCommand on
 * the partition key with an optional `>` on the sort key (paged at random), BatchGetCommand (keys left
 * unprocessed at random, ProjectionExpression of plain names), BatchWriteCommand (items
 * left unprocessed at random, committed items streamed in random order). Every read is strongly
 * consistent. An expression it does not know fails the test loudly, so an adapter that changes what
 * it sends cannot pass against a fake that does something else.
 */
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { BatchGetCommand, BatchWriteCommand, GetCommand, PutCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { shuffled, type Random } from './scheduler';

export type Item = Record<string, unknown>;
type Names = Readonly<Record<string, string>> | undefined;
type Values = Readonly<Record<string, unknown>> | undefined;

/** One committed change of an item; nothing is reported for a put that left the item as it was. */
export interface ItemChange {
  readonly table: string;
  readonly eventName: 'INSERT' | 'MODIFY';
  readonly item: Item;
  readonly oldItem?: Item;
}

const name = (token: string, names: Names): string => (token.startsWith('#') ? (names?.[token] ?? token) : token);
const value = (token: string, values: Values): unknown => {
  if (!values || !(token in values)) throw new Error(`fake DynamoDB: ${token} has no ExpressionAttributeValues entry`);
  return values[token];
};

/** The condition expressions the adapters use, exactly as they write them. */
const CONDITIONS: Readonly<Record<string, (item: Item | undefined, n: Names, v: Values) => boolean>> = {
  // dynamodb-alert-ledger.ts, claim
  'attribute_not_exists(#key) OR (#status = :pending AND (attribute_not_exists(#lease) OR #lease < :now))': (item, n, v) =>
    item === undefined ||
    !(name('#key', n) in item) ||
    (item[name('#status', n)] === value(':pending', v) &&
      (!(name('#lease', n) in item) || (item[name('#lease', n)] as number) < (value(':now', v) as number))),
  // dynamodb-alert-ledger.ts, release
  '#status = :pending': (item, n, v) => item !== undefined && item[name('#status', n)] === value(':pending', v),
  // dynamodb-signal-state-store.ts, save
  'attribute_not_exists(#symbol)': (item, n) => item === undefined || !(name('#symbol', n) in item),
  '#version = :expected': (item, n, v) => item !== undefined && item[name('#version', n)] === value(':expected', v),
};

const conditionHolds = (expression: string | undefined, item: Item | undefined, names: Names, values: Values): boolean => {
  if (expression === undefined) return true;
  const check = CONDITIONS[expression];
  if (!check) throw new Error(`fake DynamoDB: unknown ConditionExpression ${JSON.stringify(expression)}`);
  return check(item, names, values);
};

const conditionFailed = () =>
  new ConditionalCheckFailedException({ message: 'The conditional request failed', $metadata: { httpStatusCode: 400 } });

/** `SET a = :x, #b = :y REMOVE c, d` applied to a copy of the item. */
function applyUpdate(item: Item, expression: string, names: Names, values: Values): Item {
  const next: Item = { ...item };
  const clauses = expression.split(/\b(SET|REMOVE)\b/).map((s) => s.trim());
  if (clauses[0] !== '') throw new Error(`fake DynamoDB: unknown UpdateExpression ${JSON.stringify(expression)}`);
  for (let i = 1; i < clauses.length; i += 2) {
    const parts = clauses[i + 1]!.split(',').map((s) => s.trim());
    for (const part of parts) {
      if (clauses[i] === 'REMOVE') {
        if (!/^#?\w+$/.test(part)) throw new Error(`fake DynamoDB: unknown REMOVE action ${JSON.stringify(part)}`);
        delete next[name(part, names)];
        continue;
      }
      const m = /^(#?\w+) = (:\w+)$/.exec(part);
      if (!m) throw new Error(`fake DynamoDB: unknown SET action ${JSON.stringify(part)}`);
      next[name(m[1]!, names)] = structuredClone(value(m[2]!, values));
    }
  }
  return next;
}

/** Two items are the same item when they have the same attributes with the same values. */
const sameItem = (a: Item, b: Item): boolean => {
  const keys = Object.keys(a);
  if (keys.length !== Object.keys(b).length) return false;
  return keys.every((k) => k in b && (a[k] === b[k] || JSON.stringify(a[k]) === JSON.stringify(b[k])));
};

/** A copy that shares nothing with the stored item (a flat item, the price table's, is copied cheaply). */
const copy = (item: Item): Item =>
  Object.values(item).every((v) => v === null || typeof v !== 'object') ? { ...item } : structuredClone(item);

export interface FakeDynamoDbOptions {
  /** Key attribute names per table: partition key, then the sort key if any. */
  readonly keys: Readonly<Record<string, readonly string[]>>;
  readonly random: Random;
  /** Per item of a BatchWriteItem request: leave it unprocessed? */
  readonly unprocessed: () => boolean;
  /** Called with the committed changes of one request, in the order they are streamed. */
  readonly onChanges: (changes: readonly ItemChange[]) => void;
}

export class FakeDynamoDb {
  private readonly tables = new Map<string, Map<string, Item>>();

  constructor(private readonly options: FakeDynamoDbOptions) {}

  private keyAttributes(table: string): readonly string[] {
    const keys = this.options.keys[table];
    if (!keys) throw new Error(`fake DynamoDB: no table ${table}`);
    return keys;
  }

  private keyOf(table: string, item: Item): string {
    return this.keyAttributes(table)
      .map((k) => {
        const v = item[k];
        if (typeof v !== 'string' && typeof v !== 'number')
          throw new Error(`fake DynamoDB: key attribute ${k} missing in ${table}`);
        return String(v);
      })
      .join('\u0000');
  }

  private table(table: string): Map<string, Item> {
    this.keyAttributes(table);
    let rows = this.tables.get(table);
    if (!rows) this.tables.set(table, (rows = new Map()));
    return rows;
  }

  /** The items of a table as they are now (copies), for the test's final checks. */
  items(table: string): Item[] {
    return [...this.table(table).values()].map(copy);
  }

  /** The item of that key as it is now (not a copy: do not change it). */
  peek(table: string, key: Item): Item | undefined {
    return this.table(table).get(this.keyOf(table, key));
  }

  /** Writes an item; returns its change, or undefined if the item is unchanged. */
  private write(table: string, item: Item): ItemChange | undefined {
    const rows = this.table(table);
    const key = this.keyOf(table, item);
    const old = rows.get(key);
    const next = copy(item);
    rows.set(key, next);
    if (old && sameItem(old, next)) return undefined;
    return old
      ? { table, eventName: 'MODIFY', item: copy(next), oldItem: old }
      : { table, eventName: 'INSERT', item: copy(next) };
  }

  private emit(changes: readonly (ItemChange | undefined)[]): void {
    const real = changes.filter((c): c is ItemChange => c !== undefined);
    if (real.length > 0) this.options.onChanges(real);
  }

  /** What `DynamoDBDocumentClient.send` would answer; applied at once (the caller chose when). */
  execute(command: unknown): unknown {
    if (command instanceof PutCommand) {
      const { TableName, Item: item, ConditionExpression, ExpressionAttributeNames, ExpressionAttributeValues } = command.input;
      const rows = this.table(TableName!);
      const current = rows.get(this.keyOf(TableName!, item!));
      if (!conditionHolds(ConditionExpression, current, ExpressionAttributeNames, ExpressionAttributeValues))
        throw conditionFailed();
      this.emit([this.write(TableName!, item!)]);
      return {};
    }
    if (command instanceof GetCommand) {
      const { TableName, Key } = command.input;
      const found = this.table(TableName!).get(this.keyOf(TableName!, Key!));
      return found ? { Item: copy(found) } : {};
    }
    if (command instanceof UpdateCommand) {
      const { TableName, Key, UpdateExpression, ConditionExpression, ExpressionAttributeNames, ExpressionAttributeValues } =
        command.input;
      const current = this.table(TableName!).get(this.keyOf(TableName!, Key!));
      if (!conditionHolds(ConditionExpression, current, ExpressionAttributeNames, ExpressionAttributeValues))
        throw conditionFailed();
      const next = applyUpdate(current ?? { ...Key }, UpdateExpression!, ExpressionAttributeNames, ExpressionAttributeValues);
      this.emit([this.write(TableName!, next)]);
      return {};
    }
    if (command instanceof QueryCommand) return this.query(command);
    if (command instanceof BatchGetCommand) {
      const responses: Record<string, Item[]> = {};
      const unprocessed: Record<string, { Keys: Item[] } & Record<string, unknown>> = {};
      for (const [table, request] of Object.entries(command.input.RequestItems ?? {})) {
        const { Keys = [], ProjectionExpression, ExpressionAttributeNames, ConsistentRead, ...rest } = request;
        if (Object.keys(rest).length > 0) throw new Error(`fake DynamoDB: BatchGetItem with ${Object.keys(rest).join(', ')}`);
        if (Keys.length > 100) throw new Error(`fake DynamoDB: BatchGetItem with ${Keys.length} keys (at most 100)`);
        if (new Set(Keys.map((k) => this.keyOf(table, k))).size < Keys.length)
          throw new Error('fake DynamoDB: Provided list of item keys contains duplicates');
        const projected = ProjectionExpression?.split(',').map((t) => name(t.trim(), ExpressionAttributeNames));
        for (const key of Keys) {
          if (this.options.unprocessed()) {
            (unprocessed[table] ??= { Keys: [], ProjectionExpression, ExpressionAttributeNames, ConsistentRead }).Keys.push(key);
            continue;
          }
          const found = this.table(table).get(this.keyOf(table, key));
          if (!found) continue;
          const item = projected ? Object.fromEntries(projected.filter((f) => f in found).map((f) => [f, found[f]])) : found;
          (responses[table] ??= []).push(copy(item));
        }
      }
      return { Responses: responses, UnprocessedKeys: unprocessed };
    }
    if (command instanceof BatchWriteCommand) {
      const unprocessed: Record<string, unknown[]> = {};
      const changes: (ItemChange | undefined)[] = [];
      for (const [table, requests] of Object.entries(command.input.RequestItems ?? {})) {
        if (requests.length > 25) throw new Error(`fake DynamoDB: BatchWriteItem with ${requests.length} items (at most 25)`);
        const keys = new Set<string>();
        for (const request of requests) {
          const item = request.PutRequest?.Item;
          if (!item) throw new Error('fake DynamoDB: only PutRequest is supported in BatchWriteItem');
          const key = this.keyOf(table, item);
          // DynamoDB refuses the whole request (ValidationException).
          if (keys.has(key)) throw new Error('fake DynamoDB: Provided list of item keys contains duplicates');
          keys.add(key);
        }
        for (const request of requests) {
          if (this.options.unprocessed()) (unprocessed[table] ??= []).push(request);
          else changes.push(this.write(table, request.PutRequest!.Item!));
        }
      }
      // The items of one request commit in no set order: their stream records may come in any.
      this.emit(shuffled(changes, this.options.random));
      return { UnprocessedItems: unprocessed };
    }
    throw new Error(`fake DynamoDB: unsupported command ${(command as object).constructor.name}`);
  }

  private query(command: QueryCommand): unknown {
    const { TableName, KeyConditionExpression, ExpressionAttributeNames: n, ExpressionAttributeValues: v } = command.input;
    const m = /^(#\w+) = (:\w+)(?: AND (#\w+) > (:\w+))?$/.exec(KeyConditionExpression ?? '');
    if (!m) throw new Error(`fake DynamoDB: unknown KeyConditionExpression ${JSON.stringify(KeyConditionExpression)}`);
    const [partitionKey, sortKey] = this.keyAttributes(TableName!);
    if (name(m[1]!, n) !== partitionKey || (m[3] !== undefined && name(m[3], n) !== sortKey)) {
      throw new Error(`fake DynamoDB: ${KeyConditionExpression} is not on the key of ${TableName}`);
    }
    const hash = value(m[2]!, v);
    const after = m[4] === undefined ? undefined : String(value(m[4], v));
    const start = command.input.ExclusiveStartKey?.[sortKey!] as string | undefined;
    const matching = [...this.table(TableName!).values()]
      .filter((i) => i[partitionKey!] === hash)
      .map((i) => ({ i, sort: String(i[sortKey!]) }))
      .filter(({ sort }) => (after === undefined || sort > after) && (start === undefined || sort > start))
      .sort((a, b) => (a.sort < b.sort ? -1 : a.sort > b.sort ? 1 : 0));
    if (command.input.ScanIndexForward === false) matching.reverse();
    // DynamoDB pages by size (1 MB); here a page is a random number of items.
    const pageSize = 1 + Math.floor(this.options.random() * 60);
    const page = matching.slice(0, pageSize).map(({ i }) => i);
    const projection = command.input.ProjectionExpression?.split(',').map((p) => name(p.trim(), n));
    const items = page.map((i) =>
      copy(projection ? Object.fromEntries(projection.filter((p) => p in i).map((p) => [p, i[p]])) : i),
    );
    const last = page.at(-1);
    return {
      Items: items,
      Count: items.length,
      ...(matching.length > pageSize && last
        ? { LastEvaluatedKey: { [partitionKey!]: last[partitionKey!], [sortKey!]: last[sortKey!] } }
        : {}),
    };
  }
}
