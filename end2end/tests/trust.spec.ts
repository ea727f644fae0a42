import { test, expect, type Browser, type Page, type TestInfo } from '@playwright/test';
import AxeBuilder from '@axe-core/playwright';
import { PASSWORD, jsEnabled, open, uniqueEmail, watchConsole } from './helpers';

// The pages that guard who a firm is and who works the doors, walked as
// their users walk them: an exhibitor whose approved firm changes its name,
// the organiser who reviews the change, the organiser at the badge desk,
// and a newcomer who has not confirmed their address yet.

const FAIR = 'hanoi-sif-2026';
const DEMO_PASSWORD = 'fairlink-demo-2026';

async function as(browser: Browser, testInfo: TestInfo, email: string, locale = 'en-US', width = 1280): Promise<Page> {
  const context = await browser.newContext({
    javaScriptEnabled: jsEnabled(testInfo),
    locale,
    viewport: { width, height: width < 600 ? 844 : 900 },
  });
  // The language by the switch's cookie: it outranks the account's own.
  const base = testInfo.project.use.baseURL ?? 'http://127.0.0.1:3100';
  await context.addCookies([{ name: 'fl_lang', value: locale.slice(0, 2), url: base }]);
  const page = await context.newPage();
  await open(page, testInfo, '/login');
  // The sign-in form (the page has the language switch's form too).
  const form = page.locator('form').filter({ has: page.locator('input[name=password]') });
  await form.locator('input[name=email]').fill(email);
  await form.locator('input[name=password]').fill(DEMO_PASSWORD);
  await form.locator('button[type=submit]').click();
  await expect(page).toHaveURL(/\/(account|organiser)$/);
  return page;
}

/**
 * No WCAG A/AA violation, nothing wider than the screen. Checked where
 * scripts run (axe is a script; the markup is the same server-rendered page
 * without them).
 */
async function wellMade(page: Page, testInfo: TestInfo, what: string): Promise<void> {
  if (!jsEnabled(testInfo)) return;
  const results = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa']).analyze();
  const found = results.violations.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
  expect(found, `${what}: accessibility`).toEqual([]);
  const [scroll, inner] = await page.evaluate(() => [document.documentElement.scrollWidth, window.innerWidth]);
  expect(scroll, `${what}: ${scroll}px wide on a ${inner}px screen`).toBeLessThanOrEqual(inner);
}

async function shoot(page: Page, testInfo: TestInfo, name: string): Promise<void> {
  await page.screenshot({ path: testInfo.outputPath(`${name}.png`), fullPage: true });
}

test('an approved firm changes its name only once the organisers approve', async ({ browser }, testInfo) => {
  const stamp = `${testInfo.project.name}-${Date.now() % 100000}`;
  const firm = await as(browser, testInfo, 'exhibitor2@fairlink.example');
  const problems = watchConsole(firm);
  await open(firm, testInfo, '/firm');
  const publicLink = firm.getByRole('link', { name: 'See the public page' });
  const publicPath = (await publicLink.getAttribute('href'))!;
  const profile = firm.locator('#profile');
  // The approved name, as buyers read it (the form shows a change still
  // waiting, if there is one).
  const buyer = await browser.newPage({ locale: 'en-US' });
  await buyer.goto(publicPath);
  const before = (await buyer.getByRole('heading', { level: 1 }).textContent())!.trim();
  const wanted = `Renamed Components ${stamp}`;
  await profile.locator('input[name=name_en]').fill(wanted);
  await firm.locator('#profile').getByRole('button', { name: 'Save' }).click();
  await expect(firm.getByRole('status')).toHaveText('Saved.');
  // The firm sees what waits; the form keeps what it asked for.
  const note = firm.getByRole('note').filter({ hasText: 'Changes waiting for the organisers' });
  await expect(note).toContainText(wanted);
  await expect(profile.locator('input[name=name_en]')).toHaveValue(wanted);
  await wellMade(firm, testInfo, '/firm with a change waiting');
  await shoot(firm, testInfo, 'firm-change-waiting');
  // Buyers still see the approved name.
  await buyer.goto(publicPath);
  await expect(buyer.getByRole('heading', { level: 1 })).toHaveText(before);

  // The organiser finds it in the queue, sees before and after, approves.
  const organiser = await as(browser, testInfo, 'organiser@fairlink.example');
  await open(organiser, testInfo, '/organiser/firms');
  const waiting = organiser.locator('section[aria-labelledby=identity-changes]');
  await expect(waiting).toBeVisible();
  await wellMade(organiser, testInfo, '/organiser/firms');
  const item = waiting.locator('li', { hasText: before });
  await expect(item).toContainText('English name');
  await item.getByRole('link').click();
  const identity = organiser.locator('#identity');
  await expect(identity.getByRole('heading', { name: 'Change of identity waiting for review' })).toBeVisible();
  await expect(identity.getByRole('row', { name: /English name/ })).toContainText(before);
  await expect(identity.getByRole('row', { name: /English name/ })).toContainText(wanted);
  await wellMade(organiser, testInfo, 'the review page with a change');
  await shoot(organiser, testInfo, 'review-change');
  await identity.getByRole('button', { name: 'Approve the change' }).click();
  await expect(organiser.getByRole('status')).toContainText('The decision is recorded');
  await expect(organiser.locator('#identity')).toHaveCount(0);

  // Now buyers see the new name.
  await buyer.goto(publicPath);
  await expect(buyer.getByRole('heading', { level: 1 })).toHaveText(wanted);
  expect(problems).toEqual([]);
});

