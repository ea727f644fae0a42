import { test, expect, type Browser, type Page } from '@playwright/test';
import { jsEnabled, open, watchConsole } from './helpers';

const FAIR = 'hanoi-sif-2026';
const DEMO_PASSWORD = 'fairlink-demo-2026';

async function signIn(page: Page, testInfo: Parameters<typeof open>[1], email: string) {
  await open(page, testInfo, '/login');
  await page.getByLabel('Email address').fill(email);
  await page.getByLabel('Password', { exact: true }).fill(DEMO_PASSWORD);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page).toHaveURL(/\/(account|organiser)$/);
}

async function exhibitor(browser: Browser, testInfo: Parameters<typeof open>[1], email: string) {
  const context = await browser.newContext({ javaScriptEnabled: jsEnabled(testInfo), locale: 'en-US' });
  const page = await context.newPage();
  await signIn(page, testInfo, email);
  return page;
}

/** Confirms the hold shown on /bookings with one extra, and checks the booking. */
async function confirmHold(page: Page, code: string) {
  await expect(page).toHaveURL(new RegExp(`/bookings\\?held=${code}`));
  const card = page.locator('article.claim--held').filter({ hasText: code });
  await expect(card).toBeVisible();
  await expect(card.locator('.price__total dd')).not.toHaveText(/^0/);
  await card.locator('input[name="power_3kw"]').check();
  await card.locator('form').filter({ has: page.locator('input[name="power_3kw"]') }).locator('button[type="submit"]').click();
  await expect(page).toHaveURL(new RegExp(`/bookings\\?confirmed=${code}`));
  const booked = page.locator('article.claim').filter({ hasText: code });
  await expect(booked.locator('.badge--confirmed')).toBeVisible();
  const invoice = booked.locator('a[href$="/invoice.pdf"]');
  await expect(invoice).toBeVisible();
  const pdf = await page.request.get((await invoice.getAttribute('href'))!);
  expect(pdf.status()).toBe(200);
  expect((await pdf.body()).subarray(0, 5).toString()).toBe('%PDF-');
}

test('an exhibitor books a booth on the plan and a rival sees it taken', async ({ browser }, testInfo) => {
  test.skip(!jsEnabled(testInfo), 'the map with JavaScript');
  const first = await exhibitor(browser, testInfo, 'exhibitor@fairlink.example');
  const rival = await exhibitor(browser, testInfo, 'exhibitor2@fairlink.example');
  const problems = [...watchConsole(first), ...watchConsole(rival)];

  // The rival watches hall B before anything happens.
  await open(rival, testInfo, `/fairs/${FAIR}/plan?hall=B`);
  await open(first, testInfo, `/fairs/${FAIR}/plan?hall=B`);
  const free = first.locator('a.booth[data-status="free"]').first();
  const code = (await free.getAttribute('data-code'))!;
  const watched = rival.locator(`a.booth[data-code="${code}"]`);
  await expect(watched).toHaveAttribute('data-status', 'free');

  // Filters dim other zones; hovering shows the details.
  await free.hover();
  await expect(first.locator('.plan__details h3')).toContainText(code);

  // Pick, hold, confirm.
  await free.click();
  await first.locator('.plan__details button.button--primary').click();
  await confirmHold(first, code);

  // The rival's open map follows without a reload.
  await expect(watched).toHaveAttribute('data-status', 'reserved', { timeout: 20_000 });
  await watched.click();
  await expect(rival.locator('.plan__details')).toContainText(code);
  await expect(rival.locator('.plan__details button.button--primary')).toHaveCount(0);

  // The booking shows on the first firm's map as its own.
  await open(first, testInfo, `/fairs/${FAIR}/plan?hall=B`);
  await expect(first.locator(`a.booth[data-code="${code}"]`)).toHaveClass(/booth--mine/);
  await expect(first.locator(`a.booth[data-code="${code}"]`)).toHaveAttribute('data-status', 'reserved');
  expect(problems).toEqual([]);
});

