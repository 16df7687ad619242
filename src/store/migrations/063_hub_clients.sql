-- Hub mode (docs/sync.md): the province each pushing client speaks for. A bound client may only
-- write records keyed by its own province's source identifier.
CREATE TABLE hub_province_client (
  client_id text PRIMARY KEY,
  province  text NOT NULL CHECK (province ~ '^[0-9]{2}$')
);
