// Producing reminders: vaccinations and NCD follow-ups from the worklist projection,
// appointments (FHIR Appointment, e.g. from XML14) and medication schedules (active
// MedicationRequests). Each reminder has an idempotency key (kind, source, due date): inserting it
// again is a no-op, so the scheduler may run as often as it likes.
import type { Appointment, MedicationRequest } from '@medplum/fhirtypes';
import { paramKey } from '../../fhir/search-parameters.ts';
import type { Queryable } from '../../store/database.ts';
import { addDays, localDateOf, todayInVietnam, type IsoDate } from '../dates.ts';
import { nextSendTime, type SendWindow, DEFAULT_WINDOW } from './quiet-hours.ts';
import { recipientsFor, type ReminderKind } from './preferences.ts';

export interface Candidate {
  key: string;
  patientId: string;
  kind: ReminderKind;
  message: string;
}

export interface ProduceOptions {
  now?: Date;
  window?: SendWindow;
  /** Remind this many days before a due date (vaccination, follow-up, appointment). */
  leadDays?: number;
}

function vnDate(d: IsoDate): string {
  return `${d.slice(8, 10)}/${d.slice(5, 7)}/${d.slice(0, 4)}`;
}

async function worklistCandidates(q: Queryable, today: IsoDate, until: IsoDate): Promise<Candidate[]> {
  const { rows } = await q.query<{ patient_id: string; kind: string; item_key: string; due_date: string; title: string }>(
    `SELECT patient_id, kind, item_key, due_date::text AS due_date, title FROM program_worklist
     WHERE kind IN ('vaccination', 'tetanus', 'ncd-follow-up') AND status = 'due' AND due_date BETWEEN $1 AND $2`,
    [today, until],
  );
  return rows.map((r) => {
    const vaccination = r.kind !== 'ncd-follow-up';
    return {
      key: `${vaccination ? 'vaccination' : 'ncd-follow-up'}:${r.patient_id}:${r.item_key}:${r.due_date}`,
      patientId: r.patient_id,
      kind: vaccination ? ('vaccination' as const) : ('ncd-follow-up' as const),
      message: vaccination
        ? `HSSK: Đến lịch tiêm ${r.title} ngày ${vnDate(r.due_date)}. Vui lòng đến trạm y tế xã/phường.`
        : `HSSK: Đến lịch tái khám (${r.title.replace(/^Tái khám /, '')}) ngày ${vnDate(r.due_date)} tại trạm y tế xã/phường.`,
    };
  });
}

async function appointmentCandidates(q: Queryable, from: Date, until: Date): Promise<Candidate[]> {
  const { rows } = await q.query<{ id: string; compartment: string; content: string }>(
    `SELECT r.id, r.compartment, r.content FROM resource r
     WHERE r.resource_type = 'Appointment' AND NOT r.deleted AND r.compartment IS NOT NULL
       AND r.rid IN (SELECT rid FROM search_date WHERE p = $1 AND low >= $2 AND low < $3)`,
    [paramKey('Appointment', 'date'), from.toISOString(), until.toISOString()],
  );
  const out: Candidate[] = [];
  for (const r of rows) {
    const a = JSON.parse(r.content) as Appointment;
    if (!['booked', 'pending', 'proposed'].includes(a.status)) continue;
    const day = localDateOf(a.start);
    if (!day) continue;
    out.push({
      key: `appointment:${r.id}:${a.start}`,
      patientId: r.compartment,
      kind: 'appointment',
      message: `HSSK: Bạn có lịch hẹn khám ngày ${vnDate(day)}${a.description ? ` (${a.description.slice(0, 60)})` : ''}.`,
    });
  }
  return out;
}

function medicationEnd(m: MedicationRequest): IsoDate | undefined {
  const bounds = m.dosageInstruction?.map((d) => d.timing?.repeat?.boundsPeriod?.end).find(Boolean);
  if (bounds) return localDateOf(bounds);
  const start = localDateOf(m.authoredOn);
  const days = m.dispenseRequest?.expectedSupplyDuration?.value;
  return start && days !== undefined ? addDays(start, Math.ceil(days)) : start ? addDays(start, 30) : undefined;
}

async function medicationCandidates(q: Queryable, today: IsoDate): Promise<Candidate[]> {
  const { rows } = await q.query<{ id: string; compartment: string; content: string }>(
    `SELECT r.id, r.compartment, r.content FROM resource r
     WHERE r.resource_type = 'MedicationRequest' AND NOT r.deleted AND r.compartment IS NOT NULL
       AND r.rid IN (SELECT rid FROM search_token WHERE p = $1 AND code = 'active')`,
    [paramKey('MedicationRequest', 'status')],
  );
  const out: Candidate[] = [];
  for (const r of rows) {
    const m = JSON.parse(r.content) as MedicationRequest;
    const end = medicationEnd(m);
    const start = localDateOf(m.authoredOn);
    if ((end && end < today) || (start && start > today)) continue;
    const name = m.medicationCodeableConcept?.text ?? m.medicationCodeableConcept?.coding?.[0]?.display ?? 'thuốc theo đơn';
    const how = m.dosageInstruction?.[0]?.text;
    out.push({
      key: `medication:${r.id}:${today}`,
      patientId: r.compartment,
      kind: 'medication',
      message: `HSSK: Nhắc dùng ${name.slice(0, 60)} hôm nay${how ? `: ${how.slice(0, 80)}` : ''}.`,
    });
  }
  return out;
}

export interface ProduceResult {
  candidates: number;
  created: number;
}

/** Creates the reminders due now (at most once each) and schedules them in the sending window. */
export async function produceReminders(q: Queryable, options: ProduceOptions = {}): Promise<ProduceResult> {
  const now = options.now ?? new Date();
  const today = todayInVietnam(now);
  const lead = options.leadDays ?? 2;
  const candidates = [
    ...(await worklistCandidates(q, today, addDays(today, lead))),
    ...(await appointmentCandidates(q, now, new Date(now.getTime() + (lead + 1) * 86_400_000))),
    ...(await medicationCandidates(q, today)),
  ];
  let created = 0;
  const byKind = new Map<ReminderKind, Candidate[]>();
  for (const c of candidates) byKind.set(c.kind, [...(byKind.get(c.kind) ?? []), c]);
  for (const [kind, list] of byKind) {
    const recipients = await recipientsFor(q, [...new Set(list.map((c) => c.patientId))], kind);
    const rows = list
      .map((c) => ({ c, r: recipients.get(c.patientId) }))
      .filter((x) => x.r && x.r.enabled && x.r.channel !== 'none');
    if (rows.length === 0) continue;
    const res = await q.query(
      `INSERT INTO reminder (key, patient_id, recipient_id, kind, channel, message, not_before, sms_fallback)
       SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::timestamptz[], $8::boolean[])
       ON CONFLICT (key) DO NOTHING`,
      [
        rows.map((x) => x.c.key),
        rows.map((x) => x.c.patientId),
        rows.map((x) => x.r!.recipientId),
        rows.map((x) => x.c.kind),
        rows.map((x) => x.r!.channel),
        rows.map((x) => x.c.message),
        rows.map((x) => nextSendTime(now, options.window ?? DEFAULT_WINDOW, x.r!.hour).toISOString()),
        rows.map((x) => x.r!.smsFallback),
      ],
    );
    created += res.rowCount ?? 0;
  }
  return { candidates: candidates.length, created };
}
