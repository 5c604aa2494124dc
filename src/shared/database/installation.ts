import pg from 'pg';

/**
 * This database's installation id: a random UUID that the migrations write once (table `installation`). State
 * kept outside the database on its behalf is keyed by it: a database dropped and created again has a new one.
 */
export async function readInstallationId(url: string): Promise<string> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const { rows } = await client
      .query<{ id: string }>('select id from installation')
      .catch((error: unknown) => {
        if ((error as { code?: string }).code !== '42P01') throw error; // undefined_table
        throw new Error('the database has no installation id yet: apply the migrations (npm run migrate)');
      });
    if (!rows[0]) throw new Error('the database has lost its installation id (table installation is empty)');
    return rows[0].id;
  } finally {
    await client.end();
  }
}
