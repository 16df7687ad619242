-- Portal sessions checked inside the data statement (issue 5, docs/security.md "Sessions").
-- A process keeps a session's account, role, commune, grants and proxies in memory and, instead
-- of reading the session again on every request, every statement that reads data for it calls
-- hssk_session_gate: the session row must still be live and at the same generation. Whatever
-- changes what a session may see bumps the generation of that user's sessions, so a logout, a
-- revoked consent or a disabled account takes effect at the very next statement, in every
-- process.
ALTER TABLE user_session ADD COLUMN generation bigint NOT NULL DEFAULT 0;

-- True when the session is unchanged; raises HS401 otherwise (the server reloads the session and
-- runs the request again, once). p_until: when the cached grants next change by time alone (a
-- grant expiring or starting). Evaluated once per statement (a gating qual: no column in it).
CREATE FUNCTION hssk_session_gate(p_token_hash bytea, p_generation bigint, p_until timestamptz, p_idle_seconds integer)
RETURNS boolean LANGUAGE plpgsql STABLE PARALLEL SAFE AS $$
BEGIN
  IF now() < p_until AND EXISTS (
       SELECT 1 FROM user_session
        WHERE token_hash = p_token_hash AND generation = p_generation AND revoked_at IS NULL
          AND expires_at > now() AND last_seen_at > now() - make_interval(secs => p_idle_seconds)) THEN
    RETURN true;
  END IF;
  RAISE EXCEPTION 'portal session changed' USING ERRCODE = 'HS401';
END $$;

CREATE FUNCTION hssk_bump_sessions(p_kind text, p_user_id text) RETURNS void LANGUAGE sql AS $$
  UPDATE user_session SET generation = generation + 1 WHERE user_kind = p_kind AND user_id = p_user_id AND revoked_at IS NULL
$$;

-- A consent or break-glass grant given, revoked, edited or removed: its grantee's sessions.
CREATE FUNCTION hssk_sessions_changed_by_grant() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP <> 'INSERT' THEN PERFORM hssk_bump_sessions('staff', OLD.grantee_user_id); END IF;
  IF TG_OP = 'INSERT' OR (TG_OP = 'UPDATE' AND NEW.grantee_user_id IS DISTINCT FROM OLD.grantee_user_id) THEN
    PERFORM hssk_bump_sessions('staff', NEW.grantee_user_id);
  END IF;
  RETURN NULL;
END $$;
CREATE TRIGGER session_generation_on_grant AFTER INSERT OR UPDATE OR DELETE ON consent_grant
  FOR EACH ROW EXECUTE FUNCTION hssk_sessions_changed_by_grant();

-- A staff account changed (role, facility, commune, disabled, …) or removed.
CREATE FUNCTION hssk_sessions_changed_by_staff_user() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM hssk_bump_sessions('staff', OLD.id);
  RETURN NULL;
END $$;
CREATE TRIGGER session_generation_on_staff_user AFTER UPDATE OR DELETE ON staff_user
  FOR EACH ROW EXECUTE FUNCTION hssk_sessions_changed_by_staff_user();

-- A resident account changed (status, its Patient) or removed.
CREATE FUNCTION hssk_sessions_changed_by_resident_account() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM hssk_bump_sessions('resident', OLD.id);
  RETURN NULL;
END $$;
CREATE TRIGGER session_generation_on_resident_account AFTER UPDATE OR DELETE ON resident_account
  FOR EACH ROW EXECUTE FUNCTION hssk_sessions_changed_by_resident_account();

-- A parent gains or loses a child to act for: the parent's account's sessions.
CREATE FUNCTION hssk_sessions_changed_by_proxy() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  parent text := CASE WHEN TG_OP = 'DELETE' THEN OLD.parent_patient_id ELSE NEW.parent_patient_id END;
BEGIN
  UPDATE user_session s SET generation = s.generation + 1
    FROM resident_account a
   WHERE a.patient_id IN (parent, CASE WHEN TG_OP = 'UPDATE' THEN OLD.parent_patient_id END)
     AND s.user_kind = 'resident' AND s.user_id = a.id AND s.revoked_at IS NULL;
  RETURN NULL;
END $$;
CREATE TRIGGER session_generation_on_proxy AFTER INSERT OR UPDATE OR DELETE ON patient_proxy
  FOR EACH ROW EXECUTE FUNCTION hssk_sessions_changed_by_proxy();
