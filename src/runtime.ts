import type { AppConfig } from './config/index.js';
import type { RuntimeConfig } from './runtime-config.js';
import { describeSandbox, sandboxOptionsFrom, startSandbox, type SandboxHandle } from './sandbox/index.js';
import { startEmbeddedPostgres, type EmbeddedPostgres } from './shared/database/embedded-postgres.js';

export interface RuntimeOptions {
  /** A database to use instead of `config.database.url` (tests give each file its own). */
  databaseUrl?: string;
  /** Progress lines for people (never secrets); silent when absent. */
  log?: (line: string) => void;
}

export interface Runtime {
  config: RuntimeConfig;
  /** The in-process emulators, in sandbox mode. */
  sandbox?: SandboxHandle;
  embeddedDatabase?: EmbeddedPostgres;
  stop(): Promise<void>;
}

/**
 * Starts what the process provides itself before the application: the embedded PostgreSQL when no database
 * URL is given, and in sandbox mode the Twilio and Vapi emulators, whose base URLs, credentials, trunk and
 * BYO credential then fill the providers' configuration. The adapters cannot tell the difference.
 */
export async function startRuntime(config: AppConfig, options: RuntimeOptions = {}): Promise<Runtime> {
  const log = options.log ?? (() => undefined);
  let embedded: EmbeddedPostgres | undefined;
  let sandbox: SandboxHandle | undefined;
  const stop = async () => {
    await sandbox?.stop();
    await embedded?.stop();
  };
  try {
    const databaseUrl = options.databaseUrl ?? config.database.url;
    if (!databaseUrl) {
      embedded = await startEmbeddedPostgres({ dataDir: config.database.dataDir });
      log(
        `Embedded PostgreSQL: DATABASE_URL is not set, so the service runs on its own database` +
          ` in ${embedded.dataDir} (served at ${embedded.url}). ` +
          `Set DATABASE_URL to use a PostgreSQL server.`,
      );
    }

    let providers = config.providers;
    if (providers.mode === 'sandbox') {
      sandbox = await startSandbox(sandboxOptionsFrom(providers.sandbox));
      providers = {
        ...providers,
        twilio: {
          ...providers.twilio,
          accountSid: sandbox.twilioAccountSid,
          authToken: sandbox.twilioAuthToken,
          apiBaseUrl: sandbox.twilioBaseUrl,
          sipTrunkSid: sandbox.trunkSid,
        },
        vapi: {
          ...providers.vapi,
          apiKey: sandbox.vapiApiKey,
          baseUrl: sandbox.vapiBaseUrl,
          byoCredentialId: sandbox.byoCredentialId,
        },
      };
      log(describeSandbox(sandbox));
    }

    return {
      config: { ...config, providers, database: { ...config.database, url: databaseUrl ?? embedded!.url } },
      sandbox,
      embeddedDatabase: embedded,
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}
