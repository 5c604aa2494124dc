import { Global, Module, type DynamicModule, type Type } from '@nestjs/common';
import { ReadinessRegistry } from './health/readiness.registry.js';
import { PassThroughTenantScopeRunner, TenantScopeRunner } from './tenant-scope/tenant-scope.runner.js';
import { Clock, SystemClock } from './time/clock.js';

export interface SharedModuleOptions {
  /** Replaces the pass-through tenant scope; its dependencies must be global providers. */
  tenantScopeRunner?: Type<TenantScopeRunner>;
}

/** The kernel's providers that every module may use. */
@Global()
@Module({})
export class SharedModule {
  static forRoot(options: SharedModuleOptions = {}): DynamicModule {
    return {
      module: SharedModule,
      providers: [
        ReadinessRegistry,
        { provide: Clock, useClass: SystemClock },
        { provide: TenantScopeRunner, useClass: options.tenantScopeRunner ?? PassThroughTenantScopeRunner },
      ],
      exports: [ReadinessRegistry, Clock, TenantScopeRunner],
    };
  }
}
