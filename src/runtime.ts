import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import type { AppConfig } from './config/index.js';
import type { RuntimeConfig } from './runtime-config.js';
import type { SandboxHandle } from './sandbox/index.js';
import type { EmbeddedPostgres } from './shared/database/embedded-postgres.js';
import { readInstallationId } from './shared/database/installation.js';

export interface RuntimeOptions {
  /** A database to use instead of `config.database.url` (tests give each file its own). */
  databaseUrl?: string;
  /** Progress lines for people (never secrets); silent when absent. */
  log?: (line: string) => void;
  /**
   * Whether the in-process sandbox keeps its state with the service's data (`npm start`), rather than in memory
   * (tests). See `openSandboxState`.
   */
  persistentSandbox?: boolean;
}

export interface Runtime {
  config: RuntimeConfig;
  /** The in-process emulators, in sandbox mode. */
  sandbox?: SandboxHandle;
  embeddedDatabase?: EmbeddedPostgres;
  /**
   * With `persistentSandbox`, loads the in-process sandbox's state, which it keeps in
   * `DATA_DIR/sandbox/<the database's installation id>` (written by the migrations: call this once they ran).
   * The emulators hold every request until then, so that nothing (the outbox relay resuming a purchase) sees them
   * empty. A database dropped and created again has a new installation id, hence a sandbox of its own, seeded
   * afresh; the embedded database lives in `DATA_DIR` itself, so its sandbox goes with it.
   */
  openSandboxState(): Promise<void>;
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
      // Loaded only when used, as the sandbox below: a deployment (a database server, live providers) never
      // loads PGlite or the emulators, which would otherwise stay in its heap.
      const { startEmbeddedPostgres } = await import('./shared/database/embedded-postgres.js');
      embedded = await startEmbeddedPostgres({ dataDir: config.database.dataDir });
      log(
        `Embedded PostgreSQL: DATABASE_URL is not set, so the service runs on its own database` +
          ` in ${embedded.dataDir} (served at ${embedded.url}). ` +
          `Set DATABASE_URL to use a PostgreSQL server.`,
      );
    }

    let providers = config.providers;
    const sandboxDir = join(resolve(config.database.dataDir), 'sandbox');
    if (providers.mode === 'sandbox' && options.persistentSandbox && providers.vapi.webhookSecretGenerated) {
      // Vapi keeps the secret in each number's server headers: a new one at every start would lock out every
      // number registered before (the sandbox remembers them). Generated once, then kept with the data.
      const webhookSecret = keptSecret(join(sandboxDir, 'webhook-secret'), providers.vapi.webhookSecret);
      providers = { ...providers, vapi: { ...providers.vapi, webhookSecret } };
    }
    if (providers.mode === 'sandbox') {
      const { describeSandbox, sandboxOptionsFrom, startSandbox } = await import('./sandbox/index.js');
      sandbox = await startSandbox({
        ...sandboxOptionsFrom(providers.sandbox),
        holdUntilStateOpened: options.persistentSandbox === true,
      });
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

    const database = { ...config.database, url: databaseUrl ?? embedded!.url };
    const handle = sandbox;
    const summary = handle && {
      dashboardUrl: `${handle.controlUrl}/`,
      assistants: () => handle.assistants().map(({ id, name }) => ({ id, name })),
    };
    return {
      config: { ...config, providers, database, ...(summary && { sandbox: summary }) },
      sandbox,
      embeddedDatabase: embedded,
      async openSandboxState() {
        if (!sandbox || !options.persistentSandbox) return;
        const dir = join(sandboxDir, await readInstallationId(database.url));
        sandbox.keepStateIn(dir);
        log(`Sandbox state: ${dir} (kept with this database; POST ${sandbox.controlUrl}/reset empties it)`);
      },
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}

/** The secret saved in `file`, or `generated`, saved there (readable by this user only) for the next start. */
function keptSecret(file: string, generated: string): string {
  if (existsSync(file)) return readFileSync(file, 'utf8').trim();
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, generated, { mode: 0o600 });
  chmodSync(file, 0o600);
  return generated;
}
