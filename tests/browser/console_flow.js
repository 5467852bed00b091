// The console in a real browser (headless Debian chromium driven by playwright-core), as an
// operator uses it: log in, create a VIP from the agent's form, move it, then (the Python side
// powers the node off when told) watch the page show the failover, live, without a reload.
// Screenshots at each step go to SHOTS. Run by tests/cluster/console_browser_netns_test.py:
//   node console_flow.js URL PASSWORD VIP SHOTS SERVING_NODE
// Talks to its caller by lines: it prints "POWER-OFF NODE" and waits for a line on stdin.
'use strict';
const { chromium } = require('playwright-core');
const path = require('path');
const readline = require('readline');

const [url, password, vip, shots, serving] = process.argv.slice(2);
const lines = readline.createInterface({ input: process.stdin });
const nextLine = () => new Promise((resolve) => lines.once('line', resolve));
const say = (text) => console.log(text);

async function main() {
  const browser = await chromium.launch({
    executablePath: process.env.PULSE_CHROMIUM || '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-dev-shm-usage'],
  });
  const page = await browser.newPage({ ignoreHTTPSErrors: true, viewport: { width: 1280, height: 860 } });
  const errors = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  const shot = async (name) => page.screenshot({ path: path.join(shots, name), fullPage: true });
  const where = () => page.locator('[data-testid="where-vip"]').first().textContent({ timeout: 1000 }).catch(() => '');
  const waitWhere = async (good, timeoutMs, what) => {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const w = (await where()).trim();
      if (good(w)) return w;
      if (Date.now() > deadline) throw new Error('timed out waiting for ' + what + ' (vip where: "' + w + '")');
      await page.waitForTimeout(100);
    }
  };

  await page.goto(url);
  await page.locator('#login-password').waitFor();
  await shot('01-login.png');
  await page.fill('#login-password', 'wrong password');
  await page.click('#login-submit');
  await page.locator('#login-error', { hasText: 'wrong' }).waitFor();
  say('OK a wrong password is refused on the page');
  await page.fill('#login-password', password);
  await page.click('#login-submit');
  await page.locator('#live.on').waitFor({ timeout: 10000 });
  await page.locator('[data-testid="dc"]').waitFor();
  await shot('02-overview.png');
  say('OK logged in; the overview is live');

  await page.click('#tabs button[data-view="resources"]');
  await page.locator('#create-form [data-param="ip"]').waitFor({ timeout: 10000 });
  await page.fill('#create-id', 'vip');
  await page.fill('#create-form [data-param="ip"]', vip);
  await page.fill('#create-form [data-param="cidr_netmask"]', '32');
  await page.click('#create-submit');
  await page.locator('#notice', { hasText: 'pcs resource create vip ocf:heartbeat:IPaddr2' }).waitFor();
  const started = await waitWhere((w) => /^n\d+$/.test(w), 60000, 'the VIP to start');
  await shot('03-vip-created.png');
  say('STARTED ' + started);

  const target = ['n2', 'n3'].find((n) => n !== started && n !== serving) || 'n2';
  await page.selectOption('select[aria-label="node for vip"]', target);
  await page.click('[data-testid="move-vip"]');
  await page.locator('#notice', { hasText: 'pcs resource move vip ' + target }).waitFor();
  await waitWhere((w) => w === target, 60000, 'the VIP on ' + target);
  await shot('04-vip-moved.png');
  say('MOVED ' + target);
  // pcs 0.11's move takes its constraint away once the resource has moved; a ban stays, and
  // the page shows it as left over. The ban is of the node serving the page, so the VIP has
  // exactly one node left to fail over to.
  await page.selectOption('select[aria-label="node for vip"]', serving);
  await page.click('[data-testid="ban-vip"]');
  await page.locator('#notice', { hasText: 'pcs resource ban vip ' + serving }).waitFor();
  await page.click('#tabs button[data-view="constraints"]');
  await page.locator('[data-constraint="cli-ban-vip-on-' + serving + '"]', { hasText: 'left by move/ban' }).waitFor({ timeout: 10000 });
  await shot('05-leftover-constraint.png');
  say('BANNED ' + serving);

  await page.click('#tabs button[data-view="resources"]');
  say('POWER-OFF ' + target);
  await nextLine();
  const off = Date.now();
  const now = await waitWhere((w) => /^n\d+$/.test(w) && w !== target, 120000, 'the VIP to fail over');
  const seconds = ((Date.now() - off) / 1000).toFixed(1);
  await shot('06-failover.png');
  await page.click('#tabs button[data-view="overview"]');
  await page.locator('[data-testid="issues"]', { hasText: 'node ' + target + ' is offline' }).waitFor({ timeout: 10000 });
  await shot('07-overview-node-offline.png');
  say('FAILOVER ' + now + ' ' + seconds);
  // The DC (n1, the lowest member) saved the transitions: the last ones drawn as graphs.
  await page.click('#tabs button[data-view="transitions"]');
  await page.locator('[data-testid="transition"] svg rect').first().waitFor({ timeout: 10000 });
  await shot('08-transitions.png');
  say('OK the last transitions are drawn as graphs of actions');
  if (errors.length) throw new Error('errors on the page: ' + errors.join('; '));
  await browser.close();
  lines.close();
}

main().catch((e) => {
  console.log('ERROR ' + (e && e.stack ? e.stack.split('\n')[0] : e));
  process.exit(1);
});
