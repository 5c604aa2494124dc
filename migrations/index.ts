import type { MigrationObject } from '@mikro-orm/core';
import { Migration20261124100000CreateTenant } from './Migration20261124100000CreateTenant.js';

/** Every migration, in order. A new migration is added here as well as to this folder. */
export const migrationsList: MigrationObject[] = [
  { name: 'Migration20261124100000CreateTenant', class: Migration20261124100000CreateTenant },
];
