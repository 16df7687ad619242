// When a reminder may be sent: never inside the quiet window (default 21:00–07:00 Vietnam time),
// at the resident's preferred hour when they chose one.
export interface SendWindow {
  /** Local hour sending may start (inclusive), e.g. 7. */
  startHour: number;
  /** Local hour sending stops (exclusive), e.g. 21. */
  endHour: number;
}

export const DEFAULT_WINDOW: SendWindow = { startHour: 7, endHour: 21 };
const VN_OFFSET_MS = 7 * 3_600_000;

export function localHour(at: Date): number {
  return new Date(at.getTime() + VN_OFFSET_MS).getUTCHours();
}

export function inSendWindow(at: Date, window: SendWindow = DEFAULT_WINDOW): boolean {
  const h = localHour(at);
  return h >= window.startHour && h < window.endHour;
}

/**
 * The first instant at or after `from` at which the reminder may go: the preferred hour of
 * that day (or the next day when it has passed), clamped into the window.
 */
export function nextSendTime(from: Date, window: SendWindow = DEFAULT_WINDOW, preferredHour?: number | null): Date {
  const hour = preferredHour === undefined || preferredHour === null ? window.startHour : Math.min(Math.max(preferredHour, window.startHour), window.endHour - 1);
  const local = new Date(from.getTime() + VN_OFFSET_MS);
  const dayStart = Date.UTC(local.getUTCFullYear(), local.getUTCMonth(), local.getUTCDate()) - VN_OFFSET_MS;
  const at = (day: number, h: number) => new Date(dayStart + day * 86_400_000 + h * 3_600_000);
  if (preferredHour === undefined || preferredHour === null) {
    if (inSendWindow(from, window)) return from;
    return localHour(from) < window.startHour ? at(0, window.startHour) : at(1, window.startHour);
  }
  const today = at(0, hour);
  if (from <= today) return today;
  // Past the preferred hour but still in the window: send now rather than tomorrow.
  return inSendWindow(from, window) ? from : at(1, hour);
}
