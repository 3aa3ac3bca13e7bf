/**
 * `stockpipe status` on the local target. The stream and the queues are read from the running
 * pipeline's emulators (none runs: they are reported as stopped, with a warning). The last hour is
 * read from what stays on disk: raw lake objects written in the last hour (ticks processed) and the
 * outbox (alerts). Ticks put into the stream are counted in the running process only, which another
 * process cannot read: null, with a warning.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { DescribeStreamSummaryCommand } from '@aws-sdk/client-kinesis';
import { OBJECT_SUFFIX } from '../../adapters/local/lake-files';
import { readOutbox } from '../../adapters/local/outbox-notifier';
import { LAKE } from '../../shared/names';
import { ANALYSIS_HEALTH_FILE, readJsonFile, stateFile } from '../../local';
import { analysisHealth } from '../../adapters/aws/analysis-health';
import {
  WORKFLOW_NAMES,
  type AnalysisHealth,
  type QueueDepth,
  type ScheduleStatus,
  type StatusReport,
  type StreamStatus,
} from '../types';
import { listRunsOf } from './runs';
import { localDlqOverview } from './dlq';
import { readableDepths } from '../queue-overview';
import type { LocalSession } from './session';

/** Lines (ticks) of the raw lake objects modified since `since`. */
export function rawTicksSince(lakeDir: string, bucket: string, since: Date): number {
  const walk = (dir: string): number => {
    if (!existsSync(dir)) return 0;
    let n = 0;
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) n += walk(path);
      else if (entry.name.endsWith(OBJECT_SUFFIX) && statSync(path).mtimeMs >= since.getTime()) {
        n += readFileSync(path, 'utf8')
          .split('\n')
          .filter((l) => l.trim() !== '').length;
      }
    }
    return n;
  };
  return walk(join(join(lakeDir, bucket), ...LAKE.raw.split('/').filter(Boolean)));
}

export async function localStatus(args: {
  readonly session: LocalSession | undefined;
  readonly layout: LocalSession['layout'];
  readonly bucket: string;
  readonly streamName: string;
  readonly schedule: ScheduleStatus;
  readonly now: Date;
}): Promise<StatusReport> {
  const { session, layout, now } = args;
  const warnings: string[] = [];
  const hourAgo = new Date(now.getTime() - 3_600_000);
  let stream: StreamStatus = {
    name: args.streamName,
    status: 'STOPPED',
    openShards: null,
    retentionHours: null,
    iteratorAgeMs: null,
  };
  let dlq: QueueDepth[] = [];
  let analysis: AnalysisHealth | null = null;
  if (!session) {
    const last = readJsonFile<AnalysisHealth & { at: string }>(stateFile(layout, ANALYSIS_HEALTH_FILE));
    if (last) {
      const { at, ...health } = last;
      analysis = health;
      warnings.push(`analysis: as it stood when the last run stopped, at ${at}`);
    }
    warnings.push(
      `no local pipeline runs on ${layout.root}: its stream and queues live in its process (start one with stockpipe start or stockpipe up)`,
    );
  } else {
    try {
      const s = (
        await session.clients.kinesis.send(new DescribeStreamSummaryCommand({ StreamName: session.resources.streamName }))
      ).StreamDescriptionSummary;
      stream = {
        name: session.resources.streamName,
        status: s?.StreamStatus ?? 'UNKNOWN',
        openShards: s?.OpenShardCount ?? null,
        retentionHours: s?.RetentionPeriodHours ?? null,
        iteratorAgeMs: null,
      };
    } catch (error) {
      warnings.push(`stream: ${(error as Error).message}`);
    }
    dlq = readableDepths(await localDlqOverview(session), warnings);
    try {
      analysis = await analysisHealth(
        session.clients.documents,
        { signalState: session.resources.signalStateTable, alerts: session.resources.alertTable },
        now,
      );
    } catch (error) {
      warnings.push(`analysis: ${(error as Error).message}`);
    }
  }
  warnings.push('ticks in: the local stream keeps no metrics; processed ticks are counted from the lake');
  return {
    target: 'local',
    where: layout.root,
    generatedAt: now.toISOString(),
    schedule: args.schedule,
    stream,
    lastHour: {
      ticksIn: null,
      ticksProcessed: rawTicksSince(layout.lake, args.bucket, hourAgo),
      alerts: readOutbox(layout.outbox, { since: hourAgo }).length,
    },
    dlq,
    analysis,
    workflows: WORKFLOW_NAMES.map((workflow) => ({
      workflow,
      lastRun: listRunsOf(layout.root, { workflow, limit: 1 })[0] ?? null,
    })),
    warnings,
  };
}
