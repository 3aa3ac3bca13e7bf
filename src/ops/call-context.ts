/**
 * The part of a context that error messages need. The local target reuses the stream readers with
 * a context of its own (the emulators' clients, the local region), so they ask for no more than this.
 */
import { awsCall } from './errors';

export interface CallContext {
  readonly stack: { readonly region: string };
  readonly profile?: string;
}

/** Runs one AWS call; what it throws becomes an OpsError naming `action`, the region and the profile. */
export const call = <T>(ctx: CallContext, action: string, fn: () => Promise<T>): Promise<T> =>
  awsCall({ action, region: ctx.stack.region, ...(ctx.profile ? { profile: ctx.profile } : {}) }, fn);
