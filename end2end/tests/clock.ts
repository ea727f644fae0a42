// The demo fair's day, shared by the test runner's configuration and the
// tests (this module imports nothing of Playwright's).

/** The demo fair's first day. */
export const DEMO_FAIR_DAY = '2026-12-16';

/**
 * Whole days from today in Hanoi to the demo fair's first day. The server
 * runs its doors (scanner verdicts and uploads) that many days ahead
 * (FAIRLINK_DOOR_CLOCK_SHIFT_DAYS, a rehearsal) and the scanner's browser
 * clock is moved as far, so both agree it is the fair's first day: the
 * server decides online scans at its own time.
 */
export function doorShiftDays(): number {
  const hanoiToday = new Date(Date.now() + 7 * 3600_000).toISOString().slice(0, 10);
  return Math.round((Date.parse(DEMO_FAIR_DAY) - Date.parse(hanoiToday)) / 86_400_000);
}
