/**
 * Checks, in a real browser, that the Web UI of the running local stack (`npm start`) shows an
 * onboarding's order decoded through the codec server, while Temporal stores it encrypted.
 * Needs Chromium (Debian: `apt-get install chromium`; or CHROMIUM_PATH); nothing is downloaded.
 *
 *   npm start            # in another terminal
 *   npm run check:web-ui # prints what the page shows; screenshot in .local/web-ui.png
 */
import { existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { chromium } from 'playwright-core';
import { connectFromEnv } from '../client/connect-from-env';
import { LOCAL } from './local-stack';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

async function main(): Promise<number> {
  if (!existsSync(CHROMIUM)) {
    console.error(`No Chromium at ${CHROMIUM}: install it (apt-get install chromium) or set CHROMIUM_PATH.`);
    return 2;
  }
  const client = await connectFromEnv();
  const domain = `ui-check-${Date.now()}.example.com`;
  const alternateEmail = 'ui-check-contact@customer-mail.example.org';
  try {
    await client.start({
      customerDomain: domain,
      alternateEmail,
      postalAddress: { contactName: 'Web Check', organizationName: 'UI Org', postalCode: '94043', countryCode: 'US' },
      admin: { givenName: 'Web', familyName: 'Check', primaryEmail: `admin@${domain}` },
    });
  } finally {
    await client.close();
  }

  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
    ],
  });
  try {
    const page = await browser.newPage({ viewport: { width: 1500, height: 1400 } });
    let decodeCalls = 0;
    page.on('requestfinished', (request) => {
      if (request.url().startsWith(`http://127.0.0.1:${LOCAL.codecPort}/decode`)) decodeCalls += 1;
    });
    const url = `http://localhost:${LOCAL.uiPort}/namespaces/default/workflows/${encodeURIComponent(`onboarding:${domain}`)}`;
    await page.goto(url, { waitUntil: 'domcontentloaded' }); // a running workflow keeps the page polling
    await page
      .getByText(alternateEmail)
      .first()
      .waitFor({ timeout: 15_000 })
      .catch(() => undefined);
    const text = await page.innerText('body');
    mkdirSync(path.resolve(__dirname, '..', '.local'), { recursive: true });
    const screenshot = path.resolve(__dirname, '..', '.local', 'web-ui.png');
    await page.screenshot({ path: screenshot });
    const decoded = text.includes(alternateEmail);
    console.log(`page:                 ${url}`);
    console.log(`codec /decode calls:  ${decodeCalls}`);
    console.log(`order shown decoded:  ${decoded ? 'yes' : 'NO'} (alternate e-mail visible in the Input panel)`);
    console.log(`still encrypted text: ${text.includes('binary/encrypted') ? 'YES' : 'no'}`);
    console.log(`screenshot:           ${path.relative(process.cwd(), screenshot)}`);
    return decoded && decodeCalls > 0 ? 0 : 1;
  } finally {
    await browser.close();
  }
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(`Web UI check failed: ${err instanceof Error ? err.message : String(err)}`);
    process.exit(1);
  },
);
