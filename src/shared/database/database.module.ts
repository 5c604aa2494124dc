import { Global, Inject, Injectable, Logger, Module, OnModuleInit, type DynamicModule } from '@nestjs/common';
import { MikroORM } from '@mikro-orm/core';
import { MikroOrmModule } from '@mikro-orm/nestjs';
import type { DatabaseConfig } from '../../config/index.js';
import { ReadinessRegistry } from '../health/readiness.registry.js';
import { DatabaseNotifications } from './database-notifications.js';
import { assertApplicationRole, explainRoleSwitchFailure } from './application-role.js';
import { pendingMigrations, runMigrations } from './migration-runner.js';
import { ormOptions } from './orm-options.js';

export const DATABASE_CONFIG = Symbol('DATABASE_CONFIG');

/** A database config whose URL is known: a server's, or the embedded database's. */
export type ResolvedDatabaseConfig = DatabaseConfig & { url: string };

@Injectable()
class DatabaseLifecycle implements OnModuleInit {
  private readonly logger = new Logger('Database');

  constructor(
    private readonly orm: MikroORM,
    @Inject(DATABASE_CONFIG) private readonly config: ResolvedDatabaseConfig,
    private readonly readiness: ReadinessRegistry,
  ) {}

  async onModuleInit(): Promise<void> {
    // Migrations first: on a fresh server they create the role the application's statements run as.
    if (this.config.migrateOnStart) {
      const applied = await runMigrations(this.config.migrationUrl ?? this.config.url);
      if (applied.length > 0) this.logger.log({ applied }, `applied ${applied.length} migration(s)`);
    }
    await this.orm.connect().catch((error: unknown) => {
      throw explainRoleSwitchFailure(error);
    });
    await assertApplicationRole(this.orm.em.getConnection());
    this.readiness.register('database', async () => {
      const connection = await this.orm.checkConnection();
      if (!connection.ok) return { up: false, data: { message: connection.reason } };
      const pending = await pendingMigrations(this.orm);
      return pending.length === 0
        ? { up: true }
        : { up: false, data: { message: 'migrations pending', pending } };
    });
  }
}

@Global()
@Module({})
export class DatabaseModule {
  static forRoot(config: ResolvedDatabaseConfig): DynamicModule {
    return {
      module: DatabaseModule,
      imports: [
        MikroOrmModule.forRoot({
          ...ormOptions(config.url, config.poolSize, 'application'),
          autoLoadEntities: true,
          registerRequestContext: true,
        }),
      ],
      providers: [
        { provide: DATABASE_CONFIG, useValue: config },
        DatabaseLifecycle,
        { provide: DatabaseNotifications, useFactory: () => new DatabaseNotifications(config.url) },
      ],
      exports: [DATABASE_CONFIG, DatabaseNotifications],
    };
  }
}
