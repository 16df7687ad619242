import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  compareNames,
  editDistance,
  familyNameShare,
  foldVietnamese,
  givenNameShare,
  jaroWinkler,
  nameKey,
  nameSimilarity,
  nameWordKey,
  splitVietnameseName,
} from './names.ts';

describe('foldVietnamese', () => {
  it('removes diacritics, turns đ into d, lowers case and collapses spaces', () => {
    expect(foldVietnamese('  NGUYỄN   Thị  Đào ')).toBe('nguyen thi dao');
    expect(foldVietnamese('Đặng Hữu Phước')).toBe('dang huu phuoc');
    expect(foldVietnamese('Thuỷ')).toBe(foldVietnamese('Thủy'));
  });

  it('gives the same result for composed (NFC) and decomposed (NFD) input', () => {
    fc.assert(
      fc.property(fc.string(), (s) => {
        expect(foldVietnamese(s.normalize('NFD'))).toBe(foldVietnamese(s.normalize('NFC')));
      }),
    );
  });

  it('is idempotent and leaves no Vietnamese letter with a mark', () => {
    const vietnameseChar = fc.constantFrom(...'aăâbcdđeêghiklmnoôơpqrstuưvxyàảãáạằẳẵắặầẩẫấậèẻẽéẹềểễếệìỉĩíịòỏõóọồổỗốộờởỡớợùủũúụừửữứựỳỷỹýỵĐÂĂÊÔƠƯ ');
    fc.assert(
      fc.property(fc.array(vietnameseChar).map((cs) => cs.join('')), (s) => {
        const folded = foldVietnamese(s);
        expect(foldVietnamese(folded)).toBe(folded);
        expect(folded).toMatch(/^[a-z ]*$/);
      }),
    );
  });
});

describe('splitVietnameseName', () => {
  it('reads the family name first and the given name last', () => {
    expect(splitVietnameseName('Nguyễn Thị Minh Anh')).toEqual({ family: 'Nguyễn', middle: ['Thị', 'Minh'], given: 'Anh' });
    expect(splitVietnameseName('Lê  Lợi')).toEqual({ family: 'Lê', middle: [], given: 'Lợi' });
  });

  it('treats a single word as the given name', () => {
    expect(splitVietnameseName('Tèo')).toEqual({ family: '', middle: [], given: 'Tèo' });
    expect(splitVietnameseName('   ')).toEqual({ family: '', middle: [], given: '' });
  });

  it('keeps known two-word family names together (Tôn Thất, Tôn Nữ)', () => {
    expect(splitVietnameseName('Tôn Thất Minh Khôi')).toEqual({ family: 'Tôn Thất', middle: ['Minh'], given: 'Khôi' });
    expect(splitVietnameseName('Nguyễn Phúc Thịnh')).toEqual({ family: 'Nguyễn', middle: ['Phúc'], given: 'Thịnh' });
  });

  it('loses no word: family, middle and given put back together give the name', () => {
    const letter = fc.constantFrom(...'aăâbcdđeêghiklmnoôơpqrstuưvxyàảãáạằẳẵắặầẩẫấậèẻẽéẹềểễếệìỉĩíịòỏõóọồổỗốộờởỡớợùủũúụừửữứựỳỷỹýỵĐÂĂÊÔƠƯNT');
    const word = fc.array(letter, { minLength: 1, maxLength: 7 }).map((cs) => cs.join(''));
    fc.assert(
      fc.property(fc.array(word, { minLength: 1, maxLength: 6 }), (words) => {
        const { family, middle, given } = splitVietnameseName(words.join(' '));
        expect([family, ...middle, given].filter((w) => w !== '').join(' ')).toBe(words.join(' ').normalize('NFC'));
      }),
    );
  });
});

describe('matching keys', () => {
  it('unifies i/y spelling after a consonant (Lý/Lí, Vy/Vi, Quý/Quí) but not Huy/Hui', () => {
    expect(nameWordKey('Lý')).toBe(nameWordKey('Lí'));
    expect(nameWordKey('Vy')).toBe(nameWordKey('Vi'));
    expect(nameWordKey('Quý')).toBe(nameWordKey('Quí'));
    expect(nameWordKey('Mỹ')).toBe(nameWordKey('Mĩ'));
    expect(nameWordKey('Huy')).not.toBe(nameWordKey('Hui'));
    expect(nameWordKey('Thuỷ')).toBe(nameWordKey('Thủy'));
  });

  it('ignores punctuation and diacritics in a full-name key', () => {
    expect(nameKey('Nguyễn T. Lan')).toBe('nguyen t lan');
    expect(nameKey('NGUYEN THI LY')).toBe(nameKey('Nguyễn Thị Lý'));
  });
});

describe('string distances', () => {
  it('Jaro–Winkler gives the textbook values', () => {
    expect(jaroWinkler('martha', 'marhta')).toBeCloseTo(0.961, 3);
    expect(jaroWinkler('dwayne', 'duane')).toBeCloseTo(0.84, 2);
    expect(jaroWinkler('abc', 'xyz')).toBe(0);
    expect(jaroWinkler('', 'a')).toBe(0);
  });

  it('Jaro–Winkler is symmetric, within [0, 1], and 1 exactly on equal strings', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 12 }), fc.string({ maxLength: 12 }), (a, b) => {
        const s = jaroWinkler(a, b);
        expect(s).toBeGreaterThanOrEqual(0);
        expect(s).toBeLessThanOrEqual(1 + 1e-12);
        expect(jaroWinkler(b, a)).toBeCloseTo(s, 12);
        if (a === b) expect(s).toBe(1);
      }),
    );
  });

  it('edit distance counts an adjacent swap as one edit', () => {
    expect(editDistance('nguyen', 'ngyuen')).toBe(1);
    expect(editDistance('lan', 'lam')).toBe(1);
    expect(editDistance('', 'abc')).toBe(3);
    expect(editDistance('hung', 'hung')).toBe(0);
  });
});

