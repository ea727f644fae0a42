import { test, expect, type Browser, type Page } from '@playwright/test';
import { PASSWORD, doorShiftDays, jsEnabled, open, uniqueEmail, watchConsole } from './helpers';
import { waitForMail } from './mailbox';

const FAIR = 'hanoi-sif-2026';
const DEMO_PASSWORD = 'fairlink-demo-2026';

async function signIn(page: Page, testInfo: Parameters<typeof open>[1], email: string, password = DEMO_PASSWORD) {
  await open(page, testInfo, '/login');
  await page.getByLabel('Email address').fill(email);
  await page.getByLabel('Password', { exact: true }).fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page).toHaveURL(/\/(account|organiser)$/);
}

async function as(browser: Browser, testInfo: Parameters<typeof open>[1], email: string): Promise<Page> {
  const context = await browser.newContext({ javaScriptEnabled: jsEnabled(testInfo), locale: 'en-US' });
  const page = await context.newPage();
  await signIn(page, testInfo, email);
  return page;
}

/** Issues a walk-in badge at the organisers' desk and returns its code. */
async function walkIn(page: Page, testInfo: Parameters<typeof open>[1], name: string): Promise<string> {
  await open(page, testInfo, `/organiser/fairs/${FAIR}/badges`);
  const form = page.locator('form').filter({ has: page.locator('select[name=kind]') });
  await form.locator('input[name=name]').fill(name);
  await form.locator('input[name=organisation]').fill('Walk-in Co.');
  await form.locator('select[name=kind]').selectOption('visitor');
  await form.locator('button[type=submit]').click();
  await expect(page).toHaveURL(/issued=/);
  const issued = page.locator('#issued');
  await expect(issued.getByRole('heading', { name })).toBeVisible();
  await expect(issued.locator('svg')).toBeVisible();
  return (await issued.locator('code[data-token]').getAttribute('data-token'))!;
}

test('a visitor registers, gets the badge by mail, and an exhibitor saves the lead', async ({ browser }, testInfo) => {
  const email = uniqueEmail(testInfo, 'visitor');
  const visitorName = `Kim Min-jun ${Date.now() % 100000}`;
  const context = await browser.newContext({ javaScriptEnabled: jsEnabled(testInfo), locale: 'en-US' });
  const page = await context.newPage();
  const problems = watchConsole(page);
  await open(page, testInfo, '/signup?role=visitor');
  await page.getByLabel('Full name').fill(visitorName);
  await page.getByLabel('Email address').fill(email);
  await page.getByLabel('Password', { exact: true }).fill(PASSWORD);
  await page.getByRole('button', { name: 'Create account' }).click();
  await expect(page).toHaveURL(/\/account$/);

  await open(page, testInfo, `/fairs/${FAIR}/register`);
  await page.getByLabel('Company or organisation').fill('Hyundai Mobis');
  await page.getByLabel('I source for a manufacturer').check();
  await page.getByLabel('Exhibitors may save my contact').check();
  await page.getByRole('button', { name: 'Register and get my badge' }).click();
  await expect(page).toHaveURL(/\/badges\?registered=/);
  await expect(page.getByRole('status')).toContainText('You are registered');
  const card = page.locator('article.badge-card');
  await expect(card.getByRole('heading', { name: visitorName })).toBeVisible();
  await expect(card).toContainText('Buyer');
  await expect(card).toContainText('Exhibitors may save you as a lead');
  const token = (await card.locator('code[data-token]').getAttribute('data-token'))!;
  expect(token).toMatch(/^FL2[A-Z2-7]+$/);
  const pdf = await page.request.get((await card.getByRole('link', { name: /Download the badge/ }).getAttribute('href'))!);
  expect(pdf.status()).toBe(200);
  expect((await pdf.body()).subarray(0, 5).toString()).toBe('%PDF-');
  const mail = await waitForMail(email, /Your badge for|Thẻ tham quan/);
  expect(mail.html || '').toContain('alt="QR"');
  expect(mail.attachments.some((a) => a.contentType === 'application/pdf')).toBe(true);

  // Registering twice: told so, no second badge.
  await open(page, testInfo, `/fairs/${FAIR}/register`);
  await expect(page.getByText('You are registered for this fair.')).toBeVisible();

  // An exhibitor with a booth at the fair types the code (as a handheld
  // scanner would) and notes the lead.
  const exhibitor = await as(browser, testInfo, 'exhibitor2@fairlink.example');
  await open(exhibitor, testInfo, '/firm/leads');
  const capture = exhibitor.locator('form').filter({ has: exhibitor.locator('input[name=code]') });
  await capture.locator('input[name=code]').fill(token);
  await capture.locator('textarea[name=notes]').fill('Wants die-cast samples');
  await capture.locator('input[name=rating]').fill('4');
  await capture.locator('input[name=tags]').fill('sample, quotation');
  await capture.locator('button[type=submit]').click();
  await expect(exhibitor).toHaveURL(/\/firm\/leads\?saved=/);
  const lead = exhibitor.locator('article.lead').filter({ hasText: visitorName });
  await expect(lead).toContainText('Hyundai Mobis');
  const csv = await exhibitor.request.get('/firm/leads.csv');
  expect(csv.status()).toBe(200);
  expect(await csv.text()).toContain(visitorName);

  // Another exhibitor's list does not have it.
  const rival = await as(browser, testInfo, 'exhibitor@fairlink.example');
  await open(rival, testInfo, '/firm/leads');
  await expect(rival.locator('article.lead').filter({ hasText: visitorName })).toHaveCount(0);
  expect(problems).toEqual([]);
});

