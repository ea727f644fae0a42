import { test, expect } from '@playwright/test';
import { PASSWORD, jsEnabled, open, uniqueEmail, watchConsole } from './helpers';

test('a new visitor signs up, signs in, switches language and back, signs out', async ({ page }, testInfo) => {
  const problems = watchConsole(page);
  const email = uniqueEmail(testInfo, 'visitor');

  await open(page, testInfo, '/');
  await expect(page.locator('html')).toHaveAttribute('lang', 'en');
  await page.getByRole('navigation').getByRole('link', { name: 'Sign up' }).click();
  await expect(page).toHaveURL(/\/signup$/);
  if (jsEnabled(testInfo)) await expect(page.locator('body')).toHaveAttribute('data-hydrated', 'true');

  await page.getByLabel('A visitor or buyer').check();
  await page.getByLabel('Full name').fill('Nguyễn Thị Thu');
  await page.getByLabel('Email address').fill(email);
  await page.getByLabel('Password', { exact: true }).fill(PASSWORD);
  await page.getByRole('button', { name: 'Create account' }).click();

  await expect(page).toHaveURL(/\/account$/);
  await expect(page.getByRole('heading', { name: 'My account' })).toBeVisible();
  await expect(page.getByText(email)).toBeVisible();
  await expect(page.getByText('Nguyễn Thị Thu')).toBeVisible();

  await page.getByRole('button', { name: 'Sign out' }).click();
  await expect(page).toHaveURL(/\/$/);
  await expect(page.getByRole('navigation').getByRole('link', { name: 'Sign in' })).toBeVisible();

  await page.getByRole('navigation').getByRole('link', { name: 'Sign in' }).click();
  await expect(page).toHaveURL(/\/login$/);
  if (jsEnabled(testInfo)) await expect(page.locator('body')).toHaveAttribute('data-hydrated', 'true');
  await page.getByLabel('Email address').fill(email);
  await page.getByLabel('Password', { exact: true }).fill(PASSWORD);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page).toHaveURL(/\/account$/);
  await expect(page.getByRole('heading', { name: 'My account' })).toBeVisible();

  await page.getByRole('button', { name: 'Switch the interface to Vietnamese' }).click();
  await expect(page.getByRole('heading', { name: 'Tài khoản của tôi' })).toBeVisible();
  await expect(page.locator('html')).toHaveAttribute('lang', 'vi');
  await expect(page.getByRole('button', { name: 'Đăng xuất' })).toBeVisible();

  // The choice sticks.
  await page.reload();
  await expect(page.getByRole('heading', { name: 'Tài khoản của tôi' })).toBeVisible();
  if (jsEnabled(testInfo)) await expect(page.locator('body')).toHaveAttribute('data-hydrated', 'true');

  await page.getByRole('button', { name: 'Chuyển giao diện sang tiếng Anh' }).click();
  await expect(page.getByRole('heading', { name: 'My account' })).toBeVisible();
  await expect(page.locator('html')).toHaveAttribute('lang', 'en');

  await page.getByRole('button', { name: 'Sign out' }).click();
  await expect(page.getByRole('navigation').getByRole('link', { name: 'Sign in' })).toBeVisible();
  await page.goto('/account');
  await expect(page.getByText('Please sign in to see this page.')).toBeVisible();

  expect(problems).toEqual([]);
});

test('bad input gets a clear message in the reader\'s language', async ({ page }, testInfo) => {
  const problems = watchConsole(page);
  await open(page, testInfo, '/login');
  await page.getByLabel('Email address').fill('nobody@fairlink.example');
  await page.getByLabel('Password', { exact: true }).fill('not the password at all');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.getByRole('alert')).toHaveText('The email address or password is not correct.');

  await open(page, testInfo, '/signup');
  await page.getByLabel('Full name').fill('Trần Văn Nam');
  await page.getByLabel('Email address').fill('not-an-address');
  await page.getByLabel('Password', { exact: true }).fill(PASSWORD);
  await page.getByRole('button', { name: 'Create account' }).click();
  await expect(page.getByText('Please enter a valid email address.')).toBeVisible();
  await expect(page.getByLabel('Email address')).toHaveAttribute('aria-invalid', 'true');

  // The seeded organiser exists: taking the address is refused.
  await open(page, testInfo, '/signup');
  await page.getByLabel('Full name').fill('Trần Văn Nam');
  await page.getByLabel('Email address').fill('organiser@fairlink.example');
  await page.getByLabel('Password', { exact: true }).fill(PASSWORD);
  await page.getByRole('button', { name: 'Create account' }).click();
  await expect(page.getByText('This email address is already used by another account.')).toBeVisible();

  expect(problems).toEqual([]);
});
