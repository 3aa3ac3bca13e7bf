/**
 * The embedded local runtime's one public surface: start a pipeline, open emulators over a data dir,
 * the data-dir layout and its lock, the local rules and the workflow runner. Code outside src/local
 * imports from here only (an ESLint rule keeps it so); what is not exported is the runtime's own.
 */
export {
  startLocalPipeline,
  LOCAL_FUNCTION,
  type LocalPipeline,
  type LocalPipelineOptions,
  type MappingSettings,
} from './runtime';
export {
  ANALYSIS_HEALTH_FILE,
  SKIPPED_TICKS_FILE,
  DEFAULT_DATA_DIR,
  dataDirLayout,
  ensureDataDir,
  readJsonFile,
  stateFile,
  type DataDirLayout,
} from './data-dir';
export { acquireRuntimeLock, runningPipeline, RuntimeLockedError, type RuntimeInfo } from './runtime-lock';
export { startEmulators, type EmulatedService, type Emulators } from './emulators/emulators';
export { provisionLocalResources, type LocalResources } from './emulators/provision';
export type { PipelineCounters } from './functions/counters';
export type { LogEntry, LogLevel } from './runtime-log';
export { waitUntil } from './schedule/sleeper';
export { runLastResorts } from './last-resort';
export { LOCAL_RULES, maintenanceEveryMs, ruleState, type LocalRule, type RuleName } from './schedule/rules';
export { LocalWorkflowRules, type StoredDailyReport, type WorkflowRulesOptions } from './schedule/workflow-rules';
export { listLocalRuns, readLocalRun, type LocalRun, type LocalRunSummary } from './workflow/history';
export { runWorkflowLocally, type LocalWorkflowEnv } from './workflow/run';
