// The inner tables (LOAIHOSO) the adapter knows, and the element that holds one record of each.
// Record names come from vendor code, not from a public XSD (vn-standards.md §1.2): the reader
// looks for them at any depth, so the CHITIEU_* wrapper of QĐ 130 and its absence in QĐ 4210
// both pass, and falls back to "any element carrying MA_LK" for vendors with other names.

export type TableType =
  | 'XML0' | 'XML1' | 'XML2' | 'XML3' | 'XML4' | 'XML5' | 'XML6' | 'XML7'
  | 'XML8' | 'XML9' | 'XML10' | 'XML11' | 'XML12' | 'XML13' | 'XML14' | 'XML15';

export interface TableDefinition {
  /** Local names of the record element, official first. */
  record: readonly string[];
  /** One record per episode (the others are lists). */
  single: boolean;
  /** Only in QĐ 130/4750: its presence tells the generation. */
  only130: boolean;
}

export const TABLES: Record<TableType, TableDefinition> = {
  XML0: { record: ['TRANG_THAI_KCB'], single: false, only130: true },
  XML1: { record: ['TONG_HOP', 'CHITIEUKCB'], single: true, only130: false },
  XML2: { record: ['CHI_TIET_THUOC', 'CHITIETTHUOC'], single: false, only130: false },
  XML3: { record: ['CHI_TIET_DVKT', 'CHITIETDVKT'], single: false, only130: false },
  XML4: { record: ['CHI_TIET_CLS', 'CHITIETCLS'], single: false, only130: false },
  XML5: { record: ['CHI_TIET_DIEN_BIEN_BENH', 'CHITIETDIENBIENBENH'], single: false, only130: false },
  XML6: { record: ['HO_SO_BENH_AN_CHAM_SOC_VA_DIEU_TRI_HIV_AIDS'], single: false, only130: true },
  XML7: { record: ['CHI_TIEU_DU_LIEU_GIAY_RA_VIEN'], single: true, only130: true },
  XML8: { record: ['CHI_TIEU_DU_LIEU_TOM_TAT_HO_SO_BENH_AN'], single: true, only130: true },
  XML9: { record: ['DU_LIEU_GIAY_CHUNG_SINH'], single: false, only130: true },
  XML10: { record: ['CHI_TIEU_DU_LIEU_GIAY_NGHI_DUONG_THAI'], single: true, only130: true },
  XML11: { record: ['CHI_TIEU_DU_LIEU_GIAY_CHUNG_NHAN_NGHI_VIEC_HUONG_BAO_HIEM_XA_HOI'], single: true, only130: true },
  // XML12 is normally entered on the BHXH portal; no vendor tag name was found.
  XML12: { record: ['CHI_TIEU_DU_LIEU_GIAM_DINH_Y_KHOA', 'GIAM_DINH_Y_KHOA'], single: true, only130: true },
  XML13: { record: ['CHI_TIEU_GIAYCHUYENTUYEN'], single: true, only130: true },
  XML14: { record: ['CHI_TIEU_GIAYHEN_KHAMLAI'], single: true, only130: true },
  XML15: { record: ['CHITIET_DIEUTRI_BENHLAO'], single: false, only130: true },
};

export function isTableType(type: string): type is TableType {
  return Object.hasOwn(TABLES, type);
}

/** Some vendors write `XML01` or `xml 2`: normalised to `XML1`, `XML2`. */
export function normaliseTableType(raw: string): string {
  const m = /^XML\s*0*(\d+)$/i.exec(raw.trim());
  return m ? `XML${m[1]}` : raw.trim().toUpperCase();
}
