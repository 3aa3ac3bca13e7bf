/**
 * The dashboard's data on the deployed stack, read with the user's credentials and nothing else:
 * prices from the price table (a Query on the symbol's partition, newest first), symbols from the
 * signal-state table (one item per symbol), alerts from the alert table, the stored reports from the
 * lake bucket, per-minute counts from CloudWatch, dead-letter depths from SQS and runs from Step
 * Functions. Read-only: no resource is created, changed or made public.
 */
import { GetMetricDataCommand, type MetricDataQuery } from '@aws-sdk/client-cloudwatch';
import { QueryCommand, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { listAlerts } from '../ops/aws/alerts';
import { createOpsClients, type OpsClients } from '../ops/aws/clients';
import { call, type AwsContext } from '../ops/aws/context';
import { dlqOverview } from '../ops/aws/dlq';
import { readableDepths } from '../ops/queue-overview';
import { getReport } from '../ops/aws/report';
import { listRuns } from '../ops/aws/runs';
import { defaultCacheDir, discoverStack, stackOutput } from '../ops/aws/stack';
import { ATTR, RESOURCE } from '../shared/names';
import type { AlertQuery, DashboardAlert, DashboardData, DashboardHealth } from './data';
import { HEALTH_RUNS, healthOf } from './health';
import { alertLog, orderSymbols, symbolSeries, type MinuteCounts, type SymbolSeries, type SymbolSummary } from './series';

/** How many of a symbol's newest ticks the chart shows (a Query page of small items). */
export const AWS_SERIES_LIMIT = 1000;
/** Minutes of CloudWatch counts in the health panel. */
export const AWS_HEALTH_MINUTES = 15;
/** The page refreshes from AWS this often (each refresh is a handful of reads). */
export const AWS_REFRESH_MS = 30_000;

export interface AwsDashboardOptions {
  /** @default RESOURCE.stack */
  readonly stackName?: string;
  readonly region?: string;
  readonly profile?: string;
  /** Clients to use (tests); `region` must then be given. */
  readonly clients?: OpsClients;
  /** @default defaultCacheDir(); null: no cache */
  readonly cacheDir?: string | null;
  readonly now?: () => Date;
}

/** Kinesis records in, ticks processed and ticks dead-lettered per minute (the functions' EMF metrics). */
export function minuteMetricQueries(streamName: string): MetricDataQuery[] {
  const custom = (id: string, name: string): MetricDataQuery => ({
    Id: id,
    MetricStat: {
      Metric: {
        Namespace: RESOURCE.metricsNamespace,
        MetricName: name,
        Dimensions: [{ Name: 'service', Value: RESOURCE.service }],
      },
      Period: 60,
      Stat: 'Sum',
    },
  });
  return [
    {
      Id: 'ticksIn',
      MetricStat: {
        Metric: {
          Namespace: 'AWS/Kinesis',
          MetricName: 'IncomingRecords',
          Dimensions: [{ Name: 'StreamName', Value: streamName }],
        },
        Period: 60,
        Stat: 'Sum',
      },
    },
    custom('processed', 'TicksProcessed'),
    custom('deadLettered', 'TicksDeadLettered'),
  ];
}

export class AwsDashboardData implements DashboardData {
  readonly target = 'aws' as const;

  private constructor(
    private readonly ctx: AwsContext,
    private readonly ownsClients: boolean,
  ) {}

  static async open(options: AwsDashboardOptions = {}): Promise<AwsDashboardData> {
    let clients: OpsClients;
    let region: string;
    if (options.clients) {
      if (!options.region) throw new Error('AwsDashboardData.open: give the region of the clients passed in');
      clients = options.clients;
      region = options.region;
    } else {
      const made = await createOpsClients({
        ...(options.region ? { region: options.region } : {}),
        ...(options.profile ? { profile: options.profile } : {}),
      });
      clients = made;
      region = made.region;
    }
    try {
      const cacheDir = options.cacheDir === null ? undefined : (options.cacheDir ?? defaultCacheDir());
      const stack = await discoverStack(clients.cloudformation, {
        stackName: options.stackName ?? RESOURCE.stack,
        region,
        ...(cacheDir ? { cacheDir } : {}),
        ...(options.profile ? { profile: options.profile } : {}),
        ...(options.now ? { now: options.now } : {}),
      });
      const ctx: AwsContext = {
        clients,
        stack,
        ...(options.profile ? { profile: options.profile } : {}),
        now: options.now ?? (() => new Date()),
        sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
      };
      return new AwsDashboardData(ctx, !options.clients);
    } catch (error) {
      if (!options.clients) clients.destroy();
      throw error;
    }
  }

  get where(): string {
    return `stack ${this.ctx.stack.stackName} in ${this.ctx.stack.region}`;
  }

  private async allAlerts(symbol?: string): Promise<DashboardAlert[]> {
    const rows = await listAlerts(this.ctx, symbol ? { symbol } : {});
    return rows.map((r) => ({ ...r }));
  }

  async symbols(): Promise<SymbolSummary[]> {
    const table = stackOutput(this.ctx.stack, 'signalStateTable', 'list the symbols');
    const symbols = new Set<string>();
    let start: Record<string, unknown> | undefined;
    do {
      const out = await call(this.ctx, `list the symbols of table ${table}`, () =>
        this.ctx.clients.documents.send(
          new ScanCommand({
            TableName: table,
            ProjectionExpression: '#symbol',
            ExpressionAttributeNames: { '#symbol': ATTR.symbol },
            ExclusiveStartKey: start,
          }),
        ),
      );
      for (const item of out.Items ?? []) if (typeof item[ATTR.symbol] === 'string') symbols.add(item[ATTR.symbol] as string);
      start = out.LastEvaluatedKey;
    } while (start);
    const alerts = await this.allAlerts();
    for (const a of alerts) symbols.add(a.symbol);
    return orderSymbols(
      [...symbols].map((symbol) => ({
        symbol,
        // Counting a symbol's ticks would read its whole partition; the chart shows them.
        ticks: null,
        alerts: alerts.filter((a) => a.symbol === symbol).length,
        lastPrice: null,
        lastTimestamp: null,
      })),
    );
  }

  async series(symbol: string): Promise<SymbolSeries> {
    const table = stackOutput(this.ctx.stack, 'priceTable', 'read prices');
    const out = await call(this.ctx, `read prices of ${symbol} from table ${table}`, () =>
      this.ctx.clients.documents.send(
        new QueryCommand({
          TableName: table,
          KeyConditionExpression: '#symbol = :symbol',
          ExpressionAttributeNames: { '#symbol': ATTR.symbol, '#ts': ATTR.timestamp, '#price': ATTR.price },
          ExpressionAttributeValues: { ':symbol': symbol },
          ProjectionExpression: '#ts, #price',
          ScanIndexForward: false,
          Limit: AWS_SERIES_LIMIT,
        }),
      ),
    );
    const points = (out.Items ?? [])
      .filter((i) => typeof i[ATTR.timestamp] === 'string' && typeof i[ATTR.price] === 'number')
      .map((i) => ({ timestamp: i[ATTR.timestamp] as string, price: i[ATTR.price] as number }));
    const series = symbolSeries(symbol, points, await this.allAlerts(symbol));
    // Markers only where the chart has the tick: older alerts lie before the newest ticks shown.
    const first = series.points[0]?.timestamp ?? '';
    return { ...series, markers: series.markers.filter((m) => m.timestamp >= first) };
  }

  async alerts(query: AlertQuery = {}): Promise<DashboardAlert[]> {
    return alertLog(await this.allAlerts(query.symbol), query);
  }

  private async minutes(): Promise<MinuteCounts[]> {
    const end = new Date(Math.floor(this.ctx.now().getTime() / 60_000) * 60_000 + 60_000);
    const start = new Date(end.getTime() - AWS_HEALTH_MINUTES * 60_000);
    const streamName = stackOutput(this.ctx.stack, 'stream', 'read the ingest metrics');
    const out = await call(this.ctx, 'read CloudWatch metrics', () =>
      this.ctx.clients.cloudwatch.send(
        new GetMetricDataCommand({
          MetricDataQueries: minuteMetricQueries(streamName),
          StartTime: start,
          EndTime: end,
          ScanBy: 'TimestampAscending',
        }),
      ),
    );
    const values = new Map<string, Map<number, number>>();
    for (const r of out.MetricDataResults ?? []) {
      const byMinute = new Map<number, number>();
      (r.Timestamps ?? []).forEach((t, i) => byMinute.set(new Date(t).getTime(), r.Values?.[i] ?? 0));
      if (r.Id) values.set(r.Id, byMinute);
    }
    const minutes: MinuteCounts[] = [];
    for (let m = start.getTime(); m < end.getTime(); m += 60_000) {
      // No datapoint in a minute means nothing happened in it.
      const v = (id: string) => values.get(id)?.get(m) ?? 0;
      minutes.push({
        minute: new Date(m).toISOString(),
        in: v('ticksIn'),
        processed: v('processed'),
        deadLettered: v('deadLettered'),
      });
    }
    return minutes;
  }

  async health(): Promise<DashboardHealth> {
    const notes: string[] = [];
    const [perMinute, queues] = await Promise.all([
      this.minutes().catch((e: unknown) => {
        notes.push(`per-minute counts: ${(e as Error).message}`);
        return [] as MinuteCounts[];
      }),
      dlqOverview(this.ctx),
    ]);
    const depths = readableDepths(queues, notes);
    return healthOf(
      {
        dlq: () => Promise.resolve(depths),
        runs: () => listRuns(this.ctx, { limit: HEALTH_RUNS }),
        report: () => getReport(this.ctx, { format: 'json' }),
      },
      { perMinute, now: this.ctx.now(), notes },
    );
  }

  /** AWS is not watched: the page refreshes every AWS_REFRESH_MS. */
  async version(): Promise<string> {
    return String(Math.floor(this.ctx.now().getTime() / AWS_REFRESH_MS));
  }

  async close(): Promise<void> {
    if (this.ownsClients) this.ctx.clients.destroy();
  }
}
