// Residents' reminder choices (reminder_preference); for a child, the choices of the parent who
// acts for them (patient_proxy).
import type { Queryable } from '../../store/database.ts';

export const REMINDER_KINDS = ['vaccination', 'appointment', 'medication', 'ncd-follow-up'] as const;
export type ReminderKind = (typeof REMINDER_KINDS)[number];
/** 'both': web push and SMS; 'push' alone sends an SMS only when `smsFallback` is chosen. */
export const CHANNELS = ['sms', 'push', 'both', 'none'] as const;
export type Channel = (typeof CHANNELS)[number];

export interface Preference {
  kind: ReminderKind | 'all';
  channel: Channel;
  enabled: boolean;
  hour: number | null;
  /** With channel 'push': send an SMS when no push reached any device. */
  smsFallback?: boolean;
}

export async function setPreference(q: Queryable, patientId: string, p: Preference): Promise<void> {
  await q.query(
    `INSERT INTO reminder_preference (patient_id, kind, channel, enabled, hour, sms_fallback) VALUES ($1, $2, $3, $4, $5, $6)
     ON CONFLICT (patient_id, kind) DO UPDATE SET channel = EXCLUDED.channel, enabled = EXCLUDED.enabled, hour = EXCLUDED.hour,
       sms_fallback = EXCLUDED.sms_fallback, updated_at = now()`,
    [patientId, p.kind, p.channel, p.enabled, p.hour, p.smsFallback ?? false],
  );
}

export async function getPreferences(q: Queryable, patientId: string): Promise<Preference[]> {
  const { rows } = await q.query(`SELECT kind, channel, enabled, hour, sms_fallback AS "smsFallback" FROM reminder_preference WHERE patient_id = $1 ORDER BY kind`, [patientId]);
  return rows as Preference[];
}

export interface Recipient {
  patientId: string;
  recipientId: string;
  channel: Channel;
  enabled: boolean;
  hour: number | null;
  smsFallback: boolean;
}

/**
 * Who receives a resident's reminder of `kind` and how: the resident's own choice, else (for a
 * child, or anyone acting through a proxy) the first parent's choice; default SMS, on.
 */
export async function recipientsFor(q: Queryable, patientIds: readonly string[], kind: ReminderKind): Promise<Map<string, Recipient>> {
  const { rows } = await q.query<{ patient_id: string; recipient_id: string; channel: string | null; enabled: boolean | null; hour: number | null; sms_fallback: boolean | null }>(
    `WITH targets AS (
       SELECT t.id AS patient_id,
              COALESCE((SELECT pp.parent_patient_id FROM patient_proxy pp WHERE pp.child_patient_id = t.id AND pp.revoked_at IS NULL
                        AND NOT EXISTS (SELECT 1 FROM resident_account ra WHERE ra.patient_id = t.id AND ra.status = 'active')
                        ORDER BY pp.created_at LIMIT 1), t.id) AS recipient_id
       FROM unnest($1::text[]) AS t(id))
     SELECT t.patient_id, t.recipient_id, pref.channel, pref.enabled, pref.hour, pref.sms_fallback
     FROM targets t
     LEFT JOIN LATERAL (SELECT channel, enabled, hour, sms_fallback FROM reminder_preference rp
                        WHERE rp.patient_id = t.recipient_id AND rp.kind IN ($2, 'all')
                        ORDER BY (rp.kind = 'all') LIMIT 1) pref ON true`,
    [patientIds, kind],
  );
  return new Map(
    rows.map((r) => [
      r.patient_id,
      { patientId: r.patient_id, recipientId: r.recipient_id, channel: (r.channel ?? 'sms') as Channel, enabled: r.enabled ?? true, hour: r.hour, smsFallback: r.sms_fallback ?? false },
    ]),
  );
}
