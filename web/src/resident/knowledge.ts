// Health knowledge pages (C6): short, plain-Vietnamese pages on the common chronic diseases,
// each naming its sources (WHO fact sheets, Bộ Y tế guidelines). Static content, shipped with the
// app so that it reads offline. Reviewed content only: change it with a clinician.

export interface Topic {
  id: string;
  title: string;
  summary: string;
  sections: { heading: string; points: string[] }[];
  seekCare: string[];
  sources: string[];
  /** ICD-10 code prefixes of the conditions this page is about (to link it from the record). */
  icd10: string[];
}

export const TOPICS: Topic[] = [
  {
    id: 'tang-huyet-ap',
    title: 'Tăng huyết áp',
    summary: 'Tăng huyết áp là khi áp lực máu trong lòng mạch luôn cao hơn bình thường (từ 140/90 mmHg trở lên khi đo nhiều lần). Bệnh thường không có triệu chứng nhưng làm tăng nguy cơ đột quỵ, nhồi máu cơ tim, suy tim và bệnh thận.',
    sections: [
      { heading: 'Đo huyết áp đúng cách', points: ['Ngồi nghỉ 5 phút, không hút thuốc, uống cà phê trong 30 phút trước khi đo.', 'Đo ở cánh tay, đặt tay ngang mức tim; đo 2 lần cách nhau 1–2 phút.', 'Ghi lại kết quả vào mục "Chỉ số" để bác sĩ theo dõi.'] },
      { heading: 'Sống khỏe với tăng huyết áp', points: ['Ăn nhạt: dưới 5 g muối mỗi ngày (khoảng 1 thìa cà phê), hạn chế nước mắm, đồ kho mặn, dưa cà muối.', 'Ăn nhiều rau, quả; hạn chế mỡ động vật.', 'Vận động ít nhất 30 phút mỗi ngày, hầu hết các ngày trong tuần.', 'Bỏ thuốc lá, hạn chế rượu bia; giữ cân nặng hợp lý.', 'Uống thuốc đều đặn theo đơn, kể cả khi thấy khỏe; không tự ý bỏ thuốc.'] },
    ],
    seekCare: ['Huyết áp từ 180/120 mmHg trở lên.', 'Đau đầu dữ dội, đau ngực, khó thở.', 'Yếu hoặc tê một bên người, méo miệng, nói khó, nhìn mờ: gọi 115 ngay.'],
    sources: ['Tổ chức Y tế Thế giới (WHO), trang thông tin "Hypertension" (Tăng huyết áp).', 'Bộ Y tế, "Hướng dẫn chẩn đoán và điều trị tăng huyết áp".'],
    icd10: ['I10', 'I11', 'I12', 'I13', 'I15'],
  },
  {
    id: 'dai-thao-duong',
    title: 'Đái tháo đường',
    summary: 'Đái tháo đường (tiểu đường) là bệnh đường huyết tăng cao kéo dài do cơ thể thiếu insulin hoặc dùng insulin kém. Nếu không kiểm soát, bệnh gây biến chứng ở mắt, thận, thần kinh, tim mạch và bàn chân.',
    sections: [
      { heading: 'Theo dõi đường huyết', points: ['Đo đường huyết theo lịch bác sĩ dặn và ghi vào mục "Chỉ số".', 'Đường huyết lúc đói thường được khuyên giữ trong khoảng bác sĩ đặt cho bạn (nhiều người là 4,4–7,2 mmol/L).', 'Xét nghiệm HbA1c định kỳ (thường 3–6 tháng một lần) để biết đường huyết trung bình.'] },
      { heading: 'Sống khỏe với đái tháo đường', points: ['Ăn đúng bữa; giảm cơm trắng, bánh kẹo, nước ngọt; ăn nhiều rau.', 'Vận động đều đặn, ít nhất 150 phút mỗi tuần.', 'Uống thuốc hoặc tiêm insulin đúng giờ, đúng liều.', 'Kiểm tra bàn chân mỗi ngày; khám mắt, thận mỗi năm.'] },
      { heading: 'Khi đường huyết thấp (dưới 3,9 mmol/L)', points: ['Dấu hiệu: run tay, vã mồ hôi, đói cồn cào, hoa mắt, lơ mơ.', 'Ăn hoặc uống ngay thứ có đường (nửa cốc nước hoa quả, 3–4 viên kẹo), đo lại sau 15 phút.'] },
    ],
    seekCare: ['Đường huyết từ 16,7 mmol/L trở lên, hoặc dưới 3,9 mmol/L mà không cải thiện.', 'Khát nhiều, tiểu nhiều, mệt lả, buồn nôn, thở nhanh.', 'Lơ mơ, co giật, bất tỉnh: gọi 115 ngay.', 'Vết loét ở bàn chân lâu lành.'],
    sources: ['Tổ chức Y tế Thế giới (WHO), trang thông tin "Diabetes" (Đái tháo đường).', 'Bộ Y tế, "Hướng dẫn chẩn đoán và điều trị đái tháo đường típ 2".'],
    icd10: ['E10', 'E11', 'E13', 'E14'],
  },
  {
    id: 'tim-mach',
    title: 'Bệnh tim mạch',
    summary: 'Bệnh tim mạch gồm bệnh mạch vành (có thể gây nhồi máu cơ tim), đột quỵ, suy tim và các bệnh mạch máu khác. Đây là nguyên nhân tử vong hàng đầu trên thế giới; phần lớn có thể phòng được bằng cách kiểm soát các yếu tố nguy cơ.',
    sections: [
      { heading: 'Yếu tố nguy cơ', points: ['Tăng huyết áp, đái tháo đường, mỡ máu cao.', 'Hút thuốc lá, uống nhiều rượu bia.', 'Ăn mặn, ít rau quả, ít vận động, thừa cân.'] },
      { heading: 'Phòng bệnh', points: ['Không hút thuốc và tránh khói thuốc.', 'Ăn nhạt, nhiều rau quả, hạn chế mỡ động vật và đồ chiên rán.', 'Vận động ít nhất 30 phút mỗi ngày.', 'Đo huyết áp, đường huyết, mỡ máu định kỳ và điều trị theo hướng dẫn của bác sĩ.'] },
    ],
    seekCare: ['Đau thắt, đè nặng ngực kéo dài trên vài phút, có thể lan lên cằm, tay trái: gọi 115 ngay.', 'Đột ngột yếu, tê một bên người, méo miệng, nói khó: gọi 115 ngay.', 'Khó thở khi nằm, phù chân tăng dần, tim đập nhanh hoặc không đều.'],
    sources: ['Tổ chức Y tế Thế giới (WHO), trang thông tin "Cardiovascular diseases (CVDs)" (Bệnh tim mạch).', 'Bộ Y tế, tài liệu truyền thông phòng chống bệnh không lây nhiễm.'],
    icd10: ['I20', 'I21', 'I22', 'I25', 'I48', 'I50', 'I60', 'I61', 'I63', 'I64', 'I69'],
  },
  {
    id: 'roi-loan-chuyen-hoa',
    title: 'Rối loạn chuyển hoá',
    summary: 'Rối loạn chuyển hoá (hội chứng chuyển hoá) là khi một người có cùng lúc nhiều yếu tố: vòng bụng lớn, huyết áp cao, đường huyết cao, mỡ máu (triglycerid) cao và HDL-cholesterol thấp. Tình trạng này làm tăng rõ nguy cơ đái tháo đường và bệnh tim mạch.',
    sections: [
      { heading: 'Dấu hiệu cần để ý', points: ['Vòng bụng lớn (người Việt: thường được coi là từ 90 cm ở nam, 80 cm ở nữ).', 'Cân nặng tăng dần, chỉ số khối cơ thể (BMI) từ 23 trở lên.', 'Huyết áp, đường huyết hoặc mỡ máu cao khi khám sức khỏe.'] },
      { heading: 'Cải thiện', points: ['Giảm cân từ từ: giảm 5–10% cân nặng đã có lợi rõ.', 'Ăn ít đường, ít tinh bột tinh chế, ít đồ chiên rán; nhiều rau, đậu, cá.', 'Vận động đều đặn, ít ngồi lâu.', 'Khám định kỳ để được đo huyết áp, đường huyết, mỡ máu.'] },
    ],
    seekCare: ['Khi có kết quả huyết áp, đường huyết hoặc mỡ máu cao: hãy đến trạm y tế xã để được tư vấn.'],
    sources: ['Tổ chức Y tế Thế giới (WHO), trang thông tin "Obesity and overweight" (Béo phì và thừa cân).', 'Bộ Y tế, "Hướng dẫn chẩn đoán và điều trị các bệnh nội tiết – chuyển hoá".'],
    icd10: ['E66', 'E88'],
  },
  {
    id: 'mo-mau-cao',
    title: 'Mỡ máu cao',
    summary: 'Mỡ máu cao (rối loạn lipid máu) là khi cholesterol, LDL-cholesterol hoặc triglycerid trong máu cao, hoặc HDL-cholesterol thấp. Bệnh thường không có triệu chứng nhưng làm xơ vữa mạch máu, dẫn tới nhồi máu cơ tim và đột quỵ.',
    sections: [
      { heading: 'Phát hiện', points: ['Chỉ biết được qua xét nghiệm máu (bilan mỡ máu), nên làm khi khám sức khỏe định kỳ.', 'Người có tăng huyết áp, đái tháo đường, béo phì, hút thuốc hoặc có người thân bị bệnh tim sớm nên xét nghiệm thường xuyên hơn.'] },
      { heading: 'Sống khỏe với mỡ máu cao', points: ['Hạn chế mỡ động vật, da gà, nội tạng, đồ chiên rán, thức ăn nhanh.', 'Ăn nhiều rau, trái cây, ngũ cốc nguyên hạt, cá.', 'Vận động đều đặn, giữ cân nặng hợp lý, bỏ thuốc lá, hạn chế rượu bia.', 'Uống thuốc hạ mỡ máu đều đặn nếu bác sĩ kê; không tự ý ngừng.'] },
    ],
    seekCare: ['Đau ngực, khó thở, yếu liệt nửa người: gọi 115 ngay.', 'Đau cơ nhiều khi đang uống thuốc hạ mỡ máu: báo bác sĩ.'],
    sources: ['Tổ chức Y tế Thế giới (WHO), trang thông tin "Cardiovascular diseases (CVDs)" (về cholesterol và nguy cơ tim mạch).', 'Bộ Y tế, "Hướng dẫn chẩn đoán và điều trị các bệnh nội tiết – chuyển hoá" (phần rối loạn lipid máu).'],
    icd10: ['E78'],
  },
];

export function topicById(id: string): Topic | undefined {
  return TOPICS.find((t) => t.id === id);
}

/** The pages about conditions in the record, from their ICD-10 codes. */
export function topicsForCodes(codes: string[]): Topic[] {
  return TOPICS.filter((t) => codes.some((c) => t.icd10.some((p) => c.toUpperCase().startsWith(p))));
}
