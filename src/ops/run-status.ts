/** A run status as the user writes it (`--status failed`), for both targets. */
import { UsageError } from './errors';
import { RUN_STATUSES, type RunStatus } from './names';

export const parseRunStatus = (value: string): RunStatus => {
  const upper = value.trim().toUpperCase().replace(/-/g, '_');
  if ((RUN_STATUSES as readonly string[]).includes(upper)) return upper as RunStatus;
  throw new UsageError(`--status ${JSON.stringify(value)} is not a run status; use one of ${RUN_STATUSES.join(', ')}`);
};
