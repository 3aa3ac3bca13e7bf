/**
 * No alert left behind: alerts a dead invocation left PENDING are sent (or, when the notifier holds
 * them already, only marked) against the real alert table; a live claim is left alone unless forced.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DynamoDbAlertLedger } from '../../src/adapters/aws/dynamodb-alert-ledger';
import { OutboxNotifier, readOutbox } from '../../src/adapters/local/outbox-notifier';
import { resolvePendingAlerts } from '../../src/analysis/resolve-pending';
import type { Alert } from '../../src/core/signals';
import { scanAll } from '../support/aws-reads';
import { useLocalAws } from '../support/local-aws';

const alert = (symbol: string, minute: number, side: 'BUY' | 'SELL' = 'BUY'): Alert => ({
  symbol,
  side,
  timestamp: `2024-01-02T15:${String(minute).padStart(2, '0')}:00.000Z`,
  price: 100,
  sma5: 101,
  sma20: 100.5,
});

describe('resolving PENDING alerts', () => {
  const aws = useLocalAws();
  let outbox: string;
  beforeEach(() => (outbox = mkdtempSync(join(tmpdir(), 'pending-outbox-'))));
  afterEach(() => rmSync(outbox, { recursive: true, force: true }));

  it('sends a stale claim, only marks one the outbox already holds, and leaves a live claim alone unless forced', async () => {
    const table = aws.resources.alertTable;
    let clock = Date.parse('2026-12-03T10:00:00Z');
    const ledger = new DynamoDbAlertLedger(aws.clients.documents, table, () => new Date(clock), 60_000);
    const notifier = new OutboxNotifier(outbox, { now: () => new Date(clock) });
    const [sentThenDied, diedBeforeSend, live] = [alert('PEND1', 1), alert('PEND2', 2, 'SELL'), alert('PEND3', 3)];
    // Two invocations died after their claims, one of them after SNS (the outbox) took the message.
    await ledger.claim(sentThenDied);
    await notifier.publish(sentThenDied);
    await ledger.claim(diedBeforeSend);
    clock += 120_000; // both leases ran out
    await ledger.claim(live); // a live invocation holds this one

    const deps = { pending: () => ledger.pending(), ledger, notifier, now: () => clock };
    expect(await resolvePendingAlerts(deps)).toEqual({ pending: 3, held: 1, published: 1, markedOnly: 1, failed: [] });
    const sent = readOutbox(outbox).map((m) => `${m.alert.symbol} ${m.alert.side}`);
    expect(sent).toEqual(['PEND1 BUY', 'PEND2 SELL']); // PEND1 once, not twice

    const statusOf = async (symbol: string) => (await scanAll(aws.clients, table)).find((i) => i.symbol === symbol)?.status;
    expect(await statusOf('PEND1')).toBe('PUBLISHED');
    expect(await statusOf('PEND2')).toBe('PUBLISHED');
    expect(await statusOf('PEND3')).toBe('PENDING');

    // At a local start-up no invocation can be alive: force takes the live claim too.
    expect(await resolvePendingAlerts(deps, { force: true })).toMatchObject({ pending: 1, held: 0, published: 1 });
    expect(await statusOf('PEND3')).toBe('PUBLISHED');
    expect(await resolvePendingAlerts(deps, { force: true })).toMatchObject({ pending: 0 });
  });
});
