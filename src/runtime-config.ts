import type { AppConfig } from './config/index.js';
import type { ResolvedDatabaseConfig } from './shared/database/database.module.js';

/** The validated configuration once the process has resolved what it starts itself (the embedded database). */
export type RuntimeConfig = Omit<AppConfig, 'database'> & { database: ResolvedDatabaseConfig };
