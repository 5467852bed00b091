// The console in a real browser (headless Debian chromium driven by playwright-core) for a
// user whose ACL role only lets it read, and not everything: it logs in with its own name and
// system password, sees who it is, sees the nodes and the resources it may read and not the
// one its role denies, tries changes from the page and is told they are not permitted, then
// logs out. Screenshots at each step go to SHOTS (acl-*.png). Run by
// tests/cluster/console_browser_netns_test.py:
//   node console_acl_flow.js URL USER PASSWORD SHOTS SHOWN HIDDEN ADMIN_PASSWORD
// SHOWN: a resource the role lets it read; HIDDEN: one the role denies. Then, as a control,
// hacluster (ADMIN_PASSWORD) logs in beside it and does see HIDDEN in the same tabs, so their
// absence for the user is the ACLs' doing. Prints "OK ..." per step passed and "ERROR ..."
// (exit 1) at the first that fails.
'use strict';
const { chromium } = require('playwright-core');
const path = require('path');

const [url, user, password, shots, shown, hidden, adminPassword] = process.argv.slice(2);
const say = (text) => console.log(text);

async function main() {
  const browser = await chromium.launch({
    executablePath: process.env.PULSE_CHROMIUM || '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-dev-shm-usage'],
  });
  const open = async () => {
    // A context each: the user's and hacluster's session cookies are kept apart.
    const context = await browser.newContext({ ignoreHTTPSErrors: true, viewport: { width: 1280, height: 860 } });
    return context.newPage();
  };
  let page = await open();
  const errors = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  const shot = async (name) => page.screenshot({ path: path.join(shots, name), fullPage: true });
  const tab = async (view) => page.click('#tabs button[data-view="' + view + '"]');
  const names = async (text) => (await page.locator('#view').innerText()).includes(text);
  // The page's text must never name the hidden resource, whichever tab is shown.
  const noHidden = async (where) => {
    const text = await page.locator('body').innerText();
    if (text.includes(hidden)) throw new Error(where + ' shows ' + hidden + ', which the role denies');
  };
  const login = async (name, secret) => {
    await page.goto(url);
    await page.locator('#login-user').waitFor();
    await page.fill('#login-user', name);
    await page.fill('#login-password', secret);
  };
  // A change tried from the page: refused, and the notice says why in words.
  const refused = async (what) => {
    const notice = page.locator('#notice.failed');
    await notice.waitFor({ timeout: 60000 });
    const text = await notice.innerText();
    if (!/not permitted/i.test(text) || !/Permission denied/.test(text) || !text.includes(user)) {
      throw new Error(what + ': the notice does not name the permission problem: ' + JSON.stringify(text));
    }
    return text;
  };

  await page.goto(url);
  await page.locator('#login-user').waitFor();
  const preset = await page.inputValue('#login-user');
  if (preset !== 'hacluster') throw new Error('the user field starts as "' + preset + '", not hacluster');
  await login(user, password);
  await shot('acl-01-login.png');
  await page.click('#login-submit');
  await page.locator('#live.on').waitFor({ timeout: 15000 });
  await page.locator('#who', { hasText: user }).waitFor({ timeout: 5000 });
  await page.locator('#who', { hasText: 'rights limited by ACLs' }).waitFor({ timeout: 5000 });
  say('OK ' + user + ' logs in on the page; the header names it and its ACL-limited rights');

  await page.locator('[data-testid="resources"] tr[data-resource="' + shown + '"]').waitFor({ timeout: 15000 });
  if (await page.locator('tr[data-resource="' + hidden + '"]').count() !== 0) throw new Error('the overview lists ' + hidden);
  await noHidden('the overview');
  await shot('acl-02-overview.png');
  say('OK the overview shows ' + shown + ' and not ' + hidden);

  await tab('nodes');
  for (const n of ['n1', 'n2', 'n3']) await page.locator('tr[data-node="' + n + '"]').waitFor({ timeout: 5000 });
  await shot('acl-03-nodes.png');
  say('OK the nodes are listed');
  await page.locator('tr[data-node="n2"] button', { hasText: 'Standby' }).click();
  const standby = await refused('standby n2');
  // The page, live, still shows n2 in service (the CIB itself is checked by the caller).
  await page.waitForTimeout(1000);
  const n2Standby = (await page.locator('tr[data-node="n2"] td').nth(2).innerText()).trim();
  if (n2Standby !== '') throw new Error('after the refusal the page shows n2 as "' + n2Standby + '"');
  await shot('acl-04-standby-refused.png');
  say('OK standby of n2 is refused on the page: ' + standby.split('\n')[0]);

  await tab('resources');
  await page.locator('tr[data-resource="' + shown + '"] button', { hasText: 'Disable' }).click();
  await page.locator('#notice.failed', { hasText: 'resource disable ' + shown }).waitFor({ timeout: 60000 });
  const disable = await refused('disable ' + shown);
  if (await page.locator('tr[data-resource="' + hidden + '"]').count() !== 0) throw new Error('the resources tab lists ' + hidden);
  await noHidden('the resources tab');
  await shot('acl-05-disable-refused.png');
  say('OK disable of ' + shown + ' is refused on the page: ' + disable.split('\n')[0]);

  await tab('events');
  await page.locator('[data-testid="events"] tr', { hasText: shown }).first().waitFor({ timeout: 5000 });
  await noHidden('the events tab');
  await shot('acl-06-events.png');
  await tab('transitions');
  await page.locator('[data-testid="transition"]').first().waitFor({ timeout: 10000 });
  await noHidden('the transitions tab');
  await tab('constraints');
  await noHidden('the constraints tab');
  say('OK the events (' + shown + '\'s are there), transitions and constraints tabs do not name ' + hidden);

  await page.click('#logout');
  await page.locator('#login-error', { hasText: 'logged out' }).waitFor({ timeout: 5000 });
  await page.reload();
  await page.locator('#login-password').waitFor();
  if (await page.isVisible('#main')) throw new Error('after log out and a reload the console is still shown');
  await shot('acl-07-logged-out.png');
  say('OK log out ends the session (a reload asks to log in again)');

  // The control: hacluster, whom no ACL limits, sees the hidden resource in the same places.
  page = await open();
  page.on('pageerror', (e) => errors.push(String(e)));
  await login('hacluster', adminPassword);
  await page.click('#login-submit');
  await page.locator('#who', { hasText: 'hacluster' }).waitFor({ timeout: 15000 });
  if (await page.locator('#who', { hasText: 'rights limited by ACLs' }).count() !== 0) throw new Error('hacluster is shown as limited by ACLs');
  await page.locator('tr[data-resource="' + hidden + '"]').waitFor({ timeout: 15000 });
  await tab('events');
  await page.locator('[data-testid="events"] tr', { hasText: hidden }).first().waitFor({ timeout: 5000 });
  await tab('transitions');
  await page.locator('[data-testid="transition"]').first().waitFor({ timeout: 10000 });
  if (!(await names(hidden))) throw new Error('hacluster\'s transitions tab does not name ' + hidden + ': the control proves nothing');
  await shot('acl-08-hacluster-transitions.png');
  say('OK hacluster, not limited, sees ' + hidden + ' in the resources, events and transitions');
  if (errors.length) throw new Error('errors on the page: ' + errors.join('; '));
  await browser.close();
}

main().catch((e) => {
  console.log('ERROR ' + (e && e.stack ? e.stack.split('\n')[0] : e));
  process.exit(1);
});