test('an exhibitor books from the plain list and a rival with an old page is told the booth is taken', async ({ browser }, testInfo) => {
  test.skip(jsEnabled(testInfo), 'the list without JavaScript');
  const first = await exhibitor(browser, testInfo, 'exhibitor@fairlink.example');
  const rival = await exhibitor(browser, testInfo, 'exhibitor2@fairlink.example');

  // Without JavaScript the plan is still drawn on the server, each booth a link to the list.
  await open(first, testInfo, `/fairs/${FAIR}/plan?hall=C`);
  const drawn = first.locator('svg.plan__svg a.booth');
  expect(await drawn.count()).toBeGreaterThan(50);
  expect(await drawn.first().getAttribute('href')).toMatch(new RegExp(`/fairs/${FAIR}/booths#booth-C-`));

  await open(first, testInfo, `/fairs/${FAIR}/booths?free=1`);
  const row = first.locator('tr.booth-row--free').filter({ has: first.locator('th', { hasText: /^C-/ }) }).first();
  const code = (await row.locator('th').textContent())!.trim();
  // The rival loads the same list now and acts on it later.
  await open(rival, testInfo, `/fairs/${FAIR}/booths?free=1`);
  const stale = rival.locator(`#booth-${code}`);
  await expect(stale.locator('form button')).toBeVisible();

  await row.locator('form button').click();
  await confirmHold(first, code);

  await stale.locator('form button').click();
  await expect(rival.getByRole('alert')).toContainText(/took this booth|vừa được đơn vị khác chọn/);

  await open(rival, testInfo, `/fairs/${FAIR}/booths`);
  await expect(rival.locator(`#booth-${code}`)).toHaveClass(/booth-row--reserved/);
  await expect(rival.locator(`#booth-${code} form`)).toHaveCount(0);
});

test('an organiser sets up, edits a hall plan and reviews bookings, allocation and figures', async ({ browser }, testInfo) => {
  const context = await browser.newContext({ javaScriptEnabled: jsEnabled(testInfo), locale: 'en-US' });
  const page = await context.newPage();
  const problems = watchConsole(page);
  await signIn(page, testInfo, 'organiser@fairlink.example');

  await open(page, testInfo, '/organiser/fairs');
  await expect(page.locator(`a[href="/organiser/fairs/${FAIR}"]`).first()).toBeVisible();
  await open(page, testInfo, `/organiser/fairs/${FAIR}`);
  await expect(page.locator('#halls + .table-wrap tbody tr')).toHaveCount(3);
  await expect(page.locator('#zones + .table-wrap tbody tr').first()).toBeVisible();

  await open(page, testInfo, `/organiser/fairs/${FAIR}/halls/C`);
  const svg = page.locator('svg.editor__svg');
  await expect(svg.locator('g.booth')).not.toHaveCount(0);
  await expect(page.locator('form[enctype="multipart/form-data"] input[type="file"]')).toBeAttached();
  if (jsEnabled(testInfo)) {
    const before = await svg.locator('g.booth').count();
    await page.locator('.editor__toolbar button').first().click(); // add a booth
    await expect(svg.locator('g.booth')).toHaveCount(before + 1);
    await page.locator('.editor__toolbar button.button--primary').click(); // save
    await expect(page.locator('.editor__state')).toContainText(/1/);
    await expect(page.locator('.editor__problems')).toHaveCount(0);
    await open(page, testInfo, `/organiser/fairs/${FAIR}/halls/C`);
    await expect(page.locator('svg.editor__svg g.booth')).toHaveCount(before + 1);
  }

  await open(page, testInfo, `/organiser/fairs/${FAIR}/bookings`);
  await expect(page.locator('tbody tr').first()).toBeVisible();
  await open(page, testInfo, `/organiser/fairs/${FAIR}/allocation`);
  await expect(page.locator('.stats__list li')).toHaveCount(5);
  await expect(page.locator('svg.plan__svg').first()).toBeVisible();
  await open(page, testInfo, `/organiser/fairs/${FAIR}/figures`);
  await expect(page.locator('table.figures').first()).toBeVisible();
  await expect(page.locator('svg.plan__svg a.booth[class*="booth--heat-"]').first()).toBeAttached();
  expect(problems).toEqual([]);
});
