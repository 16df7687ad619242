// The errors of authentication, authorisation, OTP and consent: one type, told apart by code.
// HTTP plugins map them to a status and a Vietnamese message (never the reason a secret failed).

export const AUTH_ERRORS = {
  'unauthenticated': [401, 'Cần đăng nhập để thực hiện thao tác này.'],
  'invalid-credentials': [401, 'Tên đăng nhập hoặc mật khẩu không đúng.'],
  'totp-required': [401, 'Cần nhập mã xác thực hai lớp (TOTP).'],
  'invalid-totp': [401, 'Mã xác thực hai lớp không đúng hoặc đã được dùng.'],
  'account-locked': [423, 'Tài khoản tạm khoá do đăng nhập sai nhiều lần. Vui lòng thử lại sau.'],
  'account-disabled': [403, 'Tài khoản đã bị vô hiệu hoá.'],
  'account-pending': [403, 'Tài khoản chưa được kích hoạt.'],
  'session-expired': [401, 'Phiên đăng nhập đã hết hạn. Vui lòng đăng nhập lại.'],
  'csrf': [403, 'Yêu cầu không hợp lệ (thiếu hoặc sai mã chống giả mạo CSRF).'],
  'invalid-token': [401, 'Mã truy cập không hợp lệ hoặc đã hết hạn.'],
  'forbidden': [403, 'Bạn không có quyền thực hiện thao tác này.'],
  'invalid-otp': [400, 'Mã OTP không đúng hoặc đã hết hạn.'],
  'otp-attempts-exceeded': [429, 'Đã nhập sai mã OTP quá số lần cho phép. Vui lòng yêu cầu mã mới.'],
  'rate-limited': [429, 'Bạn đã yêu cầu quá nhiều lần. Vui lòng thử lại sau.'],
  'invalid-share-code': [400, 'Mã chia sẻ không đúng, đã dùng hoặc đã hết hạn.'],
  'patient-not-found': [404, 'Không tìm thấy hồ sơ sức khoẻ.'],
  'no-phone': [409, 'Hồ sơ chưa có số điện thoại để nhận mã OTP.'],
  'phone-in-use': [409, 'Số điện thoại đã gắn với một tài khoản khác; hãy liên kết người giám hộ (tài khoản đại diện) thay vì tạo tài khoản mới.'],
  'account-exists': [409, 'Hồ sơ này đã có tài khoản.'],
  'username-taken': [409, 'Tên đăng nhập đã tồn tại.'],
  'weak-password': [400, 'Mật khẩu phải có ít nhất 10 ký tự.'],
  'consent-not-found': [404, 'Không tìm thấy sự đồng ý chia sẻ hồ sơ.'],
  'request-closed': [409, 'Yêu cầu xem hồ sơ này đã được trả lời hoặc đã hết hạn.'],
  'reason-required': [400, 'Truy cập khẩn cấp bắt buộc ghi rõ lý do.'],
  'invalid-request': [400, 'Yêu cầu không hợp lệ.'],
} as const satisfies Record<string, readonly [number, string]>;

export type AuthErrorCode = keyof typeof AUTH_ERRORS;

export class AuthError extends Error {
  override name = 'AuthError';
  readonly code: AuthErrorCode;
  readonly statusCode: number;
  constructor(code: AuthErrorCode, message?: string) {
    super(message ?? AUTH_ERRORS[code][1]);
    this.code = code;
    this.statusCode = AUTH_ERRORS[code][0];
  }
}

export function isAuthError(err: unknown): err is AuthError {
  return err instanceof AuthError;
}
