/** What every AWS operation gets: the clients, the discovered stack, a clock and a sleeper (tests replace both). */
import { awsCall } from '../errors';
import type { OpsClients } from './clients';
import type { StackInfo } from './stack';

export interface AwsContext {
  readonly clients: OpsClients;
  readonly stack: StackInfo;
  readonly profile?: string;
  readonly now: () => Date;
  readonly sleep: (ms: number) => Promise<void>;
}

/**
 * The part of a context that error messages need. The local target reuses the stream readers with
 * a context of its own (the emulators' clients, the local region), so they ask for no more than this.
 */
export interface CallContext {
  readonly stack: { readonly region: string };
  readonly profile?: string;
}

/** Runs one AWS call; what it throws becomes an OpsError naming `action`, the region and the profile. */
export const call = <T>(ctx: CallContext, action: string, fn: () => Promise<T>): Promise<T> =>
  awsCall({ action, region: ctx.stack.region, ...(ctx.profile ? { profile: ctx.profile } : {}) }, fn);
