import type { Connection } from '@mikro-orm/core';
import { APP_ROLE } from './app-role-client.js';

interface RoleRow {
  role: string;
  superuser: boolean;
  bypass_rls: boolean;
  owned_tables: number;
}

/** What the role the application's statements run as is (read through the application's own connection). */
export async function applicationRole(connection: Connection): Promise<RoleRow> {
  const [row] = await connection.execute<RoleRow[]>(
    `select current_user as role, r.rolsuper as superuser, r.rolbypassrls as bypass_rls,
            (select count(*)::int from pg_class c
              where c.relowner = r.oid and c.relnamespace = current_schema()::regnamespace) as owned_tables
       from pg_roles r where r.rolname = current_user`,
  );
  return row;
}

/**
 * Stops the boot unless the application's statements run as `numbers_app`, a role that is no superuser, cannot
 * bypass row-level security and owns no table of the schema: otherwise the policies would not apply to it.
 */
export async function assertApplicationRole(connection: Connection): Promise<void> {
  let row: RoleRow;
  try {
    row = await applicationRole(connection);
  } catch (error) {
    throw explainRoleSwitchFailure(error);
  }
  const problems = [
    ...(row.role === APP_ROLE ? [] : [`runs as ${row.role}`]),
    ...(row.superuser ? ['is a superuser'] : []),
    ...(row.bypass_rls ? ['has BYPASSRLS'] : []),
    ...(row.owned_tables > 0 ? [`owns ${row.owned_tables} table(s)`] : []),
  ];
  if (problems.length > 0) {
    throw new Error(
      `Row-level security would not apply to the application's role: it ${problems.join(', ')}. ` +
        `${APP_ROLE} must be NOSUPERUSER NOBYPASSRLS and own no table (the owner runs the migrations).`,
    );
  }
}

/**
 * What to tell an operator when the application's first statement fails: the switch to `numbers_app` (every
 * statement's first) failing means the URL's user may not take that role, or the role does not exist yet.
 */
export function explainRoleSwitchFailure(error: unknown): unknown {
  const message = error instanceof Error ? error.message : String(error);
  if (!/set role|role "numbers_app" does not exist/i.test(message)) return error;
  return new Error(
    `The application's statements must run as the role ${APP_ROLE}, and switching to it failed (${message}). ` +
      `The migrations create it; the user of DATABASE_URL must be ${APP_ROLE} or a member of it ` +
      `(GRANT ${APP_ROLE} TO <that user>).`,
    { cause: error },
  );
}
