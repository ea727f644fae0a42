import { test, expect } from '@playwright/test';
import { PASSWORD, jsEnabled, open, uniqueEmail, watchConsole } from './helpers';
import { linkIn, waitForMail } from './mailbox';

test('a forgotten password is reset with the link from the mail', async ({ page }, testInfo) => {
  const problems = watchConsole(page);
  const email = uniqueEmail(testInfo, 'reset');

  // An account to forget the password of.
  await open(page, testInfo, '/signup');
  await page.getByLabel('Full name').fill('Vũ Thị Hồng');
  await page.getByLabel('Email address').fill(email);
  await page.getByLabel('Password', { exact: true }).fill(PASSWORD);
  await page.getByRole('button', { name: 'Create account' }).click();
  await expect(page).toHaveURL(/\/account$/);
  await page.getByRole('button', { name: 'Sign out' }).click();
  await expect(page.getByRole('navigation').getByRole('link', { name: 'Sign in' })).toBeVisible();

  await open(page, testInfo, '/login');
  await page.getByRole('link', { name: 'Forgot your password?' }).click();
  await expect(page).toHaveURL(/\/forgot$/);
  if (jsEnabled(testInfo)) await expect(page.locator('body')).toHaveAttribute('data-hydrated', 'true');
  await page.getByLabel('Email address').fill(email);
  await page.getByRole('button', { name: 'Send the link' }).click();
  await expect(page.getByRole('status')).toContainText('If this address belongs to an account');

  const mail = await waitForMail(email, /Reset your Fairlink password|Đặt lại mật khẩu Fairlink/);
  const link = linkIn(mail, 'reset');
  await page.goto(link);
  await expect(page.getByRole('heading', { name: 'Choose a new password' })).toBeVisible();
  const fresh = 'a fresh passphrase for the fair';
  await page.getByLabel('New password').fill(fresh);
  await page.getByRole('button', { name: 'Save the new password' }).click();
  await expect(page).toHaveURL(/\/account\?reset=1$/);
  await expect(page.getByRole('status')).toContainText('Password changed');

  // The link worked once.
  await page.goto(link);
  await expect(page.getByRole('alert')).toHaveText(
    'This link is no longer valid (already used or expired). Please ask for a new one.',
  );

  // The old password is gone, the new one works.
  await page.getByRole('button', { name: 'Sign out' }).click();
  await open(page, testInfo, '/login');
  await page.getByLabel('Email address').fill(email);
  await page.getByLabel('Password', { exact: true }).fill(PASSWORD);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.getByRole('alert')).toHaveText('The email address or password is not correct.');
  await page.getByLabel('Email address').fill(email);
  await page.getByLabel('Password', { exact: true }).fill(fresh);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page).toHaveURL(/\/account$/);
  expect(problems).toEqual([]);
});
