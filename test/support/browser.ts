import puppeteer, { type Browser, type Page } from 'puppeteer-core';

/** Debian's chromium (`apt-get install chromium`; .ci/run installs it): never a downloaded browser. */
export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/** A headless Chromium for the tests of pages the broker serves. */
export async function launchBrowser(): Promise<Browser> {
  return puppeteer.launch({
    executablePath: CHROMIUM,
    headless: true,
    // As root in a container, Chromium's sandbox cannot start.
    args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'],
  });
}

/** Text of every element matching `selector`, in document order. */
export async function textsOf(page: Page, selector: string): Promise<string[]> {
  return page.$$eval(selector, (elements) => elements.map((element) => element.textContent ?? ''));
}

/** Waits until some element matching `selector` has `text` in its text. */
export async function waitForText(page: Page, selector: string, text: string, timeout = 10_000): Promise<void> {
  // A string, run in the page: this project's types are Node's, not the DOM's.
  const check = `[...document.querySelectorAll(${JSON.stringify(selector)})].some((e) => (e.textContent ?? '').includes(${JSON.stringify(text)}))`;
  await page.waitForFunction(check, { timeout });
}
