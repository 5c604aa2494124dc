import type { EnvReader } from './env-reader.js';

export abstract class NatsConfig {
  /** The NATS server; when unset, events are not published to JetStream. */
  abstract url: string | null;
  /** The JetStream stream the events go to; created when missing. */
  abstract stream: string;
  /** The first token of every subject: `<prefix>.<module>.<event-type>`. */
  abstract subjectPrefix: string;
  /** How long JetStream remembers a message id to drop a second publication of the same event. */
  abstract duplicateWindowSeconds: number;
}

export function readNatsConfig(env: EnvReader): NatsConfig {
  return {
    url: env.url('NATS_URL', { protocols: ['nats:', 'tls:'] }) ?? null,
    stream:
      env.matching('NATS_STREAM', /^[A-Za-z0-9_-]{1,64}$/, 'a stream name (letters, digits, _ or -)') ??
      'AFTERHOURFIX',
    subjectPrefix:
      env.matching(
        'NATS_SUBJECT_PREFIX',
        /^[A-Za-z0-9_-]{1,64}$/,
        'one subject token (letters, digits, _ or -)',
      ) ?? 'afterhourfix',
    duplicateWindowSeconds: env.integer('NATS_DUPLICATE_WINDOW_SECONDS', 86_400, { min: 1, max: 604_800 }),
  };
}
