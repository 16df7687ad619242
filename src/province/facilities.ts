// Health facilities of the synthetic province, written to facilities.csv:
//   ma_cskcb   5-character facility code (mã CSKCB); by convention its first two digits are the
//              (old) province code, e.g. 68001, 60012
//   ten        name
//   loai       benh-vien | tram-y-te | trung-tam-ytdp | phong-kham-tu-nhan
//   ma_xa      2025 commune code of the facility
//   dia_chi    street address
//   dien_thoai phone (landline with the old province's area code where known)
// One commune health station per commune, a provincial general hospital and a children's and a
// traditional-medicine hospital, a regional general hospital in each former province and in a
// few larger communes, the provincial CDC (preventive medicine), and private clinics.
import type { CommuneInfo, ProvinceContext } from './communes-context.ts';
import { areaCode, shortProvinceName } from './profile.ts';
import type { Rng } from './prng.ts';
import { oldProvince } from './admin-units.ts';

export const FACILITY_COLUMNS = ['ma_cskcb', 'ten', 'loai', 'ma_xa', 'dia_chi', 'dien_thoai'] as const;

export type FacilityType = 'benh-vien' | 'tram-y-te' | 'trung-tam-ytdp' | 'phong-kham-tu-nhan';

export interface Facility {
  code: string;
  name: string;
  type: FacilityType;
  communeCode: string;
  address: string;
  phone: string;
}

const CLINIC_NAMES = ['Tâm Đức', 'An Phước', 'Hòa Bình', 'Thiện Tâm', 'Phúc An', 'Sài Gòn', 'Hồng Đức', 'Nhân Ái', 'Minh Tâm', 'Bình An', 'Đức Tín', 'Quốc Tế', 'Việt Mỹ', 'Hoàn Mỹ', 'Thành Công', 'An Khang'];
const CLINIC_KINDS = ['Phòng khám Đa khoa', 'Phòng khám Nha khoa', 'Phòng khám Sản phụ khoa', 'Phòng khám Nhi', 'Phòng khám Mắt', 'Phòng khám Răng Hàm Mặt'];
const HOSPITAL_STREETS = ['Phạm Ngọc Thạch', 'Hùng Vương', 'Trần Phú', 'Lê Lợi', 'Nguyễn Tất Thành', 'Hải Thượng Lãn Ông', 'Yersin', 'Lê Hồng Phong'];

/** Strips "Xã "/"Phường "/"Đặc khu " for names like "Trạm Y tế xã Tuy Phong". */
function communeShortName(info: CommuneInfo): string {
  return info.commune.name.replace(/^(Xã|xã|Phường|Đặc khu)\s+/, '');
}

function communeWord(info: CommuneInfo): string {
  return info.commune.type === 'phuong' ? 'phường' : info.commune.type === 'dac-khu' ? 'đặc khu' : 'xã';
}

export function generateFacilities(rng: Rng, ctx: ProvinceContext): Facility[] {
  const next = new Map<string, number>();
  const code = (oldProv: string) => {
    const n = (next.get(oldProv) ?? 0) + 1;
    next.set(oldProv, n);
    if (n > 999) throw new RangeError(`more than 999 facilities for province ${oldProv}`);
    return `${oldProv}${String(n).padStart(3, '0')}`;
  };
  const phone = (info: CommuneInfo) => {
    const area = areaCode(info.oldProvince);
    return area ? `${area}${rng.between(3, 3)}${rng.digits(6)}` : `09${rng.digits(8)}`;
  };
  const onStreet = (info: CommuneInfo, streets: readonly string[]) => `Số ${rng.between(1, 200)} đường ${rng.pick(streets)}, ${info.label}`;
  const facilities: Facility[] = [];
  const add = (type: FacilityType, name: string, info: CommuneInfo, address: string) => {
    facilities.push({ code: code(info.oldProvince), name, type, communeCode: info.commune.code, address, phone: phone(info) });
  };

  const urban = ctx.communes.filter((c) => c.urban);
  const provinceName = shortProvinceName(ctx.province.name);
  const provinceWord = ctx.province.name.startsWith('Thành phố') ? 'thành phố' : 'tỉnh';
  // The provincial hospitals stand in the main town: the first ward of the province's own old code.
  const capital = urban.find((c) => c.oldProvince === ctx.province.code) ?? urban[0] ?? ctx.communes[0];
  if (!capital) throw new Error(`province ${ctx.province.code} has no communes`);
  add('benh-vien', `Bệnh viện Đa khoa ${provinceWord} ${provinceName}`, capital, onStreet(capital, HOSPITAL_STREETS));
  add('benh-vien', `Bệnh viện Nhi ${provinceWord} ${provinceName}`, capital, onStreet(capital, HOSPITAL_STREETS));
  add('benh-vien', `Bệnh viện Y học cổ truyền ${provinceWord} ${provinceName}`, capital, onStreet(capital, HOSPITAL_STREETS));
  add('trung-tam-ytdp', `Trung tâm Kiểm soát bệnh tật ${provinceWord} ${provinceName}`, capital, onStreet(capital, HOSPITAL_STREETS));

  // A regional general hospital for each merged former province, in its main town.
  for (const old of ctx.oldProvinces.filter((p) => p !== ctx.province.code)) {
    const town = urban.find((c) => c.oldProvince === old) ?? ctx.communes.find((c) => c.oldProvince === old);
    const name = oldProvince(old)?.name;
    if (town && name) add('benh-vien', `Bệnh viện Đa khoa khu vực ${shortProvinceName(name)}`, town, onStreet(town, HOSPITAL_STREETS));
  }
  // And one in about every twentieth commune (the former district hospitals).
  const regional = ctx.communes.filter((c, i) => c !== capital && i % 20 === 10);
  for (const info of regional) add('benh-vien', `Bệnh viện Đa khoa khu vực ${communeShortName(info)}`, info, onStreet(info, HOSPITAL_STREETS));

  for (const info of ctx.communes) {
    add('tram-y-te', `Trạm Y tế ${communeWord(info)} ${communeShortName(info)}`, info, info.label);
  }

  const clinics = Math.max(5, Math.round(ctx.communes.length / 4));
  const names = new Set<string>();
  for (let i = 0; i < clinics; i++) {
    const info = rng.chance(0.75) && urban.length ? rng.pick(urban) : rng.pick(ctx.communes);
    let name = `${rng.pick(CLINIC_KINDS)} ${rng.pick(CLINIC_NAMES)}`;
    // Two clinics of one name would be one chain; name the branch by its commune.
    if (names.has(name)) name = `${name} ${communeShortName(info)}`;
    names.add(name);
    add('phong-kham-tu-nhan', name, info, onStreet(info, HOSPITAL_STREETS));
  }
  return facilities;
}
