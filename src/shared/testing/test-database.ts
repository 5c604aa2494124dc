import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { startEmbeddedPostgres } from '../database/embedded-postgres.js';

export interface TestDatabase {
  url: string;
  /** Which kind of database this test file got: a fresh database on a server, or an in-memory embedded one. */
  kind: 'server' | 'embedded';
  drop(): Promise<void>;
}

/**
 * A database of its own for one test file, so that files run in parallel without seeing each other:
 * a fresh database on the server at `DATABASE_URL` when it is set, else an in-memory embedded PostgreSQL.
 */
export async function createTestDatabase(): Promise<TestDatabase> {
  const serverUrl = process.env.DATABASE_URL?.trim();
  if (!serverUrl) {
    const embedded = await startEmbeddedPostgres({});
    return { url: embedded.url, kind: 'embedded', drop: () => embedded.stop() };
  }
  const name = `test_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: serverUrl });
  await admin.connect();
  try {
    await admin.query(`create database ${name}`);
  } finally {
    await admin.end();
  }
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    kind: 'server',
    async drop() {
      const client = new pg.Client({ connectionString: serverUrl });
      await client.connect();
      try {
        await client.query(`drop database if exists ${name} with (force)`);
      } finally {
        await client.end();
      }
    },
  };
}
