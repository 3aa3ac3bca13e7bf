/**
 * The local stand-in for the alerts SNS topic: each published alert is appended, as one JSON line, to
 * `<outbox>/alerts-<publish date, UTC>.jsonl` (the mail that would have gone out), and handed to
 * `onPublish` so the CLI can print it. `readOutbox` reads them back for `stockpipe alerts`.
 */
import { appendFile, mkdir } from 'node:fs/promises';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { AlertNotifier } from '../../core/ports';
import { formatAlert, type Alert } from '../../core/signals';
import { RESOURCE } from '../../shared/names';

export interface OutboxMessage {
  readonly topic: string;
  readonly publishedAt: string;
  readonly subject: string;
  readonly message: string;
  readonly alert: Alert;
}

export interface OutboxNotifierOptions {
  /** @default RESOURCE.alertTopic */
  readonly topic?: string;
  readonly now?: () => Date;
  readonly onPublish?: (message: OutboxMessage) => void;
}

const OUTBOX_FILE = /^alerts-(\d{4}-\d{2}-\d{2})\.jsonl$/;

export const outboxFile = (outboxDir: string, publishedAt: Date): string =>
  join(outboxDir, `alerts-${publishedAt.toISOString().slice(0, 10)}.jsonl`);

export class OutboxNotifier implements AlertNotifier {
  constructor(
    private readonly outboxDir: string,
    private readonly options: OutboxNotifierOptions = {},
  ) {}

  async publish(alert: Alert): Promise<void> {
    const now = this.options.now?.() ?? new Date();
    const { subject, message } = formatAlert(alert);
    const entry: OutboxMessage = {
      topic: this.options.topic ?? RESOURCE.alertTopic,
      publishedAt: now.toISOString(),
      subject,
      message,
      alert,
    };
    const file = outboxFile(this.outboxDir, now);
    const line = JSON.stringify(entry) + '\n';
    // The folder is made on the first alert (or again if it was removed), not before every append.
    try {
      await appendFile(file, line);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
      await mkdir(this.outboxDir, { recursive: true });
      await appendFile(file, line);
    }
    this.options.onPublish?.(entry);
  }

  async wasDelivered(alert: Alert): Promise<boolean> {
    return readOutbox(this.outboxDir, { symbol: alert.symbol }).some(
      (m) => m.alert.timestamp === alert.timestamp && m.alert.side === alert.side,
    );
  }
}

export interface OutboxQuery {
  readonly symbol?: string;
  /** Only messages published at or after this time. */
  readonly since?: Date;
}

/**
 * Every message of the outbox, oldest first. A line that is not a message is an error naming the
 * file and line: the outbox is written only by OutboxNotifier, so a bad line means a damaged file.
 */
export function readOutbox(outboxDir: string, query: OutboxQuery = {}): OutboxMessage[] {
  if (!existsSync(outboxDir)) return [];
  const symbol = query.symbol?.toUpperCase();
  const since = query.since?.toISOString();
  const files = readdirSync(outboxDir)
    .filter((f) => OUTBOX_FILE.test(f))
    .sort();
  const messages: OutboxMessage[] = [];
  for (const file of files) {
    // A whole day's file is older than `since` if the day ends before it.
    const day = OUTBOX_FILE.exec(file)![1]!;
    if (since && `${day}T23:59:59.999Z` < since) continue;
    const lines = readFileSync(join(outboxDir, file), 'utf8').split('\n');
    lines.forEach((line, index) => {
      if (line.trim() === '') return;
      let entry: OutboxMessage;
      try {
        entry = JSON.parse(line) as OutboxMessage;
      } catch (e) {
        throw new Error(`${join(outboxDir, file)} line ${index + 1} is not JSON (${(e as Error).message})`, { cause: e });
      }
      if (typeof entry.alert?.symbol !== 'string' || typeof entry.publishedAt !== 'string') {
        throw new Error(`${join(outboxDir, file)} line ${index + 1} is not an alert message (no alert.symbol or publishedAt)`);
      }
      if (symbol && entry.alert.symbol !== symbol) return;
      if (since && entry.publishedAt < since) return;
      messages.push(entry);
    });
  }
  return messages.sort((a, b) => (a.publishedAt < b.publishedAt ? -1 : a.publishedAt > b.publishedAt ? 1 : 0));
}
