/** Starts the dashboard on a target: the data dir (local) or the deployed stack (aws). */
import type { DataDirLayout } from '../local';
import { AwsDashboardData, type AwsDashboardOptions } from './aws-data';
import type { DashboardData } from './data';
import { LocalDashboardData, type LocalDashboardOptions } from './local-data';
import { startDashboardServer, type DashboardServer } from './server';

export type DashboardTarget =
  | { readonly target: 'local'; readonly layout: DataDirLayout; readonly options?: LocalDashboardOptions }
  | { readonly target: 'aws'; readonly options: AwsDashboardOptions };

export async function openDashboardData(target: DashboardTarget): Promise<DashboardData> {
  return target.target === 'local'
    ? new LocalDashboardData(target.layout, target.options ?? {})
    : AwsDashboardData.open(target.options);
}

export async function startDashboard(
  target: DashboardTarget,
  server: { port?: number; pollMs?: number } = {},
): Promise<DashboardServer & { readonly data: DashboardData }> {
  const data = await openDashboardData(target);
  try {
    const started = await startDashboardServer({ data, ...server });
    return { ...started, data };
  } catch (error) {
    await data.close();
    throw error;
  }
}

export { DEFAULT_DASHBOARD_PORT, DashboardError, type DashboardServer } from './server';
