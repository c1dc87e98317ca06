// Rasterise public/favicon.svg into the PWA icons with Chromium (run: node scripts/gen-icons.mjs).
import { chromium } from 'playwright-core';
import { readFileSync } from 'node:fs';
const svg = readFileSync('public/favicon.svg', 'utf8');
// maskable: full-bleed background, the drawing inside the 80 % safe zone
const maskable = svg.replace('<rect width="512" height="512" rx="96" fill="#b3261e"/>', '<rect width="512" height="512" fill="#b3261e"/><g transform="translate(76.8 76.8) scale(0.7)">').replace('</svg>', '</g></svg>');
const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--headless', '--no-sandbox', '--disable-gpu'] });
const page = await browser.newPage();
async function render(markup, size, out, transparent = true) {
  await page.setViewportSize({ width: size, height: size });
  await page.setContent(`<html><body style="margin:0;background:transparent"><div style="width:${size}px;height:${size}px">${markup.replace('<svg ', `<svg width="${size}" height="${size}" `)}</div></body></html>`);
  await page.screenshot({ path: out, omitBackground: transparent });
}
await render(svg, 192, 'public/pwa-192x192.png');
await render(svg, 512, 'public/pwa-512x512.png');
await render(maskable, 512, 'public/maskable-512x512.png', false);
// iOS draws its own rounded corners and shows black behind transparency: full bleed.
await render(maskable.replace('scale(0.7)', 'scale(0.8)').replace('translate(76.8 76.8)', 'translate(51.2 51.2)'), 180, 'public/apple-touch-icon.png', false);
await browser.close();
