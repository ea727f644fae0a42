import { test, expect, type Page } from '@playwright/test';
import { PASSWORD, jsEnabled, open, uniqueEmail, watchConsole } from './helpers';
import { linkIn, waitForMail } from './mailbox';

/** A valid Vietnamese tax code nobody else uses. */
function taxCode(): string {
  const weights = [31, 29, 23, 19, 17, 13, 7, 5, 3];
  for (;;) {
    const digits = [0, 1, ...Array.from({ length: 7 }, () => Math.floor(Math.random() * 10))];
    const sum = digits.reduce((s, d, i) => s + d * weights[i], 0);
    const check = 10 - (sum % 11);
    if (check <= 9) return digits.join('') + check;
  }
}

async function signIn(page: Page, testInfo: Parameters<typeof open>[1], email: string, password: string) {
  await open(page, testInfo, '/login');
  await page.getByLabel('Email address').fill(email);
  await page.getByLabel('Password', { exact: true }).fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
}

test('a firm registers with a certificate, is approved and found without diacritics', async ({ page }, testInfo) => {
  const problems = watchConsole(page);
  const email = uniqueEmail(testInfo, 'firm');
  const marker = `${testInfo.project.name === 'js' ? 'Quyết' : 'Thắng'} ${Math.floor(Math.random() * 100000)}`;
  const legalName = `Công ty TNHH Cơ khí Đông Á ${marker}`;
  const folded = `cong ty co khi dong a ${marker}`.normalize('NFD').replace(/[\u0300-\u036f]/g, '').replace(/đ/g, 'd');

  // An exhibitor signs up and registers the firm.
  await open(page, testInfo, '/signup?role=exhibitor');
  await page.getByLabel('Full name').fill('Ngô Thanh Tùng');
  await page.getByLabel('Email address').fill(email);
  await page.getByLabel('Password', { exact: true }).fill(PASSWORD);
  await page.getByRole('button', { name: 'Create account' }).click();
  await expect(page).toHaveURL(/\/account$/);
  // A firm is registered from a confirmed address only: the page says so
  // first, and the link in the mail confirms it.
  await page.getByRole('navigation').getByRole('link', { name: 'My firm' }).click();
  await expect(page.getByRole('heading', { name: 'Register your firm' })).toBeVisible();
  await expect(page.getByRole('note')).toContainText('confirm your e-mail address');
  await expect(page.getByLabel('Legal name (Vietnamese)')).toHaveCount(0);
  const confirmation = await waitForMail(email, /Confirm your email address|Xác nhận địa chỉ email/);
  await open(page, testInfo, new URL(linkIn(confirmation, 'verify')).pathname);
  await page.getByRole('button', { name: 'Confirm email' }).click();
  await expect(page.getByRole('status')).toHaveText('Thank you: your email address is confirmed.');
  await open(page, testInfo, '/firm');
  await expect(page.getByRole('heading', { name: 'Register your firm' })).toBeVisible();

  await page.getByLabel('Legal name (Vietnamese)').fill(legalName);
  await page.getByLabel('English name').fill(`Dong A Engineering ${marker}`);
  await page.getByLabel('Tax code', { exact: true }).first().fill(taxCode());
  await page.getByLabel('Sector group').selectOption('components');
  await page.getByLabel('Address', { exact: true }).fill('Lô B-7, KCN Quang Minh, Mê Linh');
  await page.getByLabel('Province or city').selectOption('ha_noi');
  await page.getByLabel('Contact person').fill('Ngô Thanh Tùng');
  await page.getByLabel('Email address').fill(email);
  await page.getByLabel('Phone').fill('024 3777 8888');
  await page.getByLabel('Description (English)').fill('Precision machined parts for motorcycles.');
  await page.getByRole('button', { name: 'Save' }).first().click();
  await expect(page.getByRole('status')).toHaveText('Saved.');
  await expect(page.getByRole('heading', { name: `Dong A Engineering ${marker}` })).toBeVisible();

  // A certificate with its scan.
  const certificates = page.locator('#certificates');
  await certificates.getByLabel('Certificate', { exact: true }).selectOption('iso_9001');
  await certificates.getByLabel('Certificate number').fill('QMS-2025-0042');
  await certificates.getByLabel('Issuing body').fill('QUACERT');
  await certificates.getByLabel('Issued on').fill('2025-02-10');
  await certificates.getByLabel('Expires on').fill('2028-02-09');
  await certificates.getByLabel('Scan (PDF or image)').setInputFiles({
    name: 'ISO 9001.pdf',
    mimeType: 'application/pdf',
    buffer: Buffer.from('%PDF-1.7\n1 0 obj\n<<>>\nendobj\ntrailer\n'),
  });
  await certificates.getByRole('button', { name: 'Add a certificate' }).click();
  await expect(page.locator('#certificates').getByText('QMS-2025-0042', { exact: false })).toBeVisible();
  await expect(page.locator('#certificates').getByText('Not verified yet')).toBeVisible();

  await page.getByRole('button', { name: 'Submit for approval' }).click();
  await expect(page.getByRole('status')).toContainText('Submitted.');
  await page.getByRole('button', { name: 'Sign out' }).click();

  // The organiser verifies the certificate and approves.
  await signIn(page, testInfo, 'organiser@fairlink.example', 'fairlink-demo-2026');
  await expect(page).toHaveURL(/\/organiser$/);
  await page.goto('/organiser/firms');
  await page.getByRole('link', { name: legalName }).click();
  await page.locator('#certificates').getByRole('button', { name: /Xác minh|Verify/ }).click();
  await expect(page.locator('#certificates').getByRole('button', { name: /Bỏ xác minh|Withdraw verification/ })).toBeVisible();
  await page.getByRole('button', { name: /^(Duyệt|Approve)$/ }).click();
  await expect(page.getByRole('status')).toBeVisible();
  await page.getByRole('button', { name: /Đăng xuất|Sign out/ }).click();

  // A visitor finds it, typing without diacritics.
  await open(page, testInfo, '/exhibitors');
  await page.getByLabel('Search').fill(folded);
  await page.getByRole('button', { name: 'Search', exact: true }).click();
  await expect(page.getByRole('status')).toHaveText('1 exhibitors found');
  await page.getByRole('link', { name: `Dong A Engineering ${marker}` }).click();
  await expect(page.getByRole('heading', { name: `Dong A Engineering ${marker}` })).toBeVisible();
  await expect(page.getByText('Precision machined parts for motorcycles.')).toBeVisible();
  await expect(page.locator('.certificate--verified')).toContainText('ISO 9001');
  if (jsEnabled(testInfo)) expect(problems).toEqual([]);
});
