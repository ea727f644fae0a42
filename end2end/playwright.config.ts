import { defineConfig } from '@playwright/test';
import { maildir, smtpPort } from './tests/mailbox';
import { doorShiftDays } from './tests/clock';

// Debian's Chromium; never a downloaded browser.
const chromium = process.env.CHROMIUM ?? '/usr/bin/chromium';
const port = process.env.FAIRLINK_E2E_PORT ?? '3100';
const baseURL = `http://127.0.0.1:${port}`;

export default defineConfig({
  testDir: './tests',
  timeout: 60_000,
  expect: { timeout: 15_000 },
  fullyParallel: false,
  workers: 1,
  retries: 0,
  reporter: [['list']],
  use: {
    baseURL,
    locale: 'en-US',
    trace: 'off',
    launchOptions: {
      executablePath: chromium,
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    },
  },
  projects: [
    { name: 'js', use: { javaScriptEnabled: true } },
    { name: 'nojs', use: { javaScriptEnabled: false } },
  ],
  webServer: {
    command: 'sh ./start-server.sh',
    url: `${baseURL}/readyz`,
    reuseExistingServer: false,
    timeout: 120_000,
    stdout: 'ignore',
    stderr: 'pipe',
    env: {
      FAIRLINK_E2E_PORT: port,
      FAIRLINK_E2E_MAILDIR: maildir(),
      FAIRLINK_E2E_SMTP_PORT: smtpPort(),
      FAIRLINK_DOOR_CLOCK_SHIFT_DAYS: String(doorShiftDays()),
    },
  },
});
