import { test, expect, type Browser, type Page } from '@playwright/test';
import { PASSWORD, jsEnabled, open, uniqueEmail, watchConsole } from './helpers';

const FAIR = 'hanoi-sif-2026';
const DEMO_PASSWORD = 'fairlink-demo-2026';

async function as(browser: Browser, testInfo: Parameters<typeof open>[1], email: string): Promise<Page> {
  const context = await browser.newContext({ javaScriptEnabled: jsEnabled(testInfo), locale: 'en-US' });
  const page = await context.newPage();
  await open(page, testInfo, '/login');
  await page.getByLabel('Email address').fill(email);
  await page.getByLabel('Password', { exact: true }).fill(DEMO_PASSWORD);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page).toHaveURL(/\/(account|organiser)$/);
  return page;
}

test('a buyer finds a recommended supplier, asks to meet, the supplier accepts, the organiser schedules, both see it', async ({ browser }, testInfo) => {
  const company = `E2E Motors ${testInfo.project.name} ${Date.now() % 100000}`;
  // A new buyer.
  const context = await browser.newContext({ javaScriptEnabled: jsEnabled(testInfo), locale: 'en-US' });
  const buyer = await context.newPage();
  const problems = watchConsole(buyer);
  await open(buyer, testInfo, '/signup?role=visitor');
  await buyer.getByLabel('Full name').fill('Sato Kenji');
  await buyer.getByLabel('Email address').fill(uniqueEmail(testInfo, 'buyer'));
  await buyer.getByLabel('Password', { exact: true }).fill(PASSWORD);
  await buyer.getByRole('button', { name: 'Create account' }).click();
  await expect(buyer).toHaveURL(/\/account$/);

  // What it sources: cast aluminium brackets (HS 8708.99), die casting.
  await open(buyer, testInfo, `/fairs/${FAIR}/meetings`);
  await expect(buyer.getByText('No recommendations yet')).toBeVisible();
  const needs = buyer.locator('#needs form');
  await needs.getByLabel('Company').fill(company);
  await needs.getByLabel('Country').fill('JP');
  await needs.getByLabel('HS codes').fill('8708.99');
  await needs.getByRole('checkbox', { name: 'Die casting' }).check();
  await needs.getByRole('checkbox', { name: 'Japan', exact: true }).check();
  await needs.getByRole('button', { name: 'Save needs' }).click();
  await expect(buyer).toHaveURL(/saved=needs/);

  // The best fit comes first, with its reasons; the buyer asks to meet.
  const first = buyer.locator('#recommendations article.recommendation').first();
  await expect(first).toContainText('HS 870899');
  await expect(first).toContainText('Die casting');
  const supplier = (await first.locator('h3').evaluate((h) =>
    Array.from(h.childNodes).filter((n) => n.nodeType === Node.TEXT_NODE).map((n) => n.textContent).join(''))).trim();
  expect(supplier.length).toBeGreaterThan(3);
  await first.getByLabel('Message').fill('We would like to discuss brackets for 2027.');
  await first.getByRole('button', { name: 'Request a meeting' }).click();
  await expect(buyer.getByRole('status')).toContainText('Meeting request sent');
  const mine = buyer.locator('#requests article').filter({ hasText: supplier });
  await expect(mine).toContainText('Pending');

  // The supplier (the demo exhibitor's firm, whose pages are in Vietnamese) accepts.
  const exhibitor = await as(browser, testInfo, 'exhibitor@fairlink.example');
  await open(exhibitor, testInfo, `/fairs/${FAIR}/meetings`);
  const asked = exhibitor.locator('#requests article').filter({ hasText: company });
  await expect(asked).toContainText('We would like to discuss brackets');
  await expect(asked).toHaveAttribute('data-status', 'pending');
  await asked
    .locator('form')
    .filter({ has: exhibitor.locator('input[name=answer][value=accept]') })
    .locator('button[type=submit]')
    .click();
  await expect(exhibitor).toHaveURL(/answered=1/);
  await expect(exhibitor.locator('#requests article').filter({ hasText: company })).toHaveAttribute('data-status', 'accepted');
  await open(buyer, testInfo, `/fairs/${FAIR}/meetings`);
  await expect(buyer.locator('#requests article').filter({ hasText: supplier })).toContainText('Accepted');

  // The organiser schedules.
  const organiser = await as(browser, testInfo, 'organiser@fairlink.example');
  await open(organiser, testInfo, `/organiser/fairs/${FAIR}/meetings`);
  await organiser.locator('#run-schedule button[type=submit]').click();
  // The run goes on in the background; the page follows it until it ends.
  await expect(organiser).toHaveURL(/run=[0-9a-f-]{36}/, { timeout: 30_000 });
  await expect(organiser.locator('[data-run-status=done]')).toBeVisible({ timeout: 30_000 });

  // Both see the meeting in their agenda, at the same time.
  await open(buyer, testInfo, `/fairs/${FAIR}/agenda`);
  const row = buyer.locator('table.agenda tr').filter({ hasText: supplier });
  await expect(row).toHaveCount(1);
  const when = await row.locator('td').first().getAttribute('data-start');
  expect(when).toBeTruthy();
  await expect(buyer.locator(`a[href="/fairs/${FAIR}/agenda.ics"]`)).toBeVisible();
  await open(exhibitor, testInfo, `/fairs/${FAIR}/agenda`);
  const theirs = exhibitor.locator('table.agenda tr').filter({ hasText: company });
  await expect(theirs).toHaveCount(1);
  await expect(theirs.locator('td').first()).toHaveAttribute('data-start', when!);

  // Afterwards the buyer says how it went; the organiser's figures count it.
  await open(buyer, testInfo, `/fairs/${FAIR}/agenda`);
  const mineRow = buyer.locator('table.agenda tr').filter({ hasText: supplier });
  await mineRow.locator('select[name=outcome]').selectOption('held');
  await mineRow.locator('select[name=follow_up]').selectOption('quotation');
  await mineRow.locator('input[name=note]').fill('Quotation by Friday');
  await mineRow.locator('button[type=submit]').click();
  await expect(buyer).toHaveURL(/thanks=1/);
  await open(organiser, testInfo, `/organiser/fairs/${FAIR}/meetings`);
  const all = organiser.locator('table.meeting-figures tr[data-sector=""] td');
  await expect(all.nth(3)).not.toHaveText('0');
  await expect(all.nth(5)).not.toHaveText('0');

  // The calendar file downloads for the signed-in buyer.
  const ics = await buyer.request.get(`/fairs/${FAIR}/agenda.ics`);
  expect(ics.status()).toBe(200);
  expect(ics.headers()['content-type']).toContain('text/calendar');
  expect(await ics.text()).toContain(supplier.split(' ')[0]);

  expect(problems).toEqual([]);
});
