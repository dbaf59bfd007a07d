/// <reference lib="dom" />
// The page functions below run in Chromium, so this file sees the DOM types.
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { mkdirSync } from 'node:fs';
import puppeteer, { type Browser, type Page } from 'puppeteer-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { programReportData, renderProgramReportHtml } from '../../src/report/index.js';
import { programFixture } from '../helpers/report-fixture.js';

// Debian's chromium, driven by puppeteer-core. `.ci/run` installs it, so CI never skips this test;
// elsewhere it is skipped, with the reason, when no browser is installed.
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const hasBrowser = existsSync(CHROMIUM);
if (!hasBrowser && process.env.CI) throw new Error(`CI must run the browser test: no Chromium at ${CHROMIUM} (apt-get install -y chromium)`);
const title = hasBrowser ? 'program report in headless Chromium' : `program report in headless Chromium (skipped: no browser at ${CHROMIUM}; apt-get install -y chromium)`;

/** The committed screenshot is refreshed with REPORT_SCREENSHOT=docs/images/program-report.png; otherwise a temp file. */
const screenshotPath = process.env.REPORT_SCREENSHOT ? resolve(process.env.REPORT_SCREENSHOT) : null;

describe.skipIf(!hasBrowser)(title, () => {
  let browser: Browser;
  let profile: string;
  let html: string;
  let expected: Awaited<ReturnType<typeof programFixture>>['expected'];
  const offPage: string[] = [];

  beforeAll(async () => {
    const f = await programFixture();
    try {
      html = renderProgramReportHtml(await programReportData(f.ledger, { now: f.clock.now, title: 'Microcredentials program report: Fake University' }));
      expected = f.expected;
    } finally {
      await f.close();
    }
    profile = mkdtempSync(join(tmpdir(), 'credly-chromium-'));
    browser = await puppeteer.launch({
      executablePath: CHROMIUM,
      headless: true,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', `--user-data-dir=${profile}`],
    });
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    if (profile) rmSync(profile, { recursive: true, force: true });
  });

  /** A page that refuses (and records) every request that is not data: or about:. */
  async function open(width: number, height: number): Promise<Page> {
    const page = await browser.newPage();
    await page.setViewport({ width, height, deviceScaleFactor: 1 });
    await page.setRequestInterception(true);
    page.on('request', (request) => {
      const url = request.url();
      if (url.startsWith('data:') || url.startsWith('about:')) return void request.continue();
      offPage.push(url);
      void request.abort();
    });
    await page.setContent(html, { waitUntil: 'load' });
    return page;
  }

  /** Every bar of a chart as drawn: its numbers and its rendered length against the plot's. */
  const drawn = (page: Page, chart: string) =>
    page.$$eval(`svg.chart[data-chart="${chart}"]`, (svgs) => {
      const svg = svgs[0] as SVGSVGElement;
      const scale = svg.getBoundingClientRect().width / svg.viewBox.baseVal.width;
      const max = Number(svg.dataset.max);
      const plot = Number(svg.dataset.plot) * scale;
      return Array.from(svg.querySelectorAll<SVGRectElement>('rect.bar')).map((rect) => {
        const box = rect.getBoundingClientRect();
        return { category: rect.dataset.category!, series: rect.dataset.series!, value: Number(rect.dataset.value), height: box.height, width: box.width, max, plot };
      });
    });

  it('draws each chart with the right numbers and bar lengths', async () => {
    const page = await open(1280, 900);
    const months = await drawn(page, 'issued-over-time');
    expect(months.map((b) => [b.category, b.value])).toEqual(expected.issuedByMonth);
    for (const b of months) expect(Math.abs(b.height - (b.value / b.max) * b.plot)).toBeLessThan(1);
    const tallest = months.reduce((a, b) => (b.height > a.height ? b : a));
    expect(tallest.category).toBe('2026-07'); // ties go to the first: July and August both have 3
    const acceptance = await drawn(page, 'acceptance');
    expect(acceptance.map((b) => [b.category, b.value])).toEqual(expected.acceptancePercent);
    for (const b of acceptance) expect(Math.abs(b.width - (b.value / 100) * b.plot)).toBeLessThan(1);
    const pending = await drawn(page, 'pending-by-age');
    expect(pending.map((b) => [b.category, b.value])).toEqual(expected.pendingByAge);
    for (const b of pending) expect(Math.abs(b.height - (b.value / b.max) * b.plot)).toBeLessThan(1);
    const competencies = await drawn(page, 'competencies');
    expect(competencies.filter((b) => b.series === 'microcredentials').map((b) => [b.category, b.value])).toEqual(expected.competencies.map(([t, m]) => [t, m]));
    expect(competencies.filter((b) => b.series === 'learners').map((b) => [b.category, b.value])).toEqual(expected.competencies.map(([t, , l]) => [t, l]));
    for (const b of competencies) expect(Math.abs(b.width - (b.value / b.max) * b.plot)).toBeLessThan(1);
    const mix = await drawn(page, 'credit-mix');
    expect(mix.filter((b) => b.series === 'badges').map((b) => [b.category, b.value])).toEqual(expected.creditMix.map(([t, , n]) => [t, n]));
    // The summary says the same as the charts.
    const kpis = await page.$$eval('#summary .kpi', (els) => els.map((el) => el.textContent));
    expect(kpis).toContain(`${expected.totals.badges}badges issued`);
    expect(kpis).toContain(`${expected.totals.pending}pending`);

    if (screenshotPath) mkdirSync(dirname(screenshotPath), { recursive: true });
    const shot = screenshotPath ?? join(profile, 'program-report.png');
    await page.screenshot({ path: shot as `${string}.png`, fullPage: true });
    expect(existsSync(shot)).toBe(true);
    await page.close();
  }, 60_000);

  it('fits a phone screen without sideways scrolling, and prints', async () => {
    const page = await open(390, 844);
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    expect(overflow).toBeLessThanOrEqual(0);
    const chartWidth = await page.$eval('svg.chart[data-chart="acceptance"]', (svg) => svg.getBoundingClientRect().width);
    expect(chartWidth).toBeLessThanOrEqual(390);
    await page.emulateMediaType('print');
    const printed = await page.$eval('#runs', (el) => getComputedStyle(el).breakInside);
    expect(printed).toBe('avoid');
    const pdf = await page.pdf({ format: 'A4' });
    expect(Buffer.from(pdf).subarray(0, 4).toString()).toBe('%PDF');
    writeFileSync(join(profile, 'program-report.pdf'), pdf);
    await page.close();
  }, 60_000);

  it('requested nothing from the network', () => {
    expect(offPage).toEqual([]);
  });
});
