/**
 * `stockpipe status` on AWS: schedule, stream, the last hour's ticks and alerts (CloudWatch), dead-letter
 * depths and each workflow's last run. A part that cannot be read (say, no CloudWatch permission)
 * becomes a warning instead of failing the whole report.
 */
import { GetMetricDataCommand, type MetricDataQuery } from '@aws-sdk/client-cloudwatch';
import { DescribeStreamSummaryCommand } from '@aws-sdk/client-kinesis';
import { RESOURCE } from '../../shared/names';
import type { WorkflowName } from '../../shared/workflow-substitutions';
import { analysisHealth } from '../../adapters/aws/analysis-health';
import { OpsError } from '../errors';
import { WORKFLOW_NAMES, type QueueDepth, type RunSummary, type StatusReport, type StreamStatus } from '../types';
import { call, type AwsContext } from './context';
import { readableDepths } from '../queue-overview';
import { dlqOverview } from './dlq';
import { lastRun } from './runs';
import { describeSchedule } from './schedule';
import { WORKFLOW_OUTPUTS, stackOutput } from './stack';

/** The metric queries of the status report; ids are what `lastHourMetrics` reads back. */
export function statusMetricQueries(streamName: string): MetricDataQuery[] {
  const custom = (id: string, name: string): MetricDataQuery => ({
    Id: id,
    MetricStat: {
      Metric: {
        Namespace: RESOURCE.metricsNamespace,
        MetricName: name,
        Dimensions: [{ Name: 'service', Value: RESOURCE.service }],
      },
      Period: 3600,
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
        Period: 3600,
        Stat: 'Sum',
      },
    },
    custom('ticksProcessed', 'TicksProcessed'),
    custom('alerts', 'AlertsPublished'),
    {
      Id: 'iteratorAge',
      MetricStat: {
        Metric: {
          Namespace: 'AWS/Kinesis',
          MetricName: 'GetRecords.IteratorAgeMilliseconds',
          Dimensions: [{ Name: 'StreamName', Value: streamName }],
        },
        Period: 60,
        Stat: 'Maximum',
      },
    },
  ];
}

interface Metrics {
  ticksIn: number | null;
  ticksProcessed: number | null;
  alerts: number | null;
  iteratorAge: number | null;
}

/**
 * The last hour from the datapoints of `statusMetricQueries`, by query id. No datapoint is unknown
 * (null), not 0: CloudWatch answers a metric that was never published (a stack that never ran, a
 * namespace or dimension that does not match) exactly as it answers an idle hour.
 */
export function lastHourFromValues(values: ReadonlyMap<string, readonly number[]>): Metrics {
  const sum = (id: string) => {
    const points = values.get(id) ?? [];
    return points.length > 0 ? points.reduce((a, b) => a + b, 0) : null;
  };
  const age = values.get('iteratorAge') ?? [];
  return {
    ticksIn: sum('ticksIn'),
    ticksProcessed: sum('ticksProcessed'),
    alerts: sum('alerts'),
    iteratorAge: age.length > 0 ? Math.max(...age.slice(0, 15)) : null,
  };
}

async function lastHourMetrics(ctx: AwsContext, streamName: string): Promise<Metrics> {
  const end = ctx.now();
  const start = new Date(end.getTime() - 3_600_000);
  const values = new Map<string, number[]>();
  let nextToken: string | undefined;
  do {
    const out = await call(ctx, 'read CloudWatch metrics', () =>
      ctx.clients.cloudwatch.send(
        new GetMetricDataCommand({
          MetricDataQueries: statusMetricQueries(streamName),
          StartTime: start,
          EndTime: end,
          ScanBy: 'TimestampDescending',
          ...(nextToken ? { NextToken: nextToken } : {}),
        }),
      ),
    );
    for (const r of out.MetricDataResults ?? []) if (r.Id) values.set(r.Id, [...(values.get(r.Id) ?? []), ...(r.Values ?? [])]);
    nextToken = out.NextToken;
  } while (nextToken);
  return lastHourFromValues(values);
}

const warn = (warnings: string[], part: string, error: unknown): null => {
  warnings.push(`${part}: ${error instanceof OpsError || error instanceof Error ? error.message : String(error)}`);
  return null;
};

export async function awsStatus(ctx: AwsContext): Promise<StatusReport> {
  const warnings: string[] = [];
  const streamName = stackOutput(ctx.stack, 'stream', 'report the stream');
  const [schedule, summary, metrics, dlq, analysis, runs] = await Promise.all([
    describeSchedule(ctx, 'ingest'),
    call(ctx, `describe stream ${streamName}`, () =>
      ctx.clients.kinesis.send(new DescribeStreamSummaryCommand({ StreamName: streamName })),
    ).catch((e: unknown) => warn(warnings, 'stream', e)),
    lastHourMetrics(ctx, streamName).catch((e: unknown) => warn(warnings, 'metrics', e)),
    dlqOverview(ctx).then((overview) => readableDepths(overview, warnings)),
    call(ctx, 'read the signal-state and alert tables', () =>
      analysisHealth(
        ctx.clients.documents,
        {
          signalState: stackOutput(ctx.stack, 'signalStateTable', 'report late and duplicate ticks'),
          alerts: stackOutput(ctx.stack, 'alertTable', 'report pending alerts'),
        },
        ctx.now(),
      ),
    ).catch((e: unknown) => warn(warnings, 'analysis', e)),
    Promise.all(
      WORKFLOW_NAMES.map(async (workflow: WorkflowName): Promise<{ workflow: WorkflowName; lastRun: RunSummary | null }> => {
        if (!ctx.stack.outputs[WORKFLOW_OUTPUTS[workflow].stateMachine]) {
          warnings.push(
            `workflow ${workflow}: the stack has no output ${WORKFLOW_OUTPUTS[workflow].stateMachine} (deployed without the workflows?)`,
          );
          return { workflow, lastRun: null };
        }
        return {
          workflow,
          lastRun: await lastRun(ctx, workflow).catch((e: unknown) => warn(warnings, `workflow ${workflow}`, e)),
        };
      }),
    ),
  ]);
  const s = summary?.StreamDescriptionSummary;
  const stream: StreamStatus = {
    name: streamName,
    status: s?.StreamStatus ?? 'UNKNOWN',
    openShards: s?.OpenShardCount ?? null,
    retentionHours: s?.RetentionPeriodHours ?? null,
    iteratorAgeMs: metrics?.iteratorAge ?? null,
  };
  return {
    target: 'aws',
    where: `stack ${ctx.stack.stackName} in ${ctx.stack.region}`,
    generatedAt: ctx.now().toISOString(),
    schedule,
    stream,
    lastHour: {
      ticksIn: metrics?.ticksIn ?? null,
      ticksProcessed: metrics?.ticksProcessed ?? null,
      alerts: metrics?.alerts ?? null,
    },
    dlq: (dlq ?? []) as QueueDepth[],
    analysis,
    workflows: runs,
    warnings,
  };
}
