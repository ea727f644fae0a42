import { expect, type Page, type TestInfo } from '@playwright/test';

export const PASSWORD = 'a long enough passphrase';
export { DEMO_FAIR_DAY, doorShiftDays } from './clock';

export function jsEnabled(testInfo: TestInfo): boolean {
  return testInfo.project.name === 'js';
}

/** A unique address for this test run and project. */
export function uniqueEmail(testInfo: TestInfo, tag: string): string {
  const stamp = `${Date.now()}${Math.floor(Math.random() * 1000)}`;
  return `e2e-${tag}-${testInfo.project.name}-${stamp}@fairlink.example`;
}

/**
 * Collects script errors and console errors (CSP violations included). The
 * browser also logs every 4xx answer as an error: those are the app's
 * deliberate refusals (401 before sign-in, 422 for bad input) and are left
 * out; 5xx answers are kept.
 */
export function watchConsole(page: Page): string[] {
  const problems: string[] = [];
  page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
  page.on('console', (m) => {
    const text = m.text();
    const clientError = /Failed to load resource: the server responded with a status of 4\d\d/.test(text);
    if (m.type() === 'error' && !clientError) problems.push(`console: ${text}`);
  });
  return problems;
}

/** Opens a page; with JavaScript, waits until the app has hydrated. */
export async function open(page: Page, testInfo: TestInfo, path: string): Promise<void> {
  await page.goto(path);
  if (jsEnabled(testInfo)) {
    await expect(page.locator('body')).toHaveAttribute('data-hydrated', 'true');
  }
}
