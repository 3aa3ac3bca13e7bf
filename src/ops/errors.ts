/**
 * Errors of the operating commands: every one carries the exit code the CLI ends with and a message
 * that says what to do next. AWS SDK errors are mapped here, in one place, so that every command
 * reports AccessDenied, a missing resource, throttling or expired credentials the same way.
 */

import { StockpipeError, type ExitCode } from '../core/errors';

export type { ExitCode };

export type OpsErrorKind =
  'usage' | 'not-found' | 'access-denied' | 'throttled' | 'credentials' | 'region' | 'conflict' | 'failed';

/** An operating command's failure; `kind` says what went wrong, and usage errors end with exit code 2. */
export class OpsError extends StockpipeError {
  override readonly name: string = 'OpsError';

  constructor(
    readonly kind: OpsErrorKind,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, { ...options, exitCode: kind === 'usage' ? 2 : 1 });
  }
}

/** Bad input from the user: exit code 2. */
export class UsageError extends OpsError {
  override readonly name = 'UsageError';

  constructor(message: string) {
    super('usage', message);
  }
}

/** The shape of an AWS SDK v3 service or client error, as far as the mapping needs it. */
interface SdkErrorLike {
  readonly name?: string;
  readonly message?: string;
  readonly Code?: string;
  readonly $metadata?: { readonly httpStatusCode?: number };
}

const ACCESS_DENIED = new Set([
  'AccessDenied',
  'AccessDeniedException',
  'UnauthorizedOperation',
  'AuthorizationError',
  'KMSAccessDeniedException',
]);
const THROTTLED = new Set([
  'Throttling',
  'ThrottlingException',
  'ThrottledException',
  'TooManyRequestsException',
  'RequestLimitExceeded',
  'ProvisionedThroughputExceededException',
  'RequestThrottled',
  'RequestThrottledException',
  'SlowDown',
  'LimitExceededException',
]);
const EXPIRED = new Set(['ExpiredToken', 'ExpiredTokenException', 'RequestExpired', 'TokenRefreshRequired']);
const BAD_CREDENTIALS = new Set([
  'InvalidClientTokenId',
  'UnrecognizedClientException',
  'InvalidSignatureException',
  'SignatureDoesNotMatch',
  'InvalidAccessKeyId',
]);
const NOT_FOUND = new Set([
  'ResourceNotFoundException',
  'ResourceNotFound',
  'NoSuchKey',
  'NoSuchBucket',
  'NotFound',
  'NotFoundException',
  'ExecutionDoesNotExist',
  'StateMachineDoesNotExist',
  'AWS.SimpleQueueService.NonExistentQueue',
  'QueueDoesNotExist',
  'TrimmedDataAccessException',
]);

export interface ErrorContext {
  /** What was being done, e.g. "disable rule stockpipe-ingest-schedule". */
  readonly action: string;
  /** The profile in use, if any, to name in credential errors. */
  readonly profile?: string;
  readonly region?: string;
}

const errorName = (e: SdkErrorLike): string => e.name ?? e.Code ?? 'Error';

const credentialsHint = (ctx: ErrorContext): string =>
  ctx.profile
    ? `refresh the credentials of profile ${ctx.profile} (for SSO: aws sso login --profile ${ctx.profile})`
    : 'refresh your AWS credentials (for SSO: aws sso login), or pass --profile';

/**
 * Turns any error thrown while talking to AWS into an OpsError with a message that names the action
 * and the next step. OpsErrors pass through unchanged.
 */
export function mapAwsError(error: unknown, ctx: ErrorContext): OpsError {
  if (error instanceof OpsError) return error;
  const e = (error ?? {}) as SdkErrorLike;
  const name = errorName(e);
  const detail = e.message ? `: ${e.message}` : '';
  const where = ctx.region ? ` in region ${ctx.region}` : '';
  if (ACCESS_DENIED.has(name) || e.$metadata?.httpStatusCode === 403) {
    if (EXPIRED.has(name) || BAD_CREDENTIALS.has(name)) return mapCredentials(name, detail, ctx, error);
    return new OpsError(
      'access-denied',
      `access denied to ${ctx.action}${where} (${name}${detail}); use credentials allowed to do this (--profile) or ask for the permission`,
      { cause: error },
    );
  }
  if (EXPIRED.has(name) || BAD_CREDENTIALS.has(name)) return mapCredentials(name, detail, ctx, error);
  if (name === 'CredentialsProviderError' || /could not load credentials/i.test(e.message ?? '')) {
    return new OpsError('credentials', `no AWS credentials found to ${ctx.action}; ${credentialsHint(ctx)}`, { cause: error });
  }
  if (/region is missing/i.test(e.message ?? '')) {
    return new OpsError('region', `no AWS region set to ${ctx.action}; pass --region or set AWS_REGION`, { cause: error });
  }
  if (THROTTLED.has(name)) {
    return new OpsError(
      'throttled',
      `AWS throttled the request to ${ctx.action}${where} (${name}); wait a minute and run the command again`,
      {
        cause: error,
      },
    );
  }
  if (NOT_FOUND.has(name) || e.$metadata?.httpStatusCode === 404) {
    return new OpsError(
      'not-found',
      `${ctx.action}${where} failed: not found (${name}${detail}); is the stack deployed and up to date?`,
      {
        cause: error,
      },
    );
  }
  return new OpsError('failed', `${ctx.action}${where} failed (${name}${detail})`, { cause: error });
}

function mapCredentials(name: string, detail: string, ctx: ErrorContext, cause: unknown): OpsError {
  const what = EXPIRED.has(name) ? 'your AWS credentials have expired' : 'AWS does not accept your credentials';
  return new OpsError('credentials', `${what} (${name}${detail}) while trying to ${ctx.action}; ${credentialsHint(ctx)}`, {
    cause,
  });
}

/** Runs an AWS call and maps what it throws. */
export async function awsCall<T>(ctx: ErrorContext, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    throw mapAwsError(error, ctx);
  }
}
