// Kinds of administrative unit, read from the prefix of their official name ("Phường Mũi Né").
// The data files store the kind explicitly so callers never parse names.

/** Commune-level units since 1 July 2025. */
export type CommuneType = 'xa' | 'phuong' | 'dac-khu';
/** Commune-level units before 1 July 2025. */
export type OldCommuneType = 'xa' | 'phuong' | 'thi-tran';
/** District-level units, which existed only before 1 July 2025. */
export type DistrictType = 'quan' | 'huyen' | 'thi-xa' | 'thanh-pho';

const LABELS: Record<CommuneType | OldCommuneType | DistrictType, string> = {
  xa: 'Xã',
  phuong: 'Phường',
  'dac-khu': 'Đặc khu',
  'thi-tran': 'Thị trấn',
  quan: 'Quận',
  huyen: 'Huyện',
  'thi-xa': 'Thị xã',
  'thanh-pho': 'Thành phố',
};

/** The Vietnamese word for a unit kind, as written before its name. */
export function unitTypeLabel(type: CommuneType | OldCommuneType | DistrictType): string {
  return LABELS[type];
}

function startsWith(name: string, word: string): boolean {
  // One source row writes "xã" in lower case.
  return name.toLocaleLowerCase('vi').startsWith(`${word.toLocaleLowerCase('vi')} `);
}

export function communeTypeOf(name: string): CommuneType {
  if (startsWith(name, 'Phường')) return 'phuong';
  if (startsWith(name, 'Đặc khu')) return 'dac-khu';
  if (startsWith(name, 'Xã')) return 'xa';
  throw new Error(`unknown commune type: ${name}`);
}

export function oldCommuneTypeOf(name: string): OldCommuneType {
  if (startsWith(name, 'Phường')) return 'phuong';
  if (startsWith(name, 'Thị trấn')) return 'thi-tran';
  if (startsWith(name, 'Xã')) return 'xa';
  throw new Error(`unknown commune type: ${name}`);
}

export function districtTypeOf(name: string): DistrictType {
  if (startsWith(name, 'Quận')) return 'quan';
  if (startsWith(name, 'Huyện')) return 'huyen';
  if (startsWith(name, 'Thị xã')) return 'thi-xa';
  if (startsWith(name, 'Thành phố')) return 'thanh-pho';
  throw new Error(`unknown district type: ${name}`);
}
