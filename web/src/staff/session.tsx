// The signed-in staff member: read once from /auth/session, kept in context.
import { createContext, useContext } from 'react';

export interface StaffActor {
  kind: 'staff';
  userId: string;
  username: string;
  role: 'admin' | 'manager' | 'commune-worker' | 'clinician' | 'clerk';
  facilityCode?: string;
  /** Name of the facility's Organization, when one carries the code. */
  facilityName?: string;
  communeCode?: string;
  /** With its type, e.g. "Xã Đức Trọng". */
  communeName?: string;
  displayName?: string;
}

export interface SessionInfo {
  csrfToken: string;
  expiresAt: string;
  actor: StaffActor;
}

export interface SessionContextValue {
  session: SessionInfo;
  signOut: () => Promise<void>;
}

export const SessionContext = createContext<SessionContextValue | undefined>(undefined);

export function useSession(): SessionContextValue {
  const value = useContext(SessionContext);
  if (!value) throw new Error('useSession outside a signed-in page');
  return value;
}
