import { readFileSync } from 'node:fs';
import type { Browser, Page } from 'puppeteer-core';
import { launchBrowser, textsOf, waitForText } from '../support/browser.js';
import { eventually } from '../support/eventually.js';
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
        const streams: string[] = [];
        tail.on('request', (request) => streams.push(new URL(request.url()).pathname));
        await tail.bringToFront();
        await tail.goto(`${broker.url}/console/#/tail/${encodeURIComponent(subject)}`);
        // The tail's own subscriber exists once the stream is open (its open event); a publish before would find none.
        await tail.click('form.inline button[type=submit]');
        await waitForText(tail, '[role=status]', `Tailing ${subject}`);
        expect(streams).toContain('/api/stream');
        expect(streams).not.toContain('/api/subscribe');

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

        // Stopping the tail ends its stream and so its subscriber: nothing is left holding the subject's messages.
        await tail.bringToFront();
        await tail.click('form.inline button[type=submit]');
        await eventually(async () => (await broker.publish(subject, 'after the tail')).body.message === 'subscriber not found', 10_000);
      } finally {
        await tail.close();
        await form.close();
      }
    });

    it('tails by long-poll when the event stream is refused (here: broker.max-streams taken)', async () => {
      await TestBroker.using({ BROKER_MAX__STREAMS: '1' }, async (full) => {
        const subject = uniqueSubject('console');
        const holder = new AbortController();
        const held = await fetch(`${full.url}/api/stream?subject=${encodeURIComponent(uniqueSubject('held'))}`, { signal: holder.signal });
        const page = await browser.newPage();
        try {
          expect(held.status).toBe(200);
          await page.goto(`${full.url}/console/#/tail/${encodeURIComponent(subject)}`);
          await clickAndAwait(page, 'form.inline button[type=submit]', '/api/subscribe');
          await waitForText(page, '[role=status]', `Tailing ${subject}`);
          expect((await full.publish(subject, 'by long-poll')).body).toEqual({ status: 'ok' });
          await waitForText(page, '.messages.tail', 'by long-poll');
          await clickAndAwait(page, 'form.inline button[type=submit]', '/api/unsubscribe');
        } finally {
          await page.close();
          holder.abort();
        }
      });
    });

    it('subjects: one made with the form shows in the live table, and so does one made elsewhere, with its backlog', async () => {
      const root = uniqueSubject('console');
      const page = await browser.newPage();
      try {
        await page.goto(`${broker.url}/console/#/subjects`);
        await fill(page, 'prefix', `${root}.`);
        await fill(page, 'new-subject', `${root}.made`);
        await fill(page, 'new-name', 'console-worker');
        await page.click('::-p-aria([name="Subscribe"][role="button"])');
        await waitForText(page, '#new-subscriber [role=status]', `subscribed to ${root}.made`);
        await waitForText(page, `tr[data-subject="${root}.made"]`, `${root}.made`);
        expect((await adminGet(broker, `/api/admin/subjects/${encodeURIComponent(`${root}.made`)}`)).subscribers).toEqual([
          expect.objectContaining({ name: 'console-worker', pending: 0 }),
        ]);

        // Made elsewhere, with a backlog: the table refreshes by itself.
        await broker.subscribe(`${root}.elsewhere`);
        for (const data of ['a', 'b']) await broker.publish(`${root}.elsewhere`, data);
        await waitForText(page, `tr[data-subject="${root}.elsewhere"] td[data-count=pending]`, '2');
        expect(await textsOf(page, 'tbody th[scope=row]')).toEqual([`${root}.elsewhere`, `${root}.made`]);
      } finally {
        await page.close();
      }
    });

    it('subject: peek shows a message published from the form without taking it; purge asks first, then the counts drop', async () => {
      const subject = uniqueSubject('console');
      const id = await broker.subscribe(subject);
      const page = await browser.newPage();
      try {
        await page.goto(`${broker.url}/console/#/publish/${encodeURIComponent(subject)}`);
        await fill(page, 'publish-data', 'look at me');
        await page.click('button[type=submit]');
        await waitForText(page, '.results', 'ok');

        await page.goto(`${broker.url}/console/#/subject/${encodeURIComponent(subject)}`);
        await waitForText(page, '[data-count=pending] dd', '1');
        await page.click('::-p-aria([name="Peek"][role="button"])');
        await waitForText(page, '.messages.peek pre', 'look at me');
        expect((await adminGet(broker, `/api/admin/subjects/${encodeURIComponent(subject)}`)).subscribers).toEqual([expect.objectContaining({ id, pending: 1 })]);

        // Purge… asks; Cancel leaves everything as it was.
        await page.click('::-p-aria([name="Purge…"][role="button"])');
        await waitForText(page, '[role=group][aria-label="Confirm"]', 'Drop every pending message of this subject?');
        await page.click('::-p-aria([name="Cancel"][role="button"])');
        expect(await page.$('[role=group][aria-label="Confirm"]')).toBeNull();
        expect((await adminGet(broker, `/api/admin/subjects/${encodeURIComponent(subject)}`)).pending).toBe(1);

        await page.click('::-p-aria([name="Purge…"][role="button"])');
        await page.click('::-p-aria([name="Purge"][role="button"])');
        await waitForText(page, '[role=status]', '1 message purged');
        await waitForText(page, '[data-count=pending] dd', '0');
        await waitForText(page, `tr[data-id="${id}"] td[data-count=pending]`, '0');
        expect((await broker.fetchMessages(subject, id)).body.data).toEqual([]);
      } finally {
        await page.close();
      }
    });

    it('subject: a forced unsubscribe, confirmed, removes the subscriber from the table', async () => {
      const subject = uniqueSubject('console');
      const [stays, goes] = [await broker.subscribe(subject), await broker.subscribe(subject)];
      const page = await browser.newPage();
      try {
        await page.goto(`${broker.url}/console/#/subject/${encodeURIComponent(subject)}`);
        await page.waitForSelector(`tr[data-id="${goes}"]`);
        await page.click(`::-p-aria([name="Unsubscribe ${goes}…"][role="button"])`);
        await page.click('::-p-aria([name="Unsubscribe"][role="button"])');
        await waitForText(page, '[role=status]', `subscriber ${goes} removed`);
        await eventually(async () => (await page.$(`tr[data-id="${goes}"]`)) === null, 10_000);
        expect(await page.$(`tr[data-id="${stays}"]`)).not.toBeNull();
        expect((await broker.publish(subject, 'x')).body).toEqual({ status: 'ok' });
        expect((await broker.fetchMessages(subject, goes)).status).toBe(404);
      } finally {
        await page.close();
      }
    });

    it("shows the broker's message for a subject it does not know", async () => {
      const page = await browser.newPage();
      try {
        await page.goto(`${broker.url}/console/#/subject/${encodeURIComponent(uniqueSubject('nobody'))}`);
        await waitForText(page, '[role=alert]', 'subject not found');
      } finally {
        await page.close();
      }
    });

    it('overview: counts, limits, and the request rate and errors from the broker\'s own counters', async () => {
      const page = await browser.newPage();
      try {
        await page.goto(`${broker.url}/console/`);
        await page.waitForSelector('[data-stat="counts.subscribers"]');
        await page.waitForSelector('[data-stat="limits.maxPending"]');
        await broker.publish(uniqueSubject('nobody'), 'refused'); // a 404: an error
        // Rates need two reads (every 2 s).
        await waitForText(page, '[data-stat="totals.requests"] dd', '/s', 10_000);
        await waitForText(page, '[data-stat="totals.clientErrors"] dd', '/s', 10_000);
        expect(await textsOf(page, 'h2')).toEqual(['Broker', 'Requests', 'Messages', 'Messages held', 'Limits']);
      } finally {
        await page.close();
      }
    });

    describe('accessibility', () => {
      const pages = ['', 'subjects', 'publish', 'tail', 'token'];

      it.each(pages)('page "#/%s": every field has a label and every button a name', async (route) => {
        const page = await browser.newPage();
        try {
          // The token page is where the Token button (or a 401) leads.
          await page.goto(`${broker.url}/console/#/${route === 'token' ? '' : route}`);
          if (route === 'token') await page.click('header button.token');
          await page.waitForSelector(route === 'token' ? '#token' : 'main h1');
          // A field is named by its <label>, a button by its text; aria-label where neither is enough.
          const unnamed = await page.evaluate(`[...document.querySelectorAll('input, textarea, select, button')]
            .filter((e) => !e.getAttribute('aria-label') && (e.tagName === 'BUTTON' ? e.textContent.trim() === '' : e.labels.length === 0))
            .map((e) => e.outerHTML)`);
          expect(unnamed).toEqual([]);
        } finally {
          await page.close();
        }
      });

      it('works by keyboard alone: Tab to Purge…, Enter, the confirmation has the focus, Escape cancels, Enter purges', async () => {
        const subject = uniqueSubject('console');
        const id = await broker.subscribe(subject);
        await broker.publish(subject, 'by keyboard');
        const page = await browser.newPage();
        try {
          await page.goto(`${broker.url}/console/#/subject/${encodeURIComponent(subject)}`);
          await waitForText(page, '[data-count=pending] dd', '1');
          const focused = () => page.evaluate('document.activeElement?.getAttribute("aria-label") ?? document.activeElement?.textContent ?? ""') as Promise<string>;
          for (let tab = 0; tab < 40 && (await focused()) !== 'Purge…'; tab++) await page.keyboard.press('Tab');
          expect(await focused()).toBe('Purge…');
          await page.keyboard.press('Enter');
          await eventually(async () => (await focused()) === 'Purge');
          await page.keyboard.press('Escape');
          await eventually(async () => (await focused()) === 'Purge…');
          expect(await page.$('[role=group][aria-label="Confirm"]')).toBeNull();
          await page.keyboard.press('Enter');
          await eventually(async () => (await focused()) === 'Purge');
          await page.keyboard.press('Enter');
          await waitForText(page, '[role=status]', '1 message purged');
          expect((await broker.fetchMessages(subject, id)).body.data).toEqual([]);
        } finally {
          await page.close();
        }
      });

      it.each(pages.filter((route) => route !== 'token').concat('subject'))('page "#/%s" fits a phone (375 px wide) without scrolling sideways', async (route) => {
        const subject = `${uniqueSubject('console')}.a-rather-long-subject-name-for-a-phone-screen`;
        await broker.subscribe(subject);
        const page = await browser.newPage();
        try {
          await page.setViewport({ width: 375, height: 740, isMobile: true, hasTouch: true });
          await page.goto(`${broker.url}/console/#/${route}${route === 'subject' ? `/${encodeURIComponent(subject)}` : ''}`);
          await page.waitForSelector(route === 'subject' ? 'table tbody tr' : 'main h1');
          if (route === 'subjects') await page.waitForSelector('table tbody tr');
          expect(await page.evaluate('[document.documentElement.scrollWidth, window.innerWidth]')).toEqual([375, 375]);
        } finally {
          await page.close();
        }
      });
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

  it('is not served with broker.serve-console false', async () => {
    await TestBroker.using({ BROKER_SERVE__CONSOLE: 'false' }, async (broker) => {
      expect((await fetch(`${broker.url}/console/`)).status).toBe(404);
      expect((await fetch(`${broker.url}/console/console.js`)).status).toBe(404);
      expect((await fetch(`${broker.url}/api/admin/stats`)).status).toBe(200);
    });
  });

  describe('the README\'s screenshot', () => {
    // `npm run console:screenshot` takes it again: the subjects page of a broker with a few subjects,
    // at a laptop's width, by this same headless Chromium.
    const update = process.env.UPDATE_CONSOLE_SCREENSHOT === '1';

    it('is docs/console.png, shown in the README, a PNG small enough for the repository', async () => {
      if (update) await takeScreenshot(browser, SCREENSHOT);
      const png = readFileSync(SCREENSHOT);
      expect(png.subarray(1, 4).toString('latin1')).toBe('PNG');
      expect(png.length).toBeLessThan(150 * 1024);
      // Width and height, from the PNG's header: a laptop's width.
      expect([png.readUInt32BE(16), png.readUInt32BE(20)]).toEqual([1100, 620]);
      expect(readFileSync('README.md', 'utf8')).toContain('](docs/console.png)');
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
        await page.click('form.inline button[type=submit]');
        await waitForText(page, '[role=status]', `Tailing ${subject}`);
        const published = await broker.post('/api/publish', { subject, data: 'with a token' }, { headers: { 'content-type': 'application/json', authorization: `Bearer ${secret}` } });
        expect(published.body).toEqual({ status: 'ok' });
        await waitForText(page, '.messages.tail', 'with a token');
        expect(await page.evaluate("sessionStorage.getItem('gophermq.token')")).toBe(secret);
        // In a URL only where the browser leaves no choice: EventSource sends no header.
        const withToken = urls.filter((url) => url.includes(secret)).map((url) => new URL(url));
        expect(withToken.map((url) => [url.pathname, url.searchParams.get('access_token')])).toEqual([['/api/stream', secret]]);
        // The management API with the token: the subjects page shows a subject.
        const durable = uniqueSubject();
        await broker.post('/api/subscribe', { subject: durable }, { headers: { 'content-type': 'application/json', authorization: `Bearer ${secret}` } });
        await page.goto(`${broker.url}/console/#/subjects`);
        await page.waitForSelector(`tr[data-subject="${durable}"]`);
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

/** A GET of the management API, from the test (auth off). */
async function adminGet(broker: TestBroker, path: string): Promise<any> {
  const response = await fetch(broker.url + path);
  if (response.status !== 200) throw new Error(`${path} answered ${response.status}: ${await response.text()}`);
  return response.json();
}

const SCREENSHOT = 'docs/console.png';

/** The subjects page of a broker holding what an operator would see: backlogs, some in flight, one retained subject. */
async function takeScreenshot(browser: Browser, file: string): Promise<void> {
  const rules = 'retention:\n  - subjects: "audit.>"\n    max-messages: 10000\n';
  const broker = await TestBroker.start({}, rules);
  const page = await browser.newPage();
  try {
    const fill = async (subject: string, subscribers: number, messages: number, taken = 0) => {
      const ids: string[] = [];
      for (let i = 0; i < subscribers; i++) ids.push((await broker.post('/api/subscribe', { subject, ackWaitMs: taken > 0 ? 60_000 : undefined })).body.id);
      const data = (n: number) => JSON.stringify({ orderId: 1000 + n, total: (n * 7.31).toFixed(2) });
      for (let sent = 0; sent < messages; sent += 100) {
        await broker.post('/api/publish/batch', { messages: Array.from({ length: Math.min(100, messages - sent) }, (_, i) => ({ subject, data: data(sent + i) })) });
      }
      if (taken > 0) await broker.fetchMessages(subject, ids[0], { max: taken });
    };
    await fill('audit.logins', 0, 240);
    await fill('billing.invoices.due', 2, 57, 5);
    await fill('orders.created', 3, 1280, 40);
    await fill('orders.shipped', 1, 12);
    await fill('payments.refunds', 1, 0);
    await fill('search.reindex', 2, 3400);
    await page.setViewport({ width: 1100, height: 620 });
    await page.goto(`${broker.url}/console/#/subjects`);
    await page.waitForSelector('tr[data-subject="search.reindex"]');
    // Two reads, so the rates column shows something.
    await fill('orders.created', 0, 60);
    await waitForText(page, 'tr[data-subject="orders.created"] td[data-count=pending]', '1,340');
    await page.screenshot({ path: file as `${string}.png`, type: 'png' });
  } finally {
    await page.close();
    await broker.close();
  }
}
