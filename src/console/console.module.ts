import { Module, type DynamicModule } from '@nestjs/common';
import { CONSOLE_OPTIONS, ConsoleController, type ConsoleOptions } from './console.controller.js';

/** The browser console at `/console`: imported only when `CONSOLE_ENABLED` (off by default in production). */
@Module({})
export class ConsoleModule {
  static forRoot(options: ConsoleOptions): DynamicModule {
    return {
      module: ConsoleModule,
      controllers: [ConsoleController],
      providers: [{ provide: CONSOLE_OPTIONS, useValue: options }],
    };
  }
}
