import { defineConfig } from '@mikro-orm/postgresql';
import { ReflectMetadataProvider } from '@mikro-orm/decorators/legacy';
import { Migrator } from '@mikro-orm/migrations';
import { migrationsList } from '../../../migrations/index.js';
import { AppRoleClient, OwnerClient } from './app-role-client.js';

/**
 * The ORM options for a database URL; entities are registered by each module with `forFeature`.
 * `application`: every statement runs as the role `numbers_app` (see `AppRoleClient`); `owner`: as the URL's
 * user, for migrations only.
 */
export function ormOptions(url: string, poolSize: number, runAs: 'application' | 'owner') {
  return defineConfig({
    clientUrl: url,
    metadataProvider: ReflectMetadataProvider,
    extensions: [Migrator],
    discovery: { warnWhenNoEntities: false },
    migrations: { migrationsList, transactional: true, allOrNothing: true, silent: true, snapshot: false },
    pool: { min: 0, max: poolSize, idleTimeoutMillis: 30_000 },
    driverOptions: {
      connectionTimeoutMillis: 5_000,
      Client: runAs === 'application' ? AppRoleClient : OwnerClient,
    },
    allowGlobalContext: false,
    debug: false,
  });
}
