/**
 * Debian's Chromium driven by playwright-core (never a downloaded browser): a fresh profile per
 * launch, axe-core checks in the page, screenshots under test-results/ for people to look at.
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type BrowserContext, chromium, type Page } from 'playwright-core';

export const CHROMIUM = process.env.QUIRE_CHROMIUM ?? '/usr/bin/chromium';

/**
 * Why browser tests are skipped here, or false to run them. They run once, with the SQLite
 * suite: what they show is the pages, which are the same on both databases.
 */
export const skipBrowser: string | false = !existsSync(CHROMIUM)
  ? `no Chromium at ${CHROMIUM}`
  : process.env.QUIRE_TEST_DB === 'postgres'
    ? 'browser tests run once, with the SQLite suite'
    : false;

export const SCREENSHOTS = join('test-results', 'screenshots');
export const WIDTHS = [375, 1280] as const;

const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];

export interface Browser {
  context: BrowserContext;
  close(): Promise<void>;
}

export async function launchBrowser(options: { javaScript?: boolean } = {}): Promise<Browser> {
  const profile = mkdtempSync(join(tmpdir(), 'quire-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: CHROMIUM_ARGS,
    viewport: { width: 1280, height: 800 },
    javaScriptEnabled: options.javaScript ?? true,
  });
  // A missing element fails in seconds, not after Playwright's default half minute.
  context.setDefaultTimeout(10_000);
  return {
    context,
    async close() {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

/** One Chromium that hands out fresh, separate contexts: one person each, no shared cookies. */
export interface People {
  /** A new context (its own cookies: nobody signed in) with a page open in it. */
  newPage(): Promise<Page>;
  close(): Promise<void>;
}

export async function launchPeople(options: { javaScript?: boolean } = {}): Promise<People> {
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: CHROMIUM_ARGS,
  });
  return {
    async newPage() {
      const context = await browser.newContext({
        viewport: { width: 1280, height: 800 },
        javaScriptEnabled: options.javaScript ?? true,
      });
      context.setDefaultTimeout(10_000);
      return context.newPage();
    },
    close: () => browser.close(),
  };
}

const AXE_SOURCE = readFileSync(
  createRequire(import.meta.url).resolve('axe-core/axe.min.js'),
  'utf8',
);

export interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  targets: string[];
}

/** axe-core's serious and critical violations on the page as it is now. */
export async function seriousViolations(page: Page): Promise<AxeViolation[]> {
  await page.evaluate(AXE_SOURCE);
  const violations = await page.evaluate(async () => {
    const axe = (globalThis as unknown as { axe: AxeApi }).axe;
    const result = await axe.run(document, { resultTypes: ['violations'] });
    return result.violations.map((v) => ({
      id: v.id,
      impact: v.impact ?? null,
      help: v.help,
      targets: v.nodes.map((n) => n.target.join(' ')),
    }));
  });
  return violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
}

/** The part of axe-core's API used here (its types describe the Node package, not the page). */
interface AxeApi {
  run(
    context: unknown,
    options: { resultTypes: string[] },
  ): Promise<{
    violations: Array<{
      id: string;
      impact?: string | null;
      help: string;
      nodes: Array<{ target: string[] }>;
    }>;
  }>;
}

/**
 * Full-page screenshots of the current page at each width, saved as
 * test-results/screenshots/{name}-{width}.png; returns the widths at which it scrolled sideways.
 */
export async function screenshots(page: Page, name: string): Promise<number[]> {
  mkdirSync(SCREENSHOTS, { recursive: true });
  const overflowing: number[] = [];
  const original = page.viewportSize();
  for (const width of WIDTHS) {
    await page.setViewportSize({ width, height: 800 });
    const scrolls = await page.evaluate(
      () => document.documentElement.scrollWidth > document.documentElement.clientWidth,
    );
    if (scrolls) overflowing.push(width);
    await page.screenshot({ path: join(SCREENSHOTS, `${name}-${width}.png`), fullPage: true });
  }
  if (original) await page.setViewportSize(original);
  return overflowing;
}
