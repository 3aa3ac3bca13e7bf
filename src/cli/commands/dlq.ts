/** `stockpipe dlq list|show|replay|purge --queue invalid|processing|analysis`: the dead-letter queues. */
import { readFileSync } from 'node:fs';
import { Option, type Command } from 'commander';
import { parseFixes } from '../../ops/fixes';
import { QUEUE_NAMES, type QueueName } from '../../ops/names';
import { positiveInteger, withCommonOptions } from '../options';
import { CliError, type CliIo } from '../output';
import { renderDlq, renderDlqMessage, renderQueueOverview, renderReplay } from '../render-ops';
import { withOperations, withTargetOption, type TargetOptions } from '../targets';

interface QueueOptions extends TargetOptions {
  readonly queue: QueueName;
}

interface ListOptions extends TargetOptions {
  readonly queue?: QueueName;
  readonly max: number;
}

interface ReplayOptions extends QueueOptions {
  readonly fixes?: string;
  readonly max: number;
}

interface PurgeOptions extends QueueOptions {
  readonly yes?: boolean;
}

const QUEUES_HELP = `
Queues:
  invalid     records that are not valid ticks (the record, the reason and the rejected field)
  processing  batches of the Kinesis stream that failed every retry (shard and sequence range)
  analysis    batches of the DynamoDB stream that failed every retry, and price items the analysis refused`;

function queueCommand(group: Command, name: string, description: string, queueRequired = true): Command {
  const queue = new Option(
    '--queue <queue>',
    queueRequired ? 'which dead-letter queue' : "list this queue's messages (without it: every queue with its depth)",
  ).choices(QUEUE_NAMES);
  const command = group
    .command(name)
    .description(description)
    .addOption(queueRequired ? queue.makeOptionMandatory() : queue);
  return withTargetOption(withCommonOptions(command));
}

export function registerDlq(program: Command, io: CliIo): void {
  const group = program
    .command('dlq')
    .description('inspect, replay or purge the dead-letter queues')
    .addHelpText('after', QUEUES_HELP);

  queueCommand(
    group,
    'list',
    'every queue with its depth; with --queue, its messages with their reason and age (they stay in the queue)',
    false,
  )
    .option('--max <n>', 'at most this many messages (with --queue)', positiveInteger('--max'), 100)
    .action((options: ListOptions) =>
      withOperations(io, options, async (operations, out) => {
        if (!options.queue) {
          const queues = await operations.dlqOverview();
          out.result(queues, () => renderQueueOverview(queues));
          const unreadable = queues.filter((q) => q.error !== null);
          if (unreadable.length === queues.length) {
            throw new CliError(`no dead-letter queue of ${operations.where} could be read`, 1);
          }
          if (unreadable.length > 0) out.note(`${unreadable.length} queue(s) could not be read: see ERROR`);
          return;
        }
        const queue = options.queue;
        const messages = await operations.listDlq(queue, { max: options.max });
        out.result(messages, () => {
          if (messages.length === 0) {
            out.note(`the ${queue} queue of ${operations.where} is empty`);
            return '';
          }
          return renderDlq(messages);
        });
      }),
    );

  queueCommand(group, 'show', 'one message in full')
    .argument('<message-id>', 'the id from dlq list')
    .action((messageId: string, options: QueueOptions) =>
      withOperations(io, options, async (operations, out) => {
        const message = await operations.showDlq(options.queue, messageId);
        out.result(message, () => renderDlqMessage(message));
      }),
    );

  queueCommand(group, 'replay', 'send the records back into the pipeline; delete from the queue only what was delivered')
    .option(
      '--fixes <file>',
      'corrected payloads: the output of dlq list --json with some payloads edited, or JSON lines of {"messageId","payload"}',
    )
    .option('--max <n>', 'at most this many messages', positiveInteger('--max'), 1000)
    .addHelpText(
      'after',
      '\nInvalid records and Kinesis batches go back into the stream; analysis records go to the analysis function itself\n(a rewritten price item would reach the stream as MODIFY, which the analysis mapping filters out).',
    )
    .action((options: ReplayOptions) =>
      withOperations(io, options, async (operations, out) => {
        let fixes: Map<string, string> | undefined;
        if (options.fixes) {
          let text: string;
          try {
            text = readFileSync(options.fixes, 'utf8');
          } catch (error) {
            throw new CliError(`cannot read --fixes ${options.fixes} (${(error as Error).message})`, 2);
          }
          fixes = parseFixes(text, options.fixes);
        }
        const result = await operations.replayDlq(options.queue, { max: options.max, ...(fixes ? { fixes } : {}) });
        out.result(result, () => renderReplay(result));
      }),
    );

  queueCommand(group, 'purge', 'delete every message of the queue for good')
    .option('-y, --yes', 'do not ask for confirmation')
    .action((options: PurgeOptions) =>
      withOperations(io, options, async (operations, out) => {
        let confirmed = Boolean(options.yes);
        if (!confirmed && io.stdinIsTTY) {
          confirmed = await io.confirm(
            `Delete every message of the ${options.queue} queue of ${operations.where}? They cannot be replayed afterwards.`,
          );
          if (!confirmed) throw new CliError('not purged (not confirmed)', 1);
        }
        const result = await operations.purgeDlq(options.queue, confirmed);
        out.result(result, () => `purged the ${result.queue} queue: ${result.purged} message(s) deleted (${result.url})`);
      }),
    );
}
