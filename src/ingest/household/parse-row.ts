// One row of the household file, checked field by field. Every problem becomes a reason in
// Vietnamese that names the column and says what is wrong; problems that do not prevent a
// record (an unusable phone number) are warnings and the value is left out.
import { foldVietnamese } from '../../fhir/fold.ts';
import { checkCccdConsistency, normalisePhone, parseBhytCard, validateBhxh, validateCmnd, type Sex } from '../../identity/identifiers.ts';
import { resolveCommune, type CommuneResolution } from '../../province/admin-units.ts';
import type { RejectionReason } from '../adapted-record.ts';
import { RELATIONSHIPS, type HouseholdRow, type Relationship } from './columns.ts';

export interface HouseholdMember {
  householdId: string;
  fullName: string;
  birthDate?: string;
  sex?: Sex | 'other';
  cccd?: string;
  cmnd?: string;
  bhxh?: string;
  bhytCard?: string;
  relationship: Relationship;
  ethnicity?: string;
  occupation?: string;
  address?: string;
  commune?: CommuneResolution;
  phone?: string;
}

export type ParsedRow = { ok: true; member: HouseholdMember; warnings: string[] } | { ok: false; reasons: RejectionReason[] };

export interface ParseOptions {
  /** The deployment's province (2025 code). */
  province: string;
  /** Today, yyyy-mm-dd (birth dates after it are impossible). */
  today: string;
}

const val = (row: HouseholdRow, col: keyof HouseholdRow) => (row[col] ?? '').trim();

/** dd/mm/yyyy, d/m/yyyy, dd-mm-yyyy, yyyy-mm-dd or yyyy → FHIR date, or a reason. */
export function parseBirthDate(raw: string, today: string): { value: string } | { error: string } {
  let y: number, m: number | undefined, d: number | undefined;
  let match: RegExpExecArray | null;
  if ((match = /^(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})$/.exec(raw))) [d, m, y] = [Number(match[1]), Number(match[2]), Number(match[3])];
  else if ((match = /^(\d{4})-(\d{1,2})-(\d{1,2})$/.exec(raw))) [y, m, d] = [Number(match[1]), Number(match[2]), Number(match[3])];
  else if ((match = /^(\d{1,2})[/.-](\d{4})$/.exec(raw))) [m, y] = [Number(match[1]), Number(match[2])];
  else if ((match = /^(\d{4})$/.exec(raw))) y = Number(match[1]);
  else return { error: `Ngày sinh "${raw}" không đúng định dạng (dd/mm/yyyy, yyyy-mm-dd hoặc yyyy).` };
  if (y < 1880) return { error: `Năm sinh ${y} không hợp lệ.` };
  if (m !== undefined && (m < 1 || m > 12)) return { error: `Ngày sinh "${raw}" không tồn tại: tháng ${m} không có.` };
  if (d !== undefined && m !== undefined) {
    const days = new Date(Date.UTC(y, m, 0)).getUTCDate();
    if (d < 1 || d > days) return { error: `Ngày sinh "${raw}" không tồn tại: tháng ${m}/${y} chỉ có ${days} ngày.` };
  }
  const value = [String(y), ...(m !== undefined ? [String(m).padStart(2, '0')] : []), ...(d !== undefined ? [String(d).padStart(2, '0')] : [])].join('-');
  if (value > today.slice(0, value.length)) return { error: `Ngày sinh "${raw}" ở tương lai.` };
  return { value };
}

export function parseSex(raw: string): Sex | 'other' | undefined | null {
  const f = foldVietnamese(raw);
  if (f === '') return undefined;
  if (f === 'nam' || f === '1' || f === 'm' || f === 'male') return 'male';
  if (f === 'nu' || f === '2' || f === 'f' || f === 'female') return 'female';
  if (f === 'khac' || f === '3' || f === 'other') return 'other';
  return null;
}

export function parseRelationship(raw: string): Relationship | undefined {
  const f = foldVietnamese(raw).replace(/\s+/g, '-');
  return RELATIONSHIPS.get(f === '' ? 'khac' : f);
}

