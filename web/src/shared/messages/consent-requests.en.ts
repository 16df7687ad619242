// English texts of approving a clinician's request in the residents' app, and of the staff
// portal waiting for that approval (spread into messages/en.ts).
import type { consentRequestsVi } from './consent-requests.vi.ts';

export const consentRequestsEn: Record<keyof typeof consentRequestsVi, string> = {
  'app.requests.title': 'Requests to see your record',
  'app.requests.explain': 'The health worker below asks to see the health record. Approve only if they are treating or advising you now.',
  'app.requests.from': '{name} — {role}',
  'app.requests.facility': 'Facility: {facility}',
  'app.requests.when': 'Asked at {time}, waits until {until}',
  'app.requests.forPerson': 'Record of: {name}',
  'app.requests.duration': 'Allow for',
  'app.requests.approve': 'Approve',
  'app.requests.decline': 'Decline',
  'app.requests.approved': 'Approved. The health worker can see the record until it expires; you can revoke it under "Consents".',
  'app.requests.declined': 'Declined. The health worker cannot see the record.',
  'app.requests.notice': '{n} request(s) to see your record are waiting for your answer.',
  'app.requests.open': 'See requests',
  'app.method.app': 'Approved in the app',
  'consent.waitApp': 'The resident can also tap "Approve" in the HSSK app on their phone (the request waits 30 minutes). The record opens by itself once they approve.',
  'consent.checkAgain': 'Check again',
  'consent.notYet': 'The resident has not approved in the app yet.',
} as const;
