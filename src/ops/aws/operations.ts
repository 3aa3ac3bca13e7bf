/**
 * The AWS target of the operating commands: the deployed stack, found by name and region, operated
 * through the AWS APIs. Everything it needs is read from the stack's outputs (cached per stack and
 * region); when a cached name turns out stale (not found), the outputs are read again once and the
 * operation retried.
 */
import { RESOURCE } from '../../shared/names';
import type { WorkflowName } from '../../shared/workflow-substitutions';
import { OpsError } from '../errors';
import type {
  AlertFilter,
  DlqListOptions,
  Operations,
  ReplayOptions,
  ReportFormat,
  RunFilter,
  SignalFilter,
  WaitOptions,
  WorkflowInput,
} from '../operations';
import type { QueueName, RuleName } from '../types';
import { listAlerts } from './alerts';
import { createOpsClients, type OpsClients } from './clients';
import type { AwsContext } from './context';
import { dlqOverview, listDlq, purgeDlq, replayDlq, showDlqMessage } from './dlq';
import { getReport } from './report';
import { listRuns, showRun, startWorkflow, waitForRun } from './runs';
import { describeSchedule, setSchedule } from './schedule';
import { recomputeSignals } from './signals';
import { defaultCacheDir, discoverStack, type StackInfo } from './stack';
import { awsStatus } from './status';
import { subscribeEmail } from './subscribe';

export interface AwsTargetOptions {
  /** @default RESOURCE.stack */
  readonly stackName?: string;
  readonly region?: string;
  readonly profile?: string;
  /** Folder of the stack-output cache; null disables it. @default defaultCacheDir() */
  readonly cacheDir?: string | null;
  /** Read the stack's outputs again even if cached. */
  readonly refresh?: boolean;
  /** Clients to use instead of the standard ones (tests); `region` must then be given. */
  readonly clients?: OpsClients;
  readonly now?: () => Date;
  readonly sleep?: (ms: number) => Promise<void>;
}

export class AwsOperations implements Operations {
  readonly target = 'aws' as const;
  private ctx: AwsContext;

  private constructor(
    ctx: AwsContext,
    private readonly options: Omit<AwsTargetOptions, 'cacheDir'> & { readonly stackName: string; readonly cacheDir?: string },
    private readonly ownsClients: boolean,
  ) {
    this.ctx = ctx;
  }

  static async open(options: AwsTargetOptions = {}): Promise<AwsOperations> {
    const stackName = options.stackName ?? RESOURCE.stack;
    let clients: OpsClients;
    let region: string;
    if (options.clients) {
      if (!options.region) throw new OpsError('region', 'AwsOperations.open: give the region of the clients passed in');
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
    const cacheDir = options.cacheDir === null ? undefined : (options.cacheDir ?? defaultCacheDir());
    const { cacheDir: _unused, ...rest } = options;
    const settings = { ...rest, stackName, ...(cacheDir ? { cacheDir } : {}) };
    try {
      const stack = await AwsOperations.discover(clients, settings, region, options.refresh ?? false);
      const ctx: AwsContext = {
        clients,
        stack,
        ...(options.profile ? { profile: options.profile } : {}),
        now: options.now ?? (() => new Date()),
        sleep: options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms))),
      };
      return new AwsOperations(ctx, settings, !options.clients);
    } catch (error) {
      if (!options.clients) clients.destroy();
      throw error;
    }
  }

  private static discover(
    clients: OpsClients,
    o: Omit<AwsTargetOptions, 'cacheDir'> & { stackName: string; cacheDir?: string },
    region: string,
    refresh: boolean,
  ): Promise<StackInfo> {
    return discoverStack(clients.cloudformation, {
      stackName: o.stackName,
      region,
      refresh,
      ...(o.cacheDir ? { cacheDir: o.cacheDir } : {}),
      ...(o.profile ? { profile: o.profile } : {}),
      ...(o.now ? { now: o.now } : {}),
    });
  }

  get where(): string {
    return `stack ${this.ctx.stack.stackName} in ${this.ctx.stack.region}`;
  }

  /** The stack as discovered (outputs, status, whether it came from the cache). */
  get stack(): StackInfo {
    return this.ctx.stack;
  }

  /**
   * Runs an operation; if it finds a resource gone while the outputs came from the cache, refreshes them
   * and tries once more. Not for replay, which may have sent records before it hit the missing resource.
   */
  private async run<T>(op: (ctx: AwsContext) => Promise<T>, retryStale = true): Promise<T> {
    try {
      return await op(this.ctx);
    } catch (error) {
      if (!retryStale || !(error instanceof OpsError) || error.kind !== 'not-found' || !this.ctx.stack.fromCache) throw error;
      const stack = await AwsOperations.discover(this.ctx.clients, this.options, this.ctx.stack.region, true);
      this.ctx = { ...this.ctx, stack };
      return op(this.ctx);
    }
  }

  status() {
    return this.run((ctx) => awsStatus(ctx));
  }
  scheduleStatus(rule: RuleName) {
    return this.run((ctx) => describeSchedule(ctx, rule));
  }
  setSchedule(rule: RuleName, enabled: boolean) {
    return this.run((ctx) => setSchedule(ctx, rule, enabled));
  }
  listRuns(filter: RunFilter = {}) {
    return this.run((ctx) => listRuns(ctx, filter));
  }
  showRun(ref: string) {
    return this.run((ctx) => showRun(ctx, ref));
  }
  startWorkflow(workflow: WorkflowName, input: WorkflowInput = {}) {
    return this.run((ctx) => startWorkflow(ctx, workflow, input.date ? { date: input.date } : {}));
  }
  waitForRun(ref: string, options: WaitOptions = {}) {
    return this.run((ctx) => waitForRun(ctx, ref, options));
  }
  listAlerts(filter: AlertFilter = {}) {
    return this.run((ctx) => listAlerts(ctx, filter));
  }
  recomputeSignals(filter: SignalFilter = {}) {
    return this.run((ctx) => recomputeSignals(ctx, filter));
  }
  subscribe(email: string, topic: 'alerts' | 'ops' = 'alerts') {
    return this.run((ctx) => subscribeEmail(ctx, email, topic));
  }
  dlqOverview() {
    return this.run((ctx) => dlqOverview(ctx));
  }
  listDlq(queue: QueueName, options: DlqListOptions = {}) {
    return this.run((ctx) => listDlq(ctx, queue, options));
  }
  showDlq(queue: QueueName, messageId: string) {
    return this.run((ctx) => showDlqMessage(ctx, queue, messageId));
  }
  replayDlq(queue: QueueName, options: ReplayOptions = {}) {
    return this.run((ctx) => replayDlq(ctx, queue, options), false);
  }
  purgeDlq(queue: QueueName, confirmed: boolean) {
    return this.run((ctx) => purgeDlq(ctx, queue, confirmed));
  }
  getReport(options: { date?: string; format?: ReportFormat } = {}) {
    return this.run((ctx) => getReport(ctx, options));
  }

  async close(): Promise<void> {
    if (this.ownsClients) this.ctx.clients.destroy();
  }
}
