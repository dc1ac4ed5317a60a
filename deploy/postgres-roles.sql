-- The roles of the API's database. docker-compose.yml mounts this into the postgres image's
-- /docker-entrypoint-initdb.d, which runs it once, on the first start of an empty volume, with
-- psql as POSTGRES_USER in POSTGRES_DB; psql's \getenv reads the passwords from the
-- container's environment. tests/test_docker.py runs it on a fresh database.
--
--   articles_owner  owns the database and every table: `python -m app migrate` and `seed`.
--   api_reader      may connect and SELECT, nothing else: `python -m app serve`.
\set ON_ERROR_STOP on
\getenv owner_password OWNER_PASSWORD
\getenv reader_password API_READER_PASSWORD
SELECT current_database() AS db \gset

CREATE ROLE articles_owner LOGIN PASSWORD :'owner_password';
CREATE ROLE api_reader LOGIN PASSWORD :'reader_password';

-- Schema public belongs to pg_database_owner (PostgreSQL 15+): the database's owner may create
-- tables in it, others may not.
ALTER DATABASE :"db" OWNER TO articles_owner;
REVOKE ALL ON DATABASE :"db" FROM PUBLIC;
GRANT CONNECT ON DATABASE :"db" TO articles_owner, api_reader;
GRANT USAGE ON SCHEMA public TO api_reader;
GRANT SELECT ON ALL TABLES IN SCHEMA public TO api_reader;
-- And the tables the owner's migrations create later.
ALTER DEFAULT PRIVILEGES FOR ROLE articles_owner IN SCHEMA public
    GRANT SELECT ON TABLES TO api_reader;
