import type { AppConfig } from './config/index.js';
import type { ResolvedDatabaseConfig } from './shared/database/database.module.js';

/** What a person at the console may see of the in-process sandbox (sandbox mode only). */
export interface SandboxSummary {
  /** The sandbox's dashboards page (`/__sandbox/`). */
  dashboardUrl: string;
  /** The emulated Vapi organization's assistants, as they stand. */
  assistants(): { id: string; name: string }[];
}

/**
 * The validated configuration once the process has resolved what it starts itself (the embedded database, the
 * sandbox).
 */
export type RuntimeConfig = Omit<AppConfig, 'database'> & {
  database: ResolvedDatabaseConfig;
  sandbox?: SandboxSummary;
};
