-- The in-statement check of a cached portal session (migration 421) tests only what another
-- process can change: the session row's generation and its revocation. The limits that move by
-- time alone — the session's expiry, its idle deadline, a cached grant starting or ending — are
-- checked by the process that serves the session from memory (src/auth/session-cache.ts,
-- SessionGate.validUntil), from durations read with the session; no process can bring them
-- closer (last_seen_at only moves forward, expires_at never changes, a grant's change bumps
-- the generation). Two parameters and no time arithmetic in every statement of a portal read.
-- The four-argument form stays for processes of the previous version during an upgrade.
CREATE FUNCTION hssk_session_gate(p_token_hash bytea, p_generation bigint)
RETURNS boolean LANGUAGE plpgsql STABLE PARALLEL SAFE AS $$
BEGIN
  IF EXISTS (SELECT 1 FROM user_session WHERE token_hash = p_token_hash AND generation = p_generation AND revoked_at IS NULL) THEN
    RETURN true;
  END IF;
  RAISE EXCEPTION 'portal session changed' USING ERRCODE = 'HS401';
END $$;
