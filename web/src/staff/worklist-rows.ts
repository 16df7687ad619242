// What the worklist screens show of a row of /api/worklists/:code: the age a health worker
// thinks in (days, months, then years), the status as a word, and the one detail that matters
// for the list (a z-score, control status, expected delivery, the referring centre).
import { formatDate, formatNumber } from '../shared/format.ts';
import type { worklistsVi } from '../shared/messages/worklists.vi.ts';

type MessageKey = keyof typeof worklistsVi;
/** The portal's t() (i18n.tsx), narrowed to this module's texts so that the module stays plain TypeScript. */
type Translate = (key: MessageKey, params?: Record<string, string | number>) => string;

export interface WorklistRow {
  patientId: string;
  name: string | null;
  birthDate: string | null;
  gender: string | null;
  address: string | null;
  communeCode: string | null;
  kind: string;
  itemKey: string;
  dueDate: string | null;
  status: string;
  title: string;
  detail: Record<string, unknown>;
  resourceRef: string | null;
}

export interface WorklistPage {
  code: string;
  title: string;
  commune: string | null;
  rows: WorklistRow[];
  next: string | null;
}

export interface WorklistSummary {
  commune: string | null;
  asOf: string;
  worklists: { code: string; title: string; count: number }[];
}

const DAY = 86_400_000;

/** Age on `today` (yyyy-mm-dd): "12 ngày tuổi" under a month, "8 tháng" under two years, then "3 tuổi". */
export function ageText(t: Translate, birthDate: string | null, today: string): string {
  if (!birthDate || birthDate.length < 10) {
    const year = birthDate ? Number(birthDate.slice(0, 4)) : NaN;
    return Number.isFinite(year) ? t('worklists.age.years', { n: Number(today.slice(0, 4)) - year }) : '';
  }
  const [by, bm, bd] = birthDate.slice(0, 10).split('-').map(Number) as [number, number, number];
  const [ty, tm, td] = today.split('-').map(Number) as [number, number, number];
  const days = Math.round((Date.UTC(ty, tm - 1, td) - Date.UTC(by, bm - 1, bd)) / DAY);
  if (days < 0) return '';
  let months = (ty - by) * 12 + (tm - bm) - (td < bd ? 1 : 0);
  if (days < 31 && months < 1) return t('worklists.age.days', { n: days });
  months = Math.max(months, 0);
  if (months < 24) return t('worklists.age.months', { n: months });
  return t('worklists.age.years', { n: Math.floor(months / 12) });
}

const STATUS_KEYS: Record<string, MessageKey> = {
  due: 'worklists.status.due',
  overdue: 'worklists.status.overdue',
  moderate: 'worklists.status.moderate',
  severe: 'worklists.status.severe',
  overweight: 'worklists.status.overweight',
  obese: 'worklists.status.obese',
  lost: 'worklists.status.lost',
  new: 'worklists.status.new',
};

export function statusText(t: Translate, status: string): string {
  const key = STATUS_KEYS[status];
  return key ? t(key) : status;
}

/** Red for what is late or severe, orange for what needs attention, blue for what is simply due. */
export function statusColor(status: string): string {
  if (status === 'overdue' || status === 'severe' || status === 'lost' || status === 'obese') return 'red.8';
  if (status === 'moderate' || status === 'overweight' || status === 'new') return 'orange.9';
  return 'blue.8';
}

/** The signed z-score with a Vietnamese decimal comma and a true minus sign: "−2,45". */
export function zText(z: number): string {
  return `${z < 0 ? '−' : z > 0 ? '+' : ''}${formatNumber(Math.abs(z))}`;
}

export function detailText(t: Translate, row: WorklistRow): string {
  const d = row.detail ?? {};
  if (typeof d['z'] === 'number') {
    const parts = [t('worklists.detail.z', { z: zText(d['z']) })];
    if (typeof d['weightKg'] === 'number') parts.push(t('worklists.detail.weight', { kg: formatNumber(d['weightKg']) }));
    if (typeof d['heightCm'] === 'number') parts.push(t('worklists.detail.height', { cm: formatNumber(d['heightCm']) }));
    return parts.join(' · ');
  }
  if (typeof d['controlDisplay'] === 'string') return t('worklists.detail.control', { status: d['controlDisplay'] });
  if (typeof d['expectedDelivery'] === 'string') return t('worklists.detail.delivery', { date: formatDate(d['expectedDelivery']) });
  if (typeof d['centre'] === 'string') return t('worklists.detail.centre', { code: d['centre'] });
  return '';
}
