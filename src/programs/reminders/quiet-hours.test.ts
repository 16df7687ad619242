import { describe, expect, it } from 'vitest';
import { inSendWindow, nextSendTime } from './quiet-hours.ts';

// 07:00 Vietnam time = 00:00 UTC.
const vn = (local: string) => new Date(`${local}+07:00`);

describe('quiet hours', () => {
  it('never sends between 21:00 and 07:00 Vietnam time', () => {
    expect(inSendWindow(vn('2025-03-01T06:59:00'))).toBe(false);
    expect(inSendWindow(vn('2025-03-01T07:00:00'))).toBe(true);
    expect(inSendWindow(vn('2025-03-01T20:59:00'))).toBe(true);
    expect(inSendWindow(vn('2025-03-01T21:00:00'))).toBe(false);
  });

  it('a reminder produced at night waits for 07:00; one produced in the day goes now', () => {
    expect(nextSendTime(vn('2025-03-01T23:30:00'))).toEqual(vn('2025-03-02T07:00:00'));
    expect(nextSendTime(vn('2025-03-01T03:00:00'))).toEqual(vn('2025-03-01T07:00:00'));
    expect(nextSendTime(vn('2025-03-01T10:00:00'))).toEqual(vn('2025-03-01T10:00:00'));
  });

  it('keeps to the preferred hour, clamped into the window', () => {
    expect(nextSendTime(vn('2025-03-01T06:00:00'), undefined, 18)).toEqual(vn('2025-03-01T18:00:00'));
    expect(nextSendTime(vn('2025-03-01T22:00:00'), undefined, 18)).toEqual(vn('2025-03-02T18:00:00'));
    expect(nextSendTime(vn('2025-03-01T06:00:00'), undefined, 23)).toEqual(vn('2025-03-01T20:00:00'));
    expect(nextSendTime(vn('2025-03-01T06:00:00'), { startHour: 8, endHour: 20 }, 5)).toEqual(vn('2025-03-01T08:00:00'));
  });
});