test('the scanner keeps deciding offline, survives a reload, and the server ends with the right check-ins', async ({ browser }, testInfo) => {
  test.skip(!jsEnabled(testInfo), 'the scanner is a script');
  const organiser = await as(browser, testInfo, 'organiser@fairlink.example');
  const stamp = Date.now() % 100000;
  const [a, b, c] = [
    await walkIn(organiser, testInfo, `Online Visitor ${stamp}`),
    await walkIn(organiser, testInfo, `Offline Visitor ${stamp}`),
    await walkIn(organiser, testInfo, `Third Visitor ${stamp}`),
  ];
  const figure = async (name: string) => Number((await organiser.locator(`[data-figure=${name}]`).textContent())!.replace(/[.,]/g, ''));
  await open(organiser, testInfo, `/organiser/fairs/${FAIR}/live?day=2026-12-16`);
  const before = { inside: await figure('inside'), entries: await figure('entries'), refused: await figure('refused') };

  const context = await browser.newContext({ locale: 'en-US', serviceWorkers: 'allow' });
  const page = await context.newPage();
  const problems = watchConsole(page);
  // The scanner's clock runs as the server's doors do: on the fair's day.
  await page.clock.install({ time: Date.now() + doorShiftDays() * 86_400_000 });
  await signIn(page, testInfo, 'staff@fairlink.example');
  await open(page, testInfo, `/fairs/${FAIR}/scan`);
  const scanner = page.locator('.scanner');
  await expect(scanner).toHaveAttribute('data-offline-ready', 'true');
  const gate = page.locator('select[name=gate]');
  await gate.selectOption({ label: 'N1 · Cổng Bắc' });
  const code = page.locator('#scan-code');
  const verdict = page.locator('.verdict');
  const scan = async (token: string, outcome: string, offline: boolean, reason?: string) => {
    await code.fill(token);
    await code.press('Enter');
    await expect(verdict).toHaveAttribute('data-outcome', outcome);
    await expect(verdict).toHaveAttribute('data-offline', String(offline));
    if (reason) await expect(verdict).toHaveAttribute('data-reason', reason);
    await verdict.click();
    await expect(verdict).toHaveCount(0);
  };

  // Online: the server decides, with the holder's name.
  await code.fill(a);
  await code.press('Enter');
  await expect(verdict).toHaveAttribute('data-outcome', 'admitted');
  await expect(verdict).toContainText(`Online Visitor ${stamp}`);
  await expect(verdict).toContainText('Mời vào');
  await verdict.click();

  // The network drops: the page decides by itself and queues.
  await context.setOffline(true);
  await scan(b, 'admitted', true, 'ok');
  await scan(b, 'refused', true, 'already_inside');
  await scan('FL1THISISNOTABADGE', 'refused', true, 'malformed');
  await expect(page.locator('.scanner__net')).toHaveAttribute('data-online', 'false');
  await expect(page.locator('.scanner__queued')).toHaveAttribute('data-queued', '3');

  // A reload without network: the page comes back from the service worker,
  // with its queue, and remembers who came in (online too).
  await page.reload();
  await expect(page.locator('body')).toHaveAttribute('data-hydrated', 'true');
  await expect(page.locator('.scanner__queued')).toHaveAttribute('data-queued', '3');
  await gate.selectOption({ label: 'N1 · Cổng Bắc' });
  await scan(a, 'refused', true, 'already_inside');
  await scan(c, 'admitted', true, 'ok');
  await expect(page.locator('.scanner__queued')).toHaveAttribute('data-queued', '5');

  // Back online: the queue goes up, each scan once.
  await context.setOffline(false);
  await expect(page.locator('.scanner__queued')).toHaveAttribute('data-queued', '0', { timeout: 30_000 });
  await expect(page.locator('.scanner__net')).toHaveAttribute('data-online', 'true');

  // The organiser's live figures: three more inside, three more entries,
  // three more refusals (the offline ones included).
  await expect(async () => {
    expect(await figure('inside')).toBe(before.inside + 3);
  }).toPass({ timeout: 15_000 });
  expect(await figure('entries')).toBe(before.entries + 3);
  expect(await figure('refused')).toBe(before.refused + 3);
  expect(problems.filter((p) => !/ERR_INTERNET_DISCONNECTED|Failed to fetch|net::/.test(p))).toEqual([]);
});
