/** How the operating commands print their results as text (with --json they print the objects). */
import { formatDuration } from '../ops/time';
import type {
  DlqMessage,
  QueueOverview,
  ReplayResult,
  RunDetail,
  RunSummary,
  ScheduleStatus,
  StateRow,
  StatusReport,
} from '../ops/types';
import { renderTable } from './output';

export const describeSchedule = (s: ScheduleStatus): string =>
  `${s.rule} schedule (${s.name}, ${s.expression ?? 'no expression'}): ${s.state}` +
  (s.nextTrigger ? `, next trigger ${s.nextTriggerApproximate ? 'by ' : 'at '}${s.nextTrigger}` : '');

const ms = (n: number | null): string => (n === null ? '-' : formatDuration(n));
const count = (n: number | null): string => (n === null ? '-' : String(n));
/** A metric with no datapoints is not zero: say so. */
const metric = (n: number | null): string => (n === null ? 'unknown' : String(n));
const clip = (text: string, width: number): string => (text.length > width ? `${text.slice(0, width - 1)}…` : text);

export const runLine = (r: RunSummary): string => `${r.status} ${r.startedAt} ${ms(r.durationMs)} (${r.id})`;

export function renderStatus(s: StatusReport): string {
  const stream = s.stream;
  const lines = [
    `target      ${s.target} (${s.where})`,
    `schedule    ${describeSchedule(s.schedule)}`,
    `stream      ${stream.name} ${stream.status}${stream.openShards !== null ? `, ${stream.openShards} shard(s)` : ''}${stream.retentionHours !== null ? `, retention ${stream.retentionHours} h` : ''}${stream.iteratorAgeMs !== null ? `, iterator age ${ms(stream.iteratorAgeMs)}` : ''}`,
    `last hour   ticks in ${metric(s.lastHour.ticksIn)}, processed ${metric(s.lastHour.ticksProcessed)}, alerts ${metric(s.lastHour.alerts)}`,
    `DLQ         ${s.dlq.length === 0 ? '-' : s.dlq.map((q) => `${q.queue} ${q.visible}${q.inFlight > 0 ? ` (+${q.inFlight} in flight)` : ''}`).join(', ')}`,
    `analysis    ${
      s.analysis
        ? `late ticks ${s.analysis.lateTicks}, duplicate ticks ${s.analysis.duplicateTicks}` +
          (s.analysis.skippedBySymbol.length > 0
            ? ` (${s.analysis.skippedBySymbol.map((x) => `${x.symbol} ${x.late}/${x.duplicate}`).join(', ')})`
            : '') +
          `, pending alerts ${s.analysis.pendingAlerts}` +
          (s.analysis.stalePendingAlerts.length > 0 ? `, ${s.analysis.stalePendingAlerts.length} stale` : '')
        : '-'
    }`,
    ...(s.analysis?.stalePendingAlerts ?? []).map(
      (a) =>
        `            stale PENDING ${a.side} ${a.symbol} at ${a.timestamp} (claimed ${a.claimedAt}): replay the analysis DLQ`,
    ),
    ...s.workflows.map(
      (w, i) =>
        `${i === 0 ? 'workflows  ' : '           '} ${w.workflow.padEnd(11)} ${w.lastRun ? runLine(w.lastRun) : 'never ran'}`,
    ),
  ];
  if (s.warnings.length > 0) lines.push('warnings:', ...s.warnings.map((w) => `  - ${w}`));
  return lines.join('\n');
}

export const renderRuns = (runs: readonly RunSummary[]): string =>
  renderTable<RunSummary>(
    [
      { header: 'ID', value: (r) => r.id },
      { header: 'WORKFLOW', value: (r) => r.workflow },
      { header: 'STATUS', value: (r) => r.status },
      { header: 'STARTED', value: (r) => r.startedAt },
      { header: 'DURATION', value: (r) => ms(r.durationMs), align: 'right' },
    ],
    runs,
  );

export const renderStates = (states: readonly StateRow[]): string =>
  renderTable<StateRow>(
    [
      { header: 'STATE', value: (s) => s.name },
      { header: 'TYPE', value: (s) => s.type },
      { header: 'STATUS', value: (s) => s.status },
      { header: 'ITER', value: (s) => (s.iteration === null ? '' : String(s.iteration)), align: 'right' },
      { header: 'DURATION', value: (s) => ms(s.durationMs), align: 'right' },
      { header: 'TRIES', value: (s) => String(s.attempts), align: 'right' },
      { header: 'RETRIES', value: (s) => String(s.retries), align: 'right' },
      { header: 'ERROR', value: (s) => (s.error ? clip(`${s.error}${s.cause ? `: ${s.cause}` : ''}`, 100) : '') },
    ],
    states,
  );

