// The README's pictures, taken from the running demo (see scripts/pictures.sh):
// a badge as the holder's phone shows it, and the scanner's verdict screen.
// Usage: node pictures.mjs http://127.0.0.1:3200 ../end2end/pictures
import { chromium } from '@playwright/test';
import fs from 'node:fs';
import path from 'node:path';

const base = process.argv[2] ?? 'http://127.0.0.1:3200';
const out = process.argv[3] ?? 'pictures';
const PASSWORD = 'fairlink-demo-2026';
fs.mkdirSync(out, { recursive: true });

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking'],
});

async function signedIn(email, options = {}) {
  const context = await browser.newContext({ locale: 'en-US', ...options });
  const page = await context.newPage();
  await page.goto(`${base}/login`);
  await page.fill('input[name=email]', email);
  await page.fill('input[name=password]', PASSWORD);
  await page.locator('form').filter({ has: page.locator('input[name=password]') }).locator('button[type=submit]').click();
  await page.waitForURL(/\/(account|organiser)$/);
  return page;
}

// The organiser issues a VIP badge at the walk-in desk.
const organiser = await signedIn('organiser@fairlink.example');
await organiser.goto(`${base}/organiser/fairs/hanoi-sif-2026/badges`);
const desk = organiser.locator('form').filter({ has: organiser.locator('select[name=kind]') });
await desk.locator('input[name=name]').fill('Yamada Keiko');
await desk.locator('input[name=organisation]').fill('Toyota Motor Vietnam');
await desk.locator('select[name=kind]').selectOption('vip');
await desk.locator('button[type=submit]').click();
await organiser.waitForURL(/issued=/);
const issued = organiser.locator('#issued');
const token = await issued.locator('code[data-token]').getAttribute('data-token');
const pdfHref = await issued.locator('a[href$=".pdf"]').getAttribute('href');
const pdf = await organiser.request.get(`${base}${pdfHref}`);
fs.writeFileSync(path.join(out, 'badge.pdf'), await pdf.body());

// Door staff at the VIP lounge, on a phone, on the fair's first day.
const staff = await signedIn('staff@fairlink.example', {
  viewport: { width: 390, height: 760 },
  deviceScaleFactor: 2,
  locale: 'vi-VN',
});
await staff.clock.setFixedTime(new Date('2026-12-16T10:00:00+07:00'));
await staff.goto(`${base}/fairs/hanoi-sif-2026/scan`);
await staff.waitForSelector('body[data-hydrated=true]');
await staff.waitForSelector('.scanner[data-offline-ready=true]');
await staff.selectOption('select[name=gate]', { label: 'VIP · Phòng chờ VIP' });
await staff.waitForFunction(() => !document.querySelector('.scanner__sync').textContent.includes('chưa'));
await staff.screenshot({ path: path.join(out, 'scanner.png') });
await staff.fill('#scan-code', token);
await staff.press('#scan-code', 'Enter');
await staff.waitForSelector('.verdict[data-outcome]');
await staff.screenshot({ path: path.join(out, 'verdict.png') });
await browser.close();
console.log(`pictures written to ${out}`);