describe('name frequencies', () => {
  it('knows Nguyễn is about 38% of the country and a rare family name far less', () => {
    expect(familyNameShare('Nguyễn')).toBeCloseTo(0.384);
    expect(familyNameShare('NGUYEN')).toBeCloseTo(0.384);
    expect(familyNameShare('Khuất')).toBeLessThan(0.01);
    expect(givenNameShare('Anh')).toBeGreaterThan(givenNameShare('Khuê'));
  });
});

describe('compareNames', () => {
  it('counts a name typed without diacritics as the same name', () => {
    const c = compareNames('Nguyễn Thị Lan', 'NGUYEN THI LAN');
    expect([c.family, c.middle, c.given]).toEqual(['exact', 'exact', 'exact']);
    expect(c.similarity).toBe(1);
  });

  it('counts old and new tone placement and i/y spelling as the same name', () => {
    expect(compareNames('Lê Thị Thuỷ', 'Lê Thị Thủy').given).toBe('exact');
    expect(compareNames('Trần Văn Sỹ', 'Trần Văn Sĩ').given).toBe('exact');
  });

  it('does not take Lan and Lân for the same given name when both records carry diacritics', () => {
    expect(compareNames('Nguyễn Thị Lan', 'Nguyễn Thị Lân').given).toBe('diacritics');
    expect(compareNames('Nguyen Thi Lan', 'Nguyễn Thị Lân').given).toBe('exact');
  });

  it('tells a sure typo (no such syllable, swapped letters, wrong tone) from a doubtful one-letter difference and from another name', () => {
    expect(compareNames('Nguyễn Văn Hùng', 'Nguyễn Văn Hùgn').given).toBe('typo');
    expect(compareNames('Nguyễn Văn Hùng', 'Nguyễn Văn Hùnh').given).toBe('near');
    expect(compareNames('Nguyễn Văn Hùng', 'Ngyễn Văn Hùng').family).toBe('near');
    expect(compareNames('Nguyễn Văn Hùng', 'Nguyễn Văn Dũng').given).toBe('disagree');
    expect(compareNames('Nguyễn Văn Trung', 'Nguyễn Văn Trang').given).toBe('near');
    expect(compareNames('Nguyễn Văn Lan', 'Nguyễn Văn Lam').given).toBe('near');
    expect(compareNames('Lê Thị Vân', 'Lê Thị Vâân').given).toBe('typo');
    expect(compareNames('Lê Văn Hậu', 'Lê Văn Huậ').given).toBe('typo');
    expect(compareNames('Lê Văn Hùng', 'Lê Văn Hung').given).toBe('tone');
    expect(compareNames('Lê Văn Hùng', 'Lê Văn Hưng').given).toBe('diacritics');
  });

  it('counts a doubled letter in a name spelt with y as a typo (Vy / Vyy), not as another name', () => {
    expect(compareNames('Đặng Thị Vy', 'Đặng Thị Vyy').given).toBe('typo');
    expect(compareNames('Đặng Thị Vy', 'Đặng Thị Vân').given).toBe('disagree');
  });

  it('treats a dropped middle name as partial, not as disagreement', () => {
    expect(compareNames('Nguyễn Thị Ngọc Anh', 'Nguyễn Ngọc Anh').middle).toBe('partial');
    expect(compareNames('Nguyễn Thị Anh', 'Nguyễn Anh').middle).toBe('missing');
    expect(compareNames('Nguyễn Văn An', 'Nguyễn Đức An').middle).toBe('disagree');
  });

  it('gives the given name more weight than the family name', () => {
    // The same two words differ once in the family-name slot and once in the given-name slot.
    const differentFamily = compareNames('Hoàng Văn Mai', 'Mai Văn Mai');
    const differentGiven = compareNames('Hoàng Văn Mai', 'Hoàng Văn Hoàng');
    expect(differentFamily.similarity).toBeGreaterThan(differentGiven.similarity);
    expect(differentFamily.weight).toBeGreaterThan(differentGiven.weight);
    expect(nameSimilarity('Hoàng Văn Mai', 'Mai Văn Mai')).toBe(differentFamily.similarity);
  });

  it('counts agreement on a rare name as stronger evidence than on a common one', () => {
    expect(compareNames('Khuất Duy Khuê', 'Khuất Duy Khuê').weight).toBeGreaterThan(compareNames('Nguyễn Văn Anh', 'Nguyễn Văn Anh').weight);
    expect(compareNames('Nguyễn Thị Khuê', 'Nguyễn Thị Khuê').weight).toBeGreaterThan(compareNames('Nguyễn Thị Anh', 'Nguyễn Thị Anh').weight);
  });

  it('is symmetric in its verdicts and similarity', () => {
    const names = fc.constantFrom('Nguyễn Thị Lan', 'NGUYEN THI LAN', 'Nguyễn Lân', 'Trần Văn Hùng', 'Tran Van Hung', 'Lê Thị Thuỷ', 'Lê Thủy', 'Nguyễn Thị Ngọc Anh');
    fc.assert(
      fc.property(names, names, (a, b) => {
        const ab = compareNames(a, b);
        const ba = compareNames(b, a);
        expect([ab.family, ab.middle, ab.given]).toEqual([ba.family, ba.middle, ba.given]);
        expect(ab.similarity).toBeCloseTo(ba.similarity, 12);
      }),
    );
  });
});
