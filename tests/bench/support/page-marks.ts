/**
 * Scripts installed in every page of a benchmark device (`context.addInitScript`) that
 * note, on the page's own clock (ms since its navigation started), the moments a benchmark
 * waits for — so no polling from outside adds to what is measured. Plain JavaScript: they
 * run in the page as they are written here.
 *
 * `window.__bench`:
 * - `online`: times of the `online` events;
 * - `settingsWrites[key]`: times the app wrote that key of its `settings` table (Dexie put):
 *   `sync.lastSyncedAt` is written when a sync run finished with nothing left to send;
 * - `durable`: durations of every `lianhu:durable` measure (a save on disk, src/db/local-records.ts);
 * - `listShown` / `listInteractive`: the household list's first card in the DOM, and the
 *   first task after the frame that showed it (the main thread free for input);
 * - `assessmentReady`: the lead's assessment page with its figures computed (the
 *   `lianhu:lead-figures-ready` mark, from the lead-figures worker), its table filled and
 *   its charts drawn;
 * - `overviewReady`: the lead's overview with its counts from the lead-figures worker (the
 *   `lianhu:lead-overview-ready` mark) and the households counted;
 * - `search`: for each input event on the household search, from the event to the list
 *   updated and laid out.
 */
export const PAGE_MARKS = `(() => {
  const b = (window.__bench = { online: [], settingsWrites: {}, durable: [], search: [] });
  const checks = [];
  addEventListener('online', () => b.online.push(performance.now()));
  const put = IDBObjectStore.prototype.put;
  IDBObjectStore.prototype.put = function (value) {
    if (this.name === 'settings' && value && typeof value.key === 'string') (b.settingsWrites[value.key] = b.settingsWrites[value.key] || []).push(performance.now());
    return put.apply(this, arguments);
  };
  new PerformanceObserver((list) => {
    for (const e of list.getEntries()) {
      if (e.name === 'lianhu:durable') b.durable.push(e.duration);
      if (e.name === 'lianhu:lead-figures-ready') b.leadFiguresReady = e.startTime;
      if (e.name === 'lianhu:lead-overview-ready') b.leadOverviewReady = e.startTime;
    }
    checks.slice().forEach((check) => check());
  }).observe({ entryTypes: ['mark', 'measure'] });

  const watch = (ready, done) => {
    let fired = false;
    const check = () => {
      if (fired || !ready()) return false;
      fired = true;
      observer.disconnect();
      done();
      return true;
    };
    checks.push(check);
    const observer = new MutationObserver(check);
    const start = () => check() || observer.observe(document, { childList: true, subtree: true, characterData: true });
    if (document.documentElement) start();
    else document.addEventListener('readystatechange', start, { once: true });
  };

  if (location.pathname === '/households') {
    watch(
      () => document.querySelector('.hh-card'),
      () => {
        b.listShown = performance.now();
        requestAnimationFrame(() => setTimeout(() => (b.listInteractive = performance.now()), 0));
      },
    );
  }
  if (location.pathname === '/lead') {
    // Ready: the counts over visits and requests are in, and the households are counted.
    watch(
      () => b.leadOverviewReady !== undefined && [...document.querySelectorAll('.lead-stats dd, .lead-stats .lead-stat__value')].length > 0 && !document.querySelector('.lead-layout__page > p.hint[role="status"]'),
      () => {
        document.body.getBoundingClientRect();
        b.overviewReady = performance.now();
      },
    );
  }
  if (location.pathname === '/lead/assessment') {
    // The table is drawn before the figures arrive (with zeros): ready means figures in,
    // households counted (the total's "linked" cell) and a chart drawn.
    watch(
      () => {
        const linked = document.querySelector('.lead-assessment tfoot td:nth-child(2)');
        return b.leadFiguresReady !== undefined && linked && linked.textContent.trim() !== '0' && document.querySelector('.lead-assessment tbody tr') && document.querySelector('.lead-chart svg');
      },
      () => {
        document.body.getBoundingClientRect();
        b.assessmentReady = performance.now();
      },
    );
  }
})();`;

/**
 * Start timing the household search (call once the list is shown): every input event on
 * \`#hh-search\` is timed from the event to the next task, when Vue has re-rendered the list,
 * with layout forced so its cost is counted too.
 */
export const WATCH_SEARCH = `(() => {
  const b = window.__bench;
  const input = document.querySelector('#hh-search');
  const list = document.querySelector('.hh-list');
  input.addEventListener('input', (e) => {
    const t0 = e.timeStamp;
    const ch = new MessageChannel();
    ch.port1.onmessage = () => {
      (document.querySelector('.hh-list') || list).getBoundingClientRect();
      document.body.offsetHeight;
      b.search.push(performance.now() - t0);
    };
    ch.port2.postMessage(0);
  });
})();`;