export function parseHouseholdRow(row: HouseholdRow, options: ParseOptions): ParsedRow {
  const reasons: RejectionReason[] = [];
  const warnings: string[] = [];
  const reject = (field: string, message: string) => reasons.push({ field, message });

  const householdId = val(row, 'ma_ho');
  if (householdId === '') reject('ma_ho', 'Thiếu mã hộ (ma_ho).');
  const fullName = val(row, 'ho_ten').normalize('NFC').replace(/\s+/g, ' ');
  if (fullName === '') reject('ho_ten', 'Thiếu họ tên (ho_ten).');
  else if (/\d/.test(fullName)) reject('ho_ten', `Họ tên "${fullName}" có chữ số.`);

  let birthDate: string | undefined;
  const rawDate = val(row, 'ngay_sinh');
  if (rawDate !== '') {
    const parsed = parseBirthDate(rawDate, options.today);
    if ('error' in parsed) reject('ngay_sinh', parsed.error);
    else birthDate = parsed.value;
  }
  const sex = parseSex(val(row, 'gioi_tinh'));
  if (sex === null) reject('gioi_tinh', `Giới tính "${val(row, 'gioi_tinh')}" không hợp lệ (Nam, Nữ, Khác hoặc 1, 2, 3).`);

  let cccd: string | undefined, cmnd: string | undefined;
  const rawId = val(row, 'so_cccd').replace(/[\s.-]/g, '');
  if (rawId.length === 9) {
    const r = validateCmnd(rawId);
    if (r.ok) cmnd = r.value;
    else reject('so_cccd', r.errors.map((e) => e.message).join(' '));
  } else if (rawId !== '') {
    const year = birthDate ? Number(birthDate.slice(0, 4)) : undefined;
    const r = checkCccdConsistency(rawId, { sex: sex ?? undefined, birthYear: year });
    if (r.ok) cccd = r.value.value;
    else reject('so_cccd', r.errors.map((e) => e.message).join(' '));
  }

  let bhxh: string | undefined;
  if (val(row, 'ma_bhxh') !== '') {
    const r = validateBhxh(val(row, 'ma_bhxh'));
    if (r.ok) bhxh = r.value;
    else reject('ma_bhxh', r.errors.map((e) => e.message).join(' '));
  }
  let bhytCard: string | undefined;
  if (val(row, 'so_the_bhyt') !== '') {
    const r = parseBhytCard(val(row, 'so_the_bhyt'));
    if (!r.ok) reject('so_the_bhyt', r.errors.map((e) => e.message).join(' '));
    else {
      bhytCard = r.value.code;
      if (bhxh !== undefined && r.value.bhxh !== bhxh) {
        reject('so_the_bhyt', `Mã số BHXH trên thẻ BHYT (${r.value.bhxh}) khác mã số BHXH ở cột ma_bhxh (${bhxh}).`);
      }
      bhxh ??= r.value.bhxh;
    }
  }

  const relationship = parseRelationship(val(row, 'quan_he_chu_ho'));
  if (relationship === undefined) warnings.push(`Quan hệ với chủ hộ "${val(row, 'quan_he_chu_ho')}" không có trong danh mục: ghi là "Khác".`);

  let commune: CommuneResolution | undefined;
  const rawCommune = val(row, 'ma_xa');
  if (rawCommune !== '') {
    commune = resolveCommune(rawCommune, { province: options.province });
    if (commune === undefined) reject('ma_xa', `Mã xã/phường "${rawCommune}" không có trong danh mục đơn vị hành chính (mã 2025 hoặc mã cũ).`);
    else if (!commune.inProvince) warnings.push(`Mã xã/phường ${rawCommune} thuộc tỉnh khác (${commune.commune.provinceCode}).`);
  }

  let phone: string | undefined;
  if (val(row, 'dien_thoai') !== '') {
    const r = normalisePhone(val(row, 'dien_thoai'));
    if (r.ok) phone = r.value;
    else warnings.push(`Bỏ qua số điện thoại: ${r.errors[0].message}`);
  }

  if (reasons.length) return { ok: false, reasons };
  const opt = <K extends string, V>(k: K, v: V | undefined) => (v === undefined || v === '' ? {} : ({ [k]: v } as Record<K, V>));
  return {
    ok: true,
    warnings,
    member: {
      householdId,
      fullName,
      relationship: relationship ?? RELATIONSHIPS.get('khac')!,
      ...opt('birthDate', birthDate),
      ...opt('sex', sex ?? undefined),
      ...opt('cccd', cccd),
      ...opt('cmnd', cmnd),
      ...opt('bhxh', bhxh),
      ...opt('bhytCard', bhytCard),
      ...opt('ethnicity', val(row, 'dan_toc')),
      ...opt('occupation', val(row, 'nghe_nghiep')),
      ...opt('address', val(row, 'dia_chi')),
      ...opt('commune', commune),
      ...opt('phone', phone),
    },
  };
}
