/**
 * The dashboard's data on the local target, read from the data dir whether or not a pipeline runs:
 * ticks from the raw lake (s3rver's files, one NDJSON object per batch and day), alerts from
 * the outbox, runs, queues and the stored report through the local operating commands. Inside
 * `stockpipe start` it also gets the pipeline's counters, so ticks in and dead-lettered per minute
 * are known; on its own it counts processed ticks per minute from the lake objects' write times.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { localRawDayFolders, OBJECT_SUFFIX } from '../adapters/local/lake-files';
import { readOutbox } from '../adapters/local/outbox-notifier';
import type { DataDirLayout } from '../local';
import { LocalOperations } from '../ops/local/operations';
import { RESOURCE } from '../shared/names';
import type { AlertQuery, DashboardAlert, DashboardData, DashboardHealth } from './data';
import { healthFrom } from './health';
import {
  alertLog,
  countPerMinute,
  orderSymbols,
  perMinute,
  symbolSeries,
  type CounterSample,
  type MinuteCounts,
  type PricePoint,
  type SymbolSeries,
  type SymbolSummary,
} from './series';

export interface LiveCounters {
  readonly produced: number;
  readonly processed: number;
  readonly deadLettered: number;
}

export interface LocalDashboardOptions {
  /** The running pipeline's counters (inside `stockpipe start`), sampled for the per-minute health. */
  readonly live?: () => LiveCounters;
  /** @default 5000 */
  readonly sampleEveryMs?: number;
  readonly now?: () => Date;
}

interface RawObject {
  readonly path: string;
  readonly mtimeMs: number;
  readonly size: number;
}

interface SymbolPoint extends PricePoint {
  readonly symbol: string;
}

interface CachedObject extends RawObject {
  readonly ticks: readonly SymbolPoint[];
}

export class LocalDashboardData implements DashboardData {
  readonly target = 'local' as const;
  private readonly cache = new Map<string, CachedObject>();
  private readonly samples: CounterSample[] = [];
  private readonly timer: NodeJS.Timeout | undefined;
  private readonly now: () => Date;

  constructor(
    private readonly layout: DataDirLayout,
    private readonly options: LocalDashboardOptions = {},
  ) {
    this.now = options.now ?? (() => new Date());
    if (options.live) {
      this.sample();
      this.timer = setInterval(() => this.sample(), options.sampleEveryMs ?? 5000);
      this.timer.unref();
    }
  }

  get where(): string {
    return this.layout.root;
  }

  private sample(): void {
    const c = this.options.live!();
    this.samples.push({ at: this.now().getTime(), in: c.produced, processed: c.processed, deadLettered: c.deadLettered });
    // An hour of samples is more than the page shows.
    const hourAgo = this.now().getTime() - 3_600_000;
    while (this.samples.length > 0 && this.samples[0]!.at < hourAgo) this.samples.shift();
  }

  /** The raw objects, of the day layout and of a lake in the older per-symbol layout. */
  private rawObjects(): RawObject[] {
    const out: RawObject[] = [];
    for (const dayDir of [...localRawDayFolders(this.layout.lake, RESOURCE.rawBucket).values()].flat()) {
      let names: string[];
      try {
        names = readdirSync(dayDir);
      } catch {
        continue; // a run that starts clears the lake under us
      }
      for (const name of names) {
        if (!name.endsWith(OBJECT_SUFFIX)) continue;
        const path = join(dayDir, name);
        try {
          const st = statSync(path);
          out.push({ path, mtimeMs: st.mtimeMs, size: st.size });
        } catch {
          // removed between the listing and the stat
        }
      }
    }
    return out;
  }

  /** An object's ticks, read once per version of the file. */
  private ticksOf(object: RawObject): readonly SymbolPoint[] {
    const cached = this.cache.get(object.path);
    if (cached && cached.mtimeMs === object.mtimeMs && cached.size === object.size) return cached.ticks;
    let text: string;
    try {
      text = readFileSync(object.path, 'utf8');
    } catch {
      return [];
    }
    const ticks: SymbolPoint[] = [];
    for (const line of text.split('\n')) {
      if (line.trim() === '') continue;
      try {
        const t = JSON.parse(line) as { symbol?: unknown; timestamp?: unknown; price?: unknown };
        if (typeof t.symbol === 'string' && typeof t.timestamp === 'string' && typeof t.price === 'number')
          ticks.push({ symbol: t.symbol, timestamp: t.timestamp, price: t.price });
      } catch {
        // the processing function writes whole objects; a partial one is being written right now
      }
    }
    this.cache.set(object.path, { ...object, ticks });
    return ticks;
  }

