// Vietnamese texts of approving a clinician's request in the residents' app, and of the staff
// portal waiting for that approval (spread into messages/vi.ts).
export const consentRequestsVi = {
  'app.requests.title': 'Yêu cầu xem hồ sơ',
  'app.requests.explain': 'Nhân viên y tế dưới đây đề nghị xem hồ sơ sức khoẻ. Chỉ đồng ý khi bạn đang được họ khám hoặc tư vấn.',
  'app.requests.from': '{name} — {role}',
  'app.requests.facility': 'Cơ sở: {facility}',
  'app.requests.when': 'Đề nghị lúc {time}, chờ đến {until}',
  'app.requests.forPerson': 'Hồ sơ của: {name}',
  'app.requests.duration': 'Cho xem trong',
  'app.requests.approve': 'Đồng ý',
  'app.requests.decline': 'Từ chối',
  'app.requests.approved': 'Bạn đã đồng ý. Nhân viên y tế xem được hồ sơ đến khi hết hạn; bạn có thể thu hồi trong mục "Đồng ý".',
  'app.requests.declined': 'Bạn đã từ chối. Nhân viên y tế không xem được hồ sơ.',
  'app.requests.notice': 'Có {n} yêu cầu xem hồ sơ đang chờ bạn trả lời.',
  'app.requests.open': 'Xem yêu cầu',
  'app.method.app': 'Đồng ý trong ứng dụng',
  'consent.waitApp': 'Người dân cũng có thể bấm "Đồng ý" trong ứng dụng HSSK trên điện thoại (yêu cầu chờ 30 phút). Hồ sơ sẽ tự mở khi họ đồng ý.',
  'consent.checkAgain': 'Kiểm tra lại',
  'consent.notYet': 'Người dân chưa đồng ý trong ứng dụng.',
} as const;
