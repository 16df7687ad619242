-- Web Push for reminders (issues 7, 10; docs/programs.md): the VAPID key pair, the device each
-- subscription came from, the SMS fallback choice and a record of every delivery attempt.

-- The installation's VAPID key pair (RFC 8292), generated on first use unless configured by
-- HSSK_VAPID_PUBLIC_KEY / HSSK_VAPID_PRIVATE_KEY. One row: every HSSK process signs with the same
-- key, or browsers would reject pushes to subscriptions made against another process's key.
CREATE TABLE push_vapid_key (
  id          smallint PRIMARY KEY DEFAULT 1 CHECK (id = 1),
  public_key  text        NOT NULL,
  private_key text        NOT NULL,
  created_at  timestamptz NOT NULL DEFAULT now()
);

-- Subscriptions belong to the resident account that made them (a parent receives a child's
-- reminders on their own devices), one per device (browser profile).
ALTER TABLE push_subscription
  ADD COLUMN account_id      text,
  ADD COLUMN device          text,
  ADD COLUMN last_success_at timestamptz;

-- 'both': push and SMS. With channel 'push', sms_fallback sends an SMS when no push reached any
-- of the resident's devices.
ALTER TABLE reminder_preference DROP CONSTRAINT reminder_preference_channel_check;
ALTER TABLE reminder_preference ADD CONSTRAINT reminder_preference_channel_check CHECK (channel IN ('sms', 'push', 'both', 'none'));
ALTER TABLE reminder_preference ADD COLUMN sms_fallback boolean NOT NULL DEFAULT false;

-- The choice in force when the reminder was produced, like its channel.
ALTER TABLE reminder
  ADD COLUMN sms_fallback  boolean NOT NULL DEFAULT false,
  -- The channels that actually delivered it ('push', 'sms' or 'push,sms').
  ADD COLUMN delivered_via text;

-- One row per attempt on one channel (and device), whatever its outcome: what a reminder's status
-- alone cannot tell, e.g. a push that failed before the SMS fallback went out.
CREATE TABLE reminder_delivery (
  id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  reminder_key    text        NOT NULL REFERENCES reminder (key) ON DELETE CASCADE,
  channel         text        NOT NULL CHECK (channel IN ('push', 'sms')),
  subscription_id bigint,
  outcome         text        NOT NULL CHECK (outcome IN ('sent', 'failed', 'gone')),
  status_code     integer,
  error           text,
  at              timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX reminder_delivery_reminder ON reminder_delivery (reminder_key);
