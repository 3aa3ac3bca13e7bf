import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { OutboxNotifier, readOutbox } from '../../../src/adapters/local/outbox-notifier';
import type { Alert } from '../../../src/core/signals';

const alert = (symbol: string): Alert => ({
  symbol,
  side: 'BUY',
  timestamp: '2024-01-02T15:01:00.000Z',
  price: 100,
  sma5: 101,
  sma20: 100.5,
});

describe('the local outbox', () => {
  let root: string;
  beforeEach(() => (root = mkdtempSync(join(tmpdir(), 'outbox-'))));
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  it('makes its folder on the first alert, and again after it was removed', async () => {
    const outbox = join(root, 'nested', 'outbox');
    const notifier = new OutboxNotifier(outbox, { now: () => new Date('2026-12-06T10:00:00Z') });
    await notifier.publish(alert('AAA'));
    rmSync(outbox, { recursive: true });
    await notifier.publish(alert('BBB'));
    await notifier.publish(alert('CCC'));
    expect(readOutbox(outbox).map((m) => m.alert.symbol)).toEqual(['BBB', 'CCC']);
  });

  it('fails the publish, naming the path, when the outbox cannot be written', async () => {
    const blocked = join(root, 'a-file');
    writeFileSync(blocked, '');
    const notifier = new OutboxNotifier(join(blocked, 'outbox'));
    await expect(notifier.publish(alert('AAA'))).rejects.toThrow(/ENOTDIR.*a-file/);
  });
});