export function renderRunHead(run: RunDetail): string {
  const head = [`run ${run.id} (${run.workflow}): ${run.status}, started ${run.startedAt}, ${ms(run.durationMs)}`];
  if (run.status !== 'SUCCEEDED' && run.status !== 'RUNNING') {
    head.push(`failed in ${run.failedState ?? '?'}: ${run.error ?? 'no error'}${run.cause ? `: ${run.cause}` : ''}`);
  } else if (run.failedState) {
    head.push(`caught an error in ${run.failedState}: ${run.error ?? ''}${run.cause ? `: ${run.cause}` : ''}`);
  }
  return head.join('\n');
}

export const renderRun = (run: RunDetail): string => `${renderRunHead(run)}\n\n${renderStates(run.states)}`;

const age = (seconds: number | null): string => (seconds === null ? '-' : formatDuration(seconds * 1000));

export const renderDlq = (messages: readonly DlqMessage[]): string =>
  renderTable<DlqMessage>(
    [
      { header: 'MESSAGE ID', value: (m) => m.messageId },
      { header: 'KIND', value: (m) => m.kind },
      { header: 'AGE', value: (m) => age(m.ageSeconds), align: 'right' },
      { header: 'REASON', value: (m) => clip(m.reason, 100) },
    ],
    messages,
  );

export function renderDlqMessage(m: DlqMessage): string {
  const lines = [
    `message    ${m.messageId} (${m.queue} queue, ${m.kind})`,
    `sent       ${m.sentAt ?? '-'} (${age(m.ageSeconds)} ago, received ${m.receiveCount ?? '-'} time(s))`,
    `reason     ${m.reason}`,
  ];
  if (m.rejection) lines.push(`rejected   ${m.rejection.field}=${m.rejection.value}: ${m.rejection.reason}`);
  if (m.source)
    lines.push(
      `source     ${Object.entries(m.source)
        .map(([k, v]) => `${k}=${v}`)
        .join(' ')}`,
    );
  if (m.batch)
    lines.push(
      `batch      ${m.batch.source} ${m.batch.shardId} ${m.batch.startSequenceNumber}..${m.batch.endSequenceNumber} (${m.batch.batchSize} record(s), first arrived ${m.batch.firstArrival ?? '-'})`,
    );
  if (m.payload !== null) lines.push(`payload    ${m.payload}`);
  lines.push(`body       ${m.body}`);
  return lines.join('\n');
}

export function renderReplay(r: ReplayResult): string {
  const head = `${r.queue} queue: ${r.received} received, ${r.replayed} replayed (${r.recordsSent} record(s) delivered), ${r.failedAgain} failed again, ${r.expired} expired, ${r.unreadable} unreadable; ${r.kept} kept in the queue`;
  if (r.items.length === 0) return head;
  const table = renderTable(
    [
      { header: 'MESSAGE ID', value: (i: ReplayResult['items'][number]) => i.messageId },
      { header: 'OUTCOME', value: (i: ReplayResult['items'][number]) => i.outcome },
      { header: 'RECORDS', value: (i: ReplayResult['items'][number]) => String(i.recordsSent), align: 'right' as const },
      { header: 'DETAIL', value: (i: ReplayResult['items'][number]) => clip(i.detail, 120) },
    ],
    r.items,
  );
  return `${head}\n\n${table}`;
}

/** `dlq list` without `--queue`: one row per queue, an unreadable one with its error. */
export const renderQueueOverview = (queues: readonly QueueOverview[]): string =>
  renderTable<QueueOverview>(
    [
      { header: 'QUEUE', value: (q) => q.queue },
      { header: 'VISIBLE', value: (q) => count(q.visible), align: 'right' },
      { header: 'IN FLIGHT', value: (q) => count(q.inFlight), align: 'right' },
      { header: 'URL', value: (q) => q.url ?? '-' },
      { header: 'ERROR', value: (q) => q.error ?? '' },
    ],
    queues,
  ) + `\nmessages of one queue: stockpipe dlq list --queue ${queues[0]?.queue ?? 'invalid'}`;
