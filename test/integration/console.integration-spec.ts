import type { Browser, Page } from 'puppeteer-core';
import { launchBrowser, textsOf, waitForText } from '../support/browser.js';
import { TestBroker, uniqueSubject } from '../support/test-broker.js';

/** Types into the labelled field (clearing it first). */
async function fill(page: Page, label: string, text: string): Promise<void> {
  const field = await page.waitForSelector(`#${label}`);
  await field!.click({ count: 3 });
  await page.keyboard.press('Backspace');
  await field!.type(text);
}

describe('web console at /console', () => {
  let browser: Browser;

  beforeAll(async () => {
    browser = await launchBrowser();
  });
  afterAll(() => browser?.close());

  describe('with auth off', () => {
    let broker: TestBroker;
    beforeAll(async () => {
      broker = await TestBroker.start();
    });
    afterAll(() => broker.close());

    it('serves the page, its script and style from the broker itself', async () => {
      const redirect = await fetch(`${broker.url}/console`, { redirect: 'manual' });
      expect([redirect.status, redirect.headers.get('location')]).toEqual([302, '/console/']);
      const page = await fetch(`${broker.url}/console/`);
      expect(page.status).toBe(200);
      expect(page.headers.get('content-type')).toMatch(/^text\/html/);
      const html = await page.text();
      expect(html).toContain('console.js');
      const script = await fetch(`${broker.url}/console/console.js`);
      expect([script.status, script.headers.get('content-type')]).toEqual([200, expect.stringMatching(/javascript/)]);
      // Small, and self-contained: no CDN, nothing fetched from elsewhere.
      const code = await script.text();
      expect(code.length).toBeLessThan(300 * 1024);
      expect(code).not.toMatch(/https?:\/\/(?!www\.w3\.org)/);
      expect((await fetch(`${broker.url}/console/../app.factory.js`)).status).toBe(404);
    });

    it('publishes from the form, one message or one per line, and the tail of another tab shows them as they come', async () => {
      const subject = uniqueSubject();
      const tail = await browser.newPage();
      const form = await browser.newPage();
      try {
        await tail.goto(`${broker.url}/console/#/tail/${encodeURIComponent(subject)}`);
        // The tail's own subscriber exists once its subscribe is answered; a publish before it would find none.
        await clickAndAwait(tail, 'form.inline button[type=submit]', '/api/subscribe');
        await waitForText(tail, '[role=status]', `Tailing ${subject}`);

        await form.bringToFront();
        await form.goto(`${broker.url}/console/#/publish/${encodeURIComponent(subject)}`);
        await fill(form, 'publish-data', 'hello from the form');
        await form.click('button[type=submit]');
        await waitForText(form, '.results', 'ok');
        await waitForText(tail, '.messages.tail', 'hello from the form');

        await fill(form, 'publish-data', 'one\ntwo\nthree');
        await form.click('label.check input');
        await form.click('button[type=submit]');
        await waitForText(form, '.results', 'line 3: ok');
        await waitForText(tail, '.messages.tail', 'three');
        expect(await textsOf(tail, '.messages.tail pre')).toEqual(['three', 'two', 'one', 'hello from the form']);

        // Stopping the tail removes its subscriber: nothing is left holding the subject's messages.
        await clickAndAwait(tail, 'form.inline button[type=submit]', '/api/unsubscribe');
        expect((await broker.publish(subject, 'after the tail')).body).toEqual({ message: 'subscriber not found' });
      } finally {
        await tail.close();
        await form.close();
      }
    });

    it("shows the broker's own message for a refused publish", async () => {
      const page = await browser.newPage();
      try {
        await page.goto(`${broker.url}/console/#/publish`);
        await fill(page, 'publish-subject', 'no subscriber here');
        await fill(page, 'publish-data', 'x');
        await page.click('button[type=submit]');
        await waitForText(page, '.results .error', 'invalid subject');
      } finally {
        await page.close();
      }
    });
  });

  describe('with auth on', () => {
    const secret = 'console-admin-token-0123456789';
    let broker: TestBroker;
    beforeAll(async () => {
      broker = await TestBroker.start({ AUTH_ENABLE: 'true', AUTH_ADMIN__TOKEN: secret });
    });
    afterAll(() => broker.close());

    it('asks for the token when the API answers 401, keeps it in sessionStorage, never in the URL, and then works', async () => {
      const subject = uniqueSubject();
      const page = await browser.newPage();
      const urls: string[] = [];
      page.on('request', (request) => urls.push(request.url()));
      try {
        await page.goto(`${broker.url}/console/#/tail/${encodeURIComponent(subject)}`);
        await page.click('form.inline button[type=submit]');
        await page.waitForSelector('#token');
        await fill(page, 'token', secret);
        await page.click('button[type=submit]');
        await page.waitForSelector('#tail-subject');
        await clickAndAwait(page, 'form.inline button[type=submit]', '/api/subscribe');
        await waitForText(page, '[role=status]', `Tailing ${subject}`);
        const published = await broker.post('/api/publish', { subject, data: 'with a token' }, { headers: { 'content-type': 'application/json', authorization: `Bearer ${secret}` } });
        expect(published.body).toEqual({ status: 'ok' });
        await waitForText(page, '.messages.tail', 'with a token');
        expect(await page.evaluate("sessionStorage.getItem('gophermq.token')")).toBe(secret);
        expect(urls.filter((url) => url.includes(secret))).toEqual([]);
      } finally {
        await page.close();
      }
    });
  });
});

/** Clicks `selector` and waits for the page's call to `route` to be answered (status 200). */
async function clickAndAwait(page: Page, selector: string, route: string): Promise<void> {
  await page.bringToFront();
  const answered = page.waitForResponse((response) => new URL(response.url()).pathname === route && response.request().method() === 'POST');
  await page.click(selector);
  const response = await answered;
  if (response.status() !== 200) throw new Error(`${route} answered ${response.status()}: ${await response.text()}`);
}
