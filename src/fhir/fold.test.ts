import { describe, expect, it } from 'vitest';
import { foldVietnamese } from './fold.ts';

describe('foldVietnamese', () => {
  it('removes tone marks and letter diacritics so "Nguyễn Văn Ân" reads "nguyen van an"', () => {
    expect(foldVietnamese('Nguyễn Văn Ân')).toBe('nguyen van an');
  });
  it('turns đ and Đ into d', () => {
    expect(foldVietnamese('Đặng Thị Đào')).toBe('dang thi dao');
  });
  it('treats precomposed and decomposed Unicode the same', () => {
    expect(foldVietnamese('Thu\u0309y')).toBe(foldVietnamese('Thủy'));
  });
  it('keeps "Ngũ" distinct from "Nguyễn"', () => {
    expect(foldVietnamese('Ngũ')).toBe('ngu');
    expect(foldVietnamese('Nguyễn').startsWith(foldVietnamese('Ngũ'))).toBe(true);
    expect(foldVietnamese('Ngũ').startsWith(foldVietnamese('Nguyễn'))).toBe(false);
  });
  it('collapses spaces and trims', () => {
    expect(foldVietnamese('  Lê   Thị  ')).toBe('le thi');
  });
});
