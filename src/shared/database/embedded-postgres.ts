import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { PGLiteSocketServer } from '@electric-sql/pglite-socket';

export interface EmbeddedPostgres {
  /** A PostgreSQL URL that any client (the ORM, psql) can use. */
  url: string;
  /** Absolute folder of the data files; undefined when the database lives in memory. */
  dataDir?: string;
  stop(): Promise<void>;
}

/**
 * Real PostgreSQL compiled to WebAssembly, served on a local TCP port, so the application keeps one code
 * path whether it talks to a server or to this. Single-writer: for laptops, demos and tests, not production.
 */
export async function startEmbeddedPostgres(options: {
  /** Folder for the data files; omit to keep the database in memory. */
  dataDir?: string;
  port?: number;
  maxConnections?: number;
}): Promise<EmbeddedPostgres> {
  const dataDir = options.dataDir ? resolve(options.dataDir) : undefined;
  if (dataDir) mkdirSync(dataDir, { recursive: true });
  const db = dataDir ? new PGlite(dataDir) : new PGlite();
  await db.waitReady;
  const server = new PGLiteSocketServer({
    db,
    host: '127.0.0.1',
    port: options.port ?? 0,
    maxConnections: options.maxConnections ?? 32,
  });
  await server.start();
  const [host, port] = server.getServerConn().split(':');
  return {
    url: `postgres://postgres:postgres@${host}:${port}/postgres`,
    dataDir,
    async stop() {
      await server.stop();
      await db.close();
    },
  };
}
