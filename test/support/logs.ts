import { Writable } from 'node:stream';
import { PARAMS_PROVIDER_TOKEN } from 'nestjs-pino';
import { loggerParams } from '../../src/shared/logging/logging.js';

/**
 * The service's log lines, as it writes them (same redaction, same serializers), captured in memory: pass
 * `override` to `createTestApp({ overrides: [...] })` and read `lines`.
 */
export function captureLogs(level: string) {
  const lines: string[] = [];
  const sink = new Writable({
    write(chunk, _encoding, done) {
      lines.push(String(chunk));
      done();
    },
  });
  const params = loggerParams(level, false);
  return {
    lines,
    override: { provide: PARAMS_PROVIDER_TOKEN, useValue: { ...params, pinoHttp: [params.pinoHttp, sink] } },
  };
}
