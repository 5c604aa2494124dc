#!/bin/sh
# Run once by the postgres image on an empty data directory (/docker-entrypoint-initdb.d).
# The roles of the service (see the README's "Database roles"):
#   numbers_owner  owns the schema and runs the migrations (MIGRATION_DATABASE_URL); no superuser.
#   numbers_app    what the application's statements run as (DATABASE_URL): no superuser, NOBYPASSRLS, owns
#                  nothing, so row-level security applies to it.
set -eu
psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname "$POSTGRES_DB" \
  -v dbname="$POSTGRES_DB" -v owner_password="$NUMBERS_OWNER_PASSWORD" -v app_password="$NUMBERS_APP_PASSWORD" <<'SQL'
create role numbers_owner login password :'owner_password' nosuperuser nocreatedb nocreaterole nobypassrls;
create role numbers_app login password :'app_password' nosuperuser nocreatedb nocreaterole nobypassrls;
-- The owner switches to the application role where one URL serves both, and grants it access to its tables.
grant numbers_app to numbers_owner;
alter database :"dbname" owner to numbers_owner;
alter schema public owner to numbers_owner;
SQL
