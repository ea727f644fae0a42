import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { simpleParser, type ParsedMail } from 'mailparser';

/** Where the test SMTP server (aiosmtpd, started with the app) keeps mail. */
export function maildir(): string {
  const port = process.env.FAIRLINK_E2E_PORT ?? '3100';
  return process.env.FAIRLINK_E2E_MAILDIR ?? path.join(os.tmpdir(), `fairlink-e2e-maildir-${port}`);
}

export function smtpPort(): string {
  return process.env.FAIRLINK_E2E_SMTP_PORT ?? String(Number(process.env.FAIRLINK_E2E_PORT ?? '3100') + 1000);
}

async function all(): Promise<ParsedMail[]> {
  const out: ParsedMail[] = [];
  for (const sub of ['new', 'cur']) {
    const dir = path.join(maildir(), sub);
    if (!fs.existsSync(dir)) continue;
    for (const f of fs.readdirSync(dir)) {
      out.push(await simpleParser(fs.readFileSync(path.join(dir, f))));
    }
  }
  return out;
}

/** Waits for the newest mail to `to` (matching `subject`) and returns it. */
export async function waitForMail(to: string, subject: RegExp, timeoutMs = 20_000): Promise<ParsedMail> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const found = (await all())
      .filter((m) => m.to && !Array.isArray(m.to) && m.to.value.some((a) => a.address === to))
      .filter((m) => subject.test(m.subject ?? ''))
      .sort((a, b) => (b.date?.getTime() ?? 0) - (a.date?.getTime() ?? 0));
    if (found.length > 0) return found[0];
    if (Date.now() > deadline) throw new Error(`no mail to ${to} matching ${subject}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** The first link in a mail's text part whose path starts with `/${prefix}/`. */
export function linkIn(mail: ParsedMail, prefix: string): string {
  const match = (mail.text ?? '').match(new RegExp(`https?://\\S+/${prefix}/\\S+`));
  if (!match) throw new Error(`no /${prefix}/ link in: ${mail.text}`);
  return match[0];
}
