// Vietnamese texts of asking consent by a resident's key, of the staff header's place of work and
// of who accessed a record (spread into messages/vi.ts).
export const consentAccessVi = {
  'consent.keyLabel': 'Số CCCD, mã HSSK hoặc mã thẻ BHYT',
  'consent.keyHelp': 'Dùng khi bạn chưa xem được hồ sơ: hỏi người dân số CCCD (12 chữ số), mã HSSK (HS…) hoặc mã thẻ BHYT.',
  'consent.keyFormat': 'Hãy nhập số CCCD (12 chữ số), mã HSSK (HS + 12 ký tự) hoặc mã thẻ BHYT (15 ký tự hoặc 10 chữ số).',
  'consent.keySent': 'Nếu số giấy tờ khớp với một hồ sơ có số điện thoại, mã OTP đã được gửi tới số điện thoại trong hồ sơ. Mã có hiệu lực 5 phút; nếu người dân không nhận được tin nhắn, hãy kiểm tra lại số đã nhập.',
  'consent.otherKey': 'Nhập số khác',
  'shell.named': '{name} ({code})',
  'app.access.facilityNamed': 'Cơ sở y tế: {name} (mã {code})',
} as const;
