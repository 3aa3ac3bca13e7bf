/**
 * Imported first by the CLI, the benchmarks and the emulators' worker thread, before anything that loads
 * Powertools or the AWS SDK.
 *
 * - The handlers' Powertools Logger and Metrics write JSON to stdout, which is the CLI's data channel
 *   (`--json` output must stay one clean document): locally they are silenced, and the local runtime
 *   logs what matters to `<data-dir>/logs/` itself. Set POWERTOOLS_LOG_LEVEL to see them anyway.
 * - Two warnings that say nothing to a user of the CLI are dropped: the AWS SDK's notice that future
 *   releases need Node 22 (the tooling supports Node 20 on purpose) and a deprecation inside sqslite.
 *   Every other warning is printed as Node would.
 */
process.env.POWERTOOLS_LOG_LEVEL ??= 'SILENT';
process.env.POWERTOOLS_METRICS_DISABLED ??= 'true';
process.env.POWERTOOLS_TRACE_ENABLED ??= 'false';

const IGNORED_WARNINGS = [/NodeVersionSupportWarning/, /fastify-formbody has been deprecated/];

process.removeAllListeners('warning');
process.on('warning', (warning: Error) => {
  const text = `${warning.name}: ${warning.message}`;
  if (IGNORED_WARNINGS.some((pattern) => pattern.test(text))) return;
  process.stderr.write(`(node) ${text}\n`);
});

export {};
