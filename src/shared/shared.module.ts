import { Global, Module } from '@nestjs/common';
import { ReadinessRegistry } from './health/readiness.registry.js';

/** The kernel's providers that every module may use. */
@Global()
@Module({
  providers: [ReadinessRegistry],
  exports: [ReadinessRegistry],
})
export class SharedModule {}
