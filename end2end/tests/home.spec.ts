import { test, expect } from '@playwright/test';
import { open, watchConsole } from './helpers';

test('the home page arrives server-rendered, in English and in Vietnamese', async ({ request }) => {
  const en = await request.get('/', { headers: { 'Accept-Language': 'en-GB,en;q=0.9' } });
  expect(en.status()).toBe(200);
  const enHtml = await en.text();
  expect(enHtml).toContain('<html lang="en"');
  expect(enHtml).toContain('Hanoi Supporting Industries Fair 2026');
  expect(enHtml).toContain('exhibiting firms');

  const vi = await request.get('/', { headers: { 'Accept-Language': 'vi-VN,vi;q=0.9' } });
  const viHtml = await vi.text();
  expect(viHtml).toContain('<html lang="vi"');
  expect(viHtml).toContain('Hội chợ Công nghiệp Hỗ trợ Hà Nội 2026');
  expect(viHtml).toContain('doanh nghiệp trưng bày');
});

test('the home page hydrates: its buttons work', async ({ page }, testInfo) => {
  test.skip(testInfo.project.name !== 'js', 'needs JavaScript');
  const problems = watchConsole(page);
  await open(page, testInfo, '/');
  const schedule = page.locator('#schedule');
  await expect(schedule).toBeHidden();
  await page.getByRole('button', { name: 'Show the daily schedule' }).click();
  await expect(schedule).toBeVisible();
  await expect(schedule.getByRole('listitem')).toHaveCount(3);
  await expect(page.getByRole('button', { name: 'Hide the daily schedule' })).toHaveAttribute('aria-expanded', 'true');
  await expect(schedule).toContainText('Wednesday, 16 Dec 2026');
  await page.getByRole('button', { name: 'Hide the daily schedule' }).click();
  await expect(schedule).toBeHidden();
  // In Vietnamese the island comes back translated and works the same.
  await page.getByRole('button', { name: 'Switch the interface to Vietnamese' }).click();
  await expect(page.locator('html')).toHaveAttribute('lang', 'vi');
  await expect(page.locator('body')).toHaveAttribute('data-hydrated', 'true');
  await page.getByRole('button', { name: 'Xem lịch từng ngày' }).click();
  await expect(schedule).toContainText('Thứ Tư, 16/12/2026');
  await page.getByRole('button', { name: 'Chuyển giao diện sang tiếng Anh' }).click();
  await expect(page.locator('html')).toHaveAttribute('lang', 'en');
  expect(problems).toEqual([]);
});
