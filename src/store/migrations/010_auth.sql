-- Accounts and credentials (issue 5): staff users, resident accounts, proxies, sessions,
-- OAuth2 clients, token signing keys, one-time passwords and rate-limit counters.
-- See docs/security.md.

-- Staff: one row per person who signs in to the portal. Roles decide what they may read
-- (src/auth/access-policy.ts); facility_code / commune_code scope clinicians, clerks and
-- commune health workers.
CREATE TABLE staff_user (
  id               text PRIMARY KEY,
  username         text NOT NULL,
  display_name     text NOT NULL,
  role             text NOT NULL CHECK (role IN ('admin', 'manager', 'commune-worker', 'clinician', 'clerk')),
  facility_code    text,
  commune_code     text,
  practitioner_id  text,
  practitioner_role_id text,
  password_hash    text NOT NULL,
  totp_secret      text,
  totp_enabled     boolean NOT NULL DEFAULT false,
  -- The last TOTP time step accepted: a code is never accepted twice.
  totp_last_step   bigint,
  failed_logins    integer NOT NULL DEFAULT 0,
  locked_until     timestamptz,
  disabled         boolean NOT NULL DEFAULT false,
  created_at       timestamptz NOT NULL DEFAULT now(),
  CHECK (role <> 'commune-worker' OR commune_code IS NOT NULL),
  CHECK (role NOT IN ('clinician', 'clerk') OR facility_code IS NOT NULL)
);
CREATE UNIQUE INDEX staff_user_username ON staff_user (lower(username));

-- Residents (C1): one account per phone number; a parent acts for children through patient_proxy.
CREATE TABLE resident_account (
  id             text PRIMARY KEY,
  patient_id     text NOT NULL UNIQUE,
  phone          text NOT NULL UNIQUE,
  password_hash  text,
  status         text NOT NULL CHECK (status IN ('pending', 'active', 'disabled')),
  failed_logins  integer NOT NULL DEFAULT 0,
  locked_until   timestamptz,
  created_by     text,
  created_at     timestamptz NOT NULL DEFAULT now(),
  activated_at   timestamptz
);

-- A parent (or guardian) acts for a child: created by staff or from household data.
CREATE TABLE patient_proxy (
  parent_patient_id text NOT NULL,
  child_patient_id  text NOT NULL,
  source            text NOT NULL CHECK (source IN ('staff', 'household')),
  created_by        text,
  created_at        timestamptz NOT NULL DEFAULT now(),
  revoked_at        timestamptz,
  PRIMARY KEY (parent_patient_id, child_patient_id),
  CHECK (parent_patient_id <> child_patient_id)
);
CREATE INDEX patient_proxy_child ON patient_proxy (child_patient_id);

-- Portal sessions. Only the SHA-256 of the cookie value is stored: a copy of this table does
-- not let anyone sign in.
CREATE TABLE user_session (
  token_hash   bytea PRIMARY KEY,
  user_kind    text NOT NULL CHECK (user_kind IN ('staff', 'resident')),
  user_id      text NOT NULL,
  csrf_token   text NOT NULL,
  created_at   timestamptz NOT NULL DEFAULT now(),
  last_seen_at timestamptz NOT NULL DEFAULT now(),
  expires_at   timestamptz NOT NULL,
  revoked_at   timestamptz
);
CREATE INDEX user_session_user ON user_session (user_kind, user_id) WHERE revoked_at IS NULL;

-- OAuth2 clients (hospital software, the national portal, reporting tools).
CREATE TABLE oauth_client (
  client_id      text PRIMARY KEY,
  name           text NOT NULL,
  facility_code  text,
  scopes         text[] NOT NULL,
  -- SHA-256 of a 256-bit random secret (no slow hash needed for random secrets).
  secret_hash    bytea,
  -- Public keys for private_key_jwt (SMART Backend Services).
  jwks           jsonb,
  disabled       boolean NOT NULL DEFAULT false,
  created_at     timestamptz NOT NULL DEFAULT now(),
  CHECK (secret_hash IS NOT NULL OR jwks IS NOT NULL)
);

-- client_assertion jti values seen, kept until the assertion expires (replay protection).
CREATE TABLE client_assertion_jti (
  client_id  text NOT NULL,
  jti        text NOT NULL,
  expires_at timestamptz NOT NULL,
  PRIMARY KEY (client_id, jti)
);
CREATE INDEX client_assertion_jti_expires ON client_assertion_jti (expires_at);

-- Access token signing keys (ES256). The newest unretired key signs; older keys keep
-- verifying until every token they signed has expired.
CREATE TABLE signing_key (
  kid          text PRIMARY KEY,
  alg          text NOT NULL,
  private_jwk  jsonb NOT NULL,
  public_jwk   jsonb NOT NULL,
  created_at   timestamptz NOT NULL DEFAULT now(),
  retired_at   timestamptz
);

-- One-time passwords sent by SMS: only an HMAC of the code is kept.
CREATE TABLE otp_challenge (
  id           text PRIMARY KEY,
  purpose      text NOT NULL,
  subject      text NOT NULL,
  phone        text NOT NULL,
  code_hash    bytea NOT NULL,
  attempts     integer NOT NULL DEFAULT 0,
  expires_at   timestamptz NOT NULL,
  consumed_at  timestamptz,
  created_at   timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX otp_challenge_subject ON otp_challenge (purpose, subject, created_at DESC);

-- Fixed-window counters shared by every server process (OTP sends per phone and per IP, …).
CREATE TABLE rate_counter (
  key          text NOT NULL,
  window_start timestamptz NOT NULL,
  count        integer NOT NULL,
  PRIMARY KEY (key, window_start)
);

-- Development SMS adapter: messages are kept here instead of being sent.
CREATE TABLE sms_outbox (
  id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  phone      text NOT NULL,
  message    text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now()
);
