/** What every AWS operation gets: the clients, the discovered stack, a clock and a sleeper (tests replace both). */
import type { OpsClients } from './clients';
import type { StackInfo } from './stack';

export interface AwsContext {
  readonly clients: OpsClients;
  readonly stack: StackInfo;
  readonly profile?: string;
  readonly now: () => Date;
  readonly sleep: (ms: number) => Promise<void>;
}

export { call, type CallContext } from '../call-context';
