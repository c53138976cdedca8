/**
 * End to end: the built web app served on localhost, driven in Debian's headless Chromium.
 * The live demo trains 100 steps and both curves must be drawn, the learned optimizer's final
 * loss finite and below its start; the results page must show every optimizer of every bundled
 * panel in its chart legend and table. Screenshots go to web/test-output/ (or L2L_SCREENSHOTS).
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';
import { preview, type PreviewServer } from 'vite';
import { parseResults, parseResultsIndex } from '../../src/report/resultsFile.ts';
import { findChromium } from '../scripts/chromium.ts';

const web = fileURLToPath(new URL('..', import.meta.url));
/** `L2L_CHROMIUM`, else chromium on PATH (`npm run test:web` installs it first where it can). */
const chromiumPath = findChromium();
const screenshots = process.env.L2L_SCREENSHOTS ?? path.join(web, 'test-output');
/** Flags for a root, offline, GPU-less machine: no sandbox, no background connections. */
const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

describe('web app in headless Chromium', { timeout: 600_000 }, () => {
  let server: PreviewServer;
  let browser: Browser;
  let base: string;

  before(async () => {
    assert.ok(fs.existsSync(path.join(web, 'dist/index.html')), 'web/dist is missing: run npm run web:build (npm run test:web does)');
    assert.ok(chromiumPath, "no Chromium: install Debian's chromium package (apt-get install chromium) or set L2L_CHROMIUM");
    server = await preview({ configFile: path.join(web, 'vite.config.ts'), logLevel: 'warn', preview: { port: 0, host: '127.0.0.1', open: false } });
    base = server.resolvedUrls?.local[0] ?? assert.fail('the preview server reported no URL');
    browser = await chromium.launch({ executablePath: chromiumPath, args: CHROMIUM_ARGS });
    fs.mkdirSync(screenshots, { recursive: true });
  });

  after(async () => {
    await browser?.close();
    await new Promise<void>((resolve) => server?.httpServer.close(() => resolve()));
  });

  /** A page that fails the test on any uncaught page error. */
  async function open(url: string): Promise<{ page: Page; errors: string[] }> {
    const page = await browser.newPage({ viewport: { width: 1280, height: 760 } });
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(error.message));
    // Every request the page makes is served: no missing favicon or asset.
    page.on('response', (response) => {
      if (response.status() >= 400) errors.push(`HTTP ${response.status()} for ${response.url()}`);
    });
    await page.goto(url);
    return { page, errors };
  }

  it('live demo: 100 steps, both curves drawn, the learned optimizer lowers the loss', async () => {
    const { page, errors } = await open(`${base}demo.html`);
    await page.waitForFunction(() => ['ready', 'error'].includes(window.l2lDemo?.state), null, { timeout: 120_000 });
    assert.equal(await page.evaluate(() => window.l2lDemo.state), 'ready', await page.locator('#error').textContent() ?? '');
    // Before Start the chart already has its two axes (with ticks) and the legend, and no curve.
    assert.deepEqual((await page.locator('#chart svg .role-axis-title text').allTextContents()).sort(), ['loss (log scale)', 'step']);
    assert.ok((await page.locator('#chart svg .role-axis-label text').count()) > 4, 'the axes have tick labels before Start');
    assert.equal(await page.locator('#chart svg .mark-line path').count(), 0);
    await page.fill('#steps', '100');
    await page.click('#start');
    await page.waitForFunction(() => ['done', 'error'].includes(window.l2lDemo.state), null, { timeout: 400_000 });
    const demo = await page.evaluate(() => ({ ...window.l2lDemo, error: document.getElementById('error')?.textContent }));
    assert.equal(demo.state, 'done', demo.error ?? '');
    const names = Object.keys(demo.curves ?? {});
    assert.deepEqual(names, ['lstm (pretrained)', 'adam (tuned)']);
    for (const name of names) assert.equal(demo.curves![name].length, 101, `${name}: loss at steps 0..100`);
    const learned = demo.curves!['lstm (pretrained)'];
    const final = learned[100];
    assert.ok(Number.isFinite(final) && final < learned[0], `learned optimizer: start ${learned[0]}, final ${final}`);
    assert.ok(Math.abs(learned[0] - Math.log(10)) < 0.05, `a fresh network starts near ln 10, got ${learned[0]}`);
    // Both curves are in the SVG: one line path per optimizer, each with many points.
    const paths = await page.locator('#chart svg .mark-line path').evaluateAll((ps) => ps.map((p) => (p.getAttribute('d') ?? '').split(/[LM]/).length));
    assert.equal(paths.length, 2);
    for (const points of paths) assert.ok(points > 50, `a drawn curve has ${points} points`);
    const backend = await page.locator('#backend').textContent();
    assert.equal(backend, demo.backend);
    assert.deepEqual(errors, []);
    await page.screenshot({ path: path.join(screenshots, 'demo.png'), fullPage: true });
    console.log(`demo ran on the ${demo.backend} backend; learned ${learned[0].toFixed(3)} → ${final.toFixed(3)}, adam → ${demo.curves!['adam (tuned)'][100].toFixed(3)}`);
  });

  for (const backend of ['wasm', 'cpu']) {
    it(`live demo on the ${backend} backend (?backend=${backend}, 10 steps): the fallbacks work too`, async () => {
      const { page, errors } = await open(`${base}demo.html?backend=${backend}`);
      await page.waitForFunction(() => ['ready', 'error'].includes(window.l2lDemo?.state), null, { timeout: 120_000 });
      await page.fill('#steps', '10');
      await page.click('#start');
      await page.waitForFunction(() => ['done', 'error'].includes(window.l2lDemo.state), null, { timeout: 200_000 });
      const demo = await page.evaluate(() => ({ ...window.l2lDemo, error: document.getElementById('error')?.textContent }));
      assert.equal(demo.state, 'done', demo.error ?? '');
      assert.equal(demo.backend, backend);
      const learned = demo.curves!['lstm (pretrained)'];
      assert.equal(learned.length, 11);
      assert.ok(Number.isFinite(learned[10]) && learned[10] < learned[0], `learned optimizer: start ${learned[0]}, after 10 steps ${learned[10]}`);
      assert.deepEqual(errors, []);
    });
  }

  it('results page: every optimizer of every bundled panel is in the chart legend and the table', async () => {
    const index = parseResultsIndex(JSON.parse(fs.readFileSync(path.join(web, 'public/results/index.json'), 'utf8')));
    const { page, errors } = await open(base);
    let expected: string[] = [];
    for (const [i, panel] of index.panels.entries()) {
      const results = parseResults(JSON.parse(fs.readFileSync(path.join(web, 'public/results', panel.results), 'utf8')));
      expected = results.optimizers.map((o) => o.name);
      await page.selectOption('#panel', String(i));
      await page.waitForFunction((names) => document.getElementById('chart')?.dataset.optimizers === names, expected.join(','), { timeout: 30_000 });
      const legend = await page.locator('#chart svg .role-legend-label text').allTextContents();
      assert.deepEqual(legend, expected, `${panel.id}: legend`);
      const rows = await page.locator('#summary tr[data-optimizer]').evaluateAll((trs) => trs.map((tr) => (tr as HTMLElement).dataset.optimizer));
      assert.deepEqual(rows, expected, `${panel.id}: table rows`);
      const lines = await page.locator('#chart svg .mark-line path').count();
      assert.equal(lines, expected.length, `${panel.id}: one line per optimizer`);
      if (i === 1) await page.screenshot({ path: path.join(screenshots, 'results.png'), fullPage: true });
    }
    // Hovering shows every optimizer's value at the nearest step.
    const box = (await page.locator('#chart svg.marks').boundingBox()) ?? assert.fail('no chart');
    await page.mouse.move(box.x + box.width * 0.45, box.y + box.height * 0.5);
    await page.waitForSelector('#vg-tooltip-element.visible', { timeout: 10_000 });
    const tooltip = (await page.locator('#vg-tooltip-element').textContent()) ?? '';
    // (the last panel's: the learned optimizer, named for its base step, and Adam)
    for (const name of [expected[0], 'adam']) assert.ok(tooltip.includes(`${name} mean`), `tooltip has ${name}: ${tooltip}`);
    // The log-scale toggle switches the axis.
    await page.uncheck('#log-scale');
    await page.waitForFunction(() => [...document.querySelectorAll('#chart svg .role-axis-title text')].some((t) => t.textContent === 'loss'));
    await page.check('#log-scale');
    // Hiding an optimizer removes its line but keeps the table.
    await page.selectOption('#panel', '0');
    await page.waitForFunction(() => document.getElementById('chart')?.dataset.state === 'ready');
    const first = await page.locator('#optimizer-toggles input').first().getAttribute('data-optimizer');
    const before = await page.locator('#chart svg .mark-line path').count();
    await page.locator('#optimizer-toggles input').first().uncheck();
    await page.waitForFunction((name) => !(document.getElementById('chart')?.dataset.optimizers ?? '').split(',').includes(name ?? ''), first);
    assert.equal(await page.locator('#chart svg .mark-line path').count(), before - 1);
    assert.deepEqual(errors, []);
  });

  it('results page: the bundled generalization grid shows a heat map cell per task and optimizer and a table row per task', async () => {
    const scores = JSON.parse(fs.readFileSync(path.join(web, 'public/generalize/generalize.json'), 'utf8')) as { tasks: Array<{ title: string; ratio: number | null; baselines: unknown[] }> };
    const { page, errors } = await open(`${base}index.html?results=generalize/index.json`);
    await page.waitForFunction(() => document.getElementById('chart')?.dataset.state === 'ready', null, { timeout: 30_000 });
    assert.equal(await page.locator('#grid').isVisible(), true);
    const outcomes = await page.locator('#grid-table tr[data-outcome]').evaluateAll((trs) => trs.map((tr) => (tr as HTMLElement).dataset.outcome));
    assert.deepEqual(outcomes, scores.tasks.map((t) => (t.ratio !== null && t.ratio < 1 ? 'win' : 'loss')));
    const cells = await page.locator('#heatmap svg .mark-rect.role-mark path').count(); // (not the legend's gradient)
    assert.equal(cells, scores.tasks.reduce((n, t) => n + 1 + t.baselines.length, 0));
    assert.match((await page.locator('#grid-totals').textContent()) ?? '', /^Below the best tuned baseline on \d+ of \d+ tasks/);
    await page.screenshot({ path: path.join(screenshots, 'generalize.png'), fullPage: true });
    // The other bundled set hides the grid.
    await page.selectOption('#result-set', 'results/index.json');
    await page.waitForFunction(() => document.getElementById('grid')?.hidden === true);
    assert.deepEqual(errors, []);
  });

  it('results page: ?results= a bad URL shows an error that names the file', async () => {
    const { page } = await open(`${base}index.html?results=results/missing.json`);
    await page.waitForFunction(() => document.getElementById('chart')?.dataset.state === 'error');
    assert.match((await page.locator('#error').textContent()) ?? '', /missing\.json: HTTP 404/);
  });
});
