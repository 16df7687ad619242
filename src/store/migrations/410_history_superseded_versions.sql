-- resource_history keeps the versions that were replaced; the current version of a resource is
-- stored once, in `resource` (the history readers of src/store/repository.ts add it). Writing
-- every new version twice was a fifth of the XML ingest's PostgreSQL CPU (issue 4).
--
-- resource.method: how the current version was written (create, update, patch, delete); the
-- writer moves it into resource_history with the version when a newer one replaces it.
-- Rows written before this migration keep their current version in resource_history as well:
-- they have no method, which tells the readers to take that version from resource_history only.
-- Nothing is rewritten or deleted here, so the migration is instant and loses nothing.
ALTER TABLE resource ADD COLUMN method text;

-- System-level _history reads the current versions in last_updated order, as it reads
-- resource_history (the type level has resource_type_updated).
CREATE INDEX resource_updated ON resource (last_updated);