  private allAlerts(): DashboardAlert[] {
    return readOutbox(this.layout.outbox).map((m) => ({
      symbol: m.alert.symbol,
      side: m.alert.side,
      timestamp: m.alert.timestamp,
      price: m.alert.price,
      sma5: m.alert.sma5,
      sma20: m.alert.sma20,
      status: 'PUBLISHED',
      publishedAt: m.publishedAt,
    }));
  }

  async symbols(): Promise<SymbolSummary[]> {
    const alerts = this.allAlerts();
    const bySymbol = new Map<string, PricePoint[]>();
    for (const object of this.rawObjects()) {
      for (const tick of this.ticksOf(object)) {
        const list = bySymbol.get(tick.symbol);
        if (list) list.push(tick);
        else bySymbol.set(tick.symbol, [tick]);
      }
    }
    for (const a of alerts) if (!bySymbol.has(a.symbol)) bySymbol.set(a.symbol, []);
    return orderSymbols(
      [...bySymbol].map(([symbol, ticks]) => {
        const last = ticks.reduce<PricePoint | undefined>((l, t) => (!l || t.timestamp > l.timestamp ? t : l), undefined);
        return {
          symbol,
          ticks: new Set(ticks.map((t) => t.timestamp)).size,
          alerts: alerts.filter((a) => a.symbol === symbol).length,
          lastPrice: last?.price ?? null,
          lastTimestamp: last?.timestamp ?? null,
        };
      }),
    );
  }

  async series(symbol: string): Promise<SymbolSeries> {
    const ticks = this.rawObjects().flatMap((o) => this.ticksOf(o).filter((t) => t.symbol === symbol));
    return symbolSeries(symbol, ticks, this.allAlerts());
  }

  async alerts(query: AlertQuery = {}): Promise<DashboardAlert[]> {
    return alertLog(this.allAlerts(), query);
  }

  private minutes(): MinuteCounts[] {
    const now = this.now().getTime();
    if (this.options.live) {
      this.sample();
      return perMinute(this.samples, now);
    }
    const since = now - 15 * 60_000;
    return countPerMinute(
      this.rawObjects()
        .filter((o) => o.mtimeMs >= since)
        .map((o) => ({ at: o.mtimeMs, count: this.ticksOf(o).length })),
      now,
    );
  }

  async health(): Promise<DashboardHealth> {
    // A fresh view each time: a pipeline may have started (or stopped) on the data dir since.
    const operations = new LocalOperations(this.layout, { now: this.now });
    try {
      return await healthFrom(operations, {
        perMinute: this.minutes(),
        now: this.now(),
        notes: this.options.live
          ? []
          : [
              'ticks in and dead-lettered per minute are counted inside the running pipeline only (open the dashboard npm start prints); processed ticks are counted from the lake',
            ],
      });
    } finally {
      await operations.close();
    }
  }

  async version(): Promise<string> {
    const objects = this.rawObjects();
    const newest = objects.reduce((m, o) => Math.max(m, o.mtimeMs), 0);
    const outbox = existsSync(this.layout.outbox)
      ? readdirSync(this.layout.outbox).reduce((sum, f) => {
          try {
            return sum + statSync(join(this.layout.outbox, f)).size;
          } catch {
            return sum;
          }
        }, 0)
      : 0;
    // A run file is rewritten as the run goes (RUNNING, then SUCCEEDED): its time counts too.
    let runs = 0;
    if (existsSync(this.layout.runs)) {
      for (const f of readdirSync(this.layout.runs)) {
        try {
          runs = Math.max(runs, statSync(join(this.layout.runs, f)).mtimeMs);
        } catch {
          // replaced between the listing and the stat
        }
      }
    }
    return `${objects.length}:${newest}:${outbox}:${runs}`;
  }

  async close(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
  }
}