test('the badge desk lists door staff and signing keys, in both languages and on a phone', async ({ browser }, testInfo) => {
  for (const [locale, width] of [['en-US', 1280], ['vi-VN', 390]] as const) {
    const organiser = await as(browser, testInfo, 'organiser@fairlink.example', locale, width);
    const problems = watchConsole(organiser);
    await open(organiser, testInfo, `/organiser/fairs/${FAIR}/badges`);
    const staff = organiser.locator('#staff');
    await expect(staff).toBeVisible();
    const row = organiser.getByRole('row', { name: /staff@fairlink\.example/ });
    await expect(row).toContainText(locale === 'en-US' ? 'Yes' : 'Có');
    await expect(organiser.locator('#keys')).toBeVisible();
    await expect(organiser.getByRole('row').filter({ hasText: locale === 'en-US' ? 'Signs new badges' : 'Đang ký thẻ mới' })).toHaveCount(1);
    await wellMade(organiser, testInfo, `the badge desk (${locale}, ${width}px)`);
    await shoot(organiser, testInfo, `desk-${locale}-${width}`);
    // Off this fair's door, then back on.
    await row.getByRole('button').click();
    await expect(organiser.getByRole('row', { name: /staff@fairlink\.example/ })).toContainText(locale === 'en-US' ? 'No' : 'Không');
    await organiser.getByRole('row', { name: /staff@fairlink\.example/ }).getByRole('button').click();
    await expect(organiser.getByRole('row', { name: /staff@fairlink\.example/ })).toContainText(locale === 'en-US' ? 'Yes' : 'Có');
    expect(problems).toEqual([]);
  }
});

test('a newcomer confirms the address before registering a firm', async ({ page }, testInfo) => {
  const problems = watchConsole(page);
  await page.setViewportSize({ width: 390, height: 844 });
  await open(page, testInfo, '/signup?role=exhibitor');
  await page.getByLabel('Full name').fill('Đinh Thị Hà');
  await page.getByLabel('Email address').fill(uniqueEmail(testInfo, 'unconfirmed'));
  await page.getByLabel('Password', { exact: true }).fill(PASSWORD);
  await page.getByRole('button', { name: 'Create account' }).click();
  await expect(page).toHaveURL(/\/account$/);
  await open(page, testInfo, '/firm');
  await expect(page.getByRole('note')).toContainText('confirm your e-mail address');
  await expect(page.getByRole('button', { name: 'Send the confirmation mail again' })).toBeVisible();
  await wellMade(page, testInfo, '/firm before the address is confirmed');
  await shoot(page, testInfo, 'firm-confirm-first');
  expect(problems).toEqual([]);
});
