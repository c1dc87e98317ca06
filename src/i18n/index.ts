import { createI18n } from 'vue-i18n';
import commonZhCN from './messages/common.zh-CN';
import fieldZhCN from './messages/field.zh-CN';
import syncZhCN from './messages/sync.zh-CN';

/**
 * Messages live in one file per area and language (`messages/<area>.<locale>.ts`); each
 * area owns its top-level keys, so a new area adds files here without touching others.
 * zh-CN is the reference: the other languages are typed against it, so a missing key is a
 * type error. The lead workspace's messages are loaded with it (`loadLeadMessages`): a
 * member's phone never needs them, and they would weigh on every member's app shell.
 * Likewise zh-TW and en are loaded when chosen (`setLocale`), and fetched ahead while
 * online (`prefetchLocales`) so a later switch works offline: each is 4–5 KB gzip of the
 * precached shell that most phones never use (ADR 0006).
 */

export const LOCALES = ['zh-CN', 'zh-TW', 'en'] as const;
export type Locale = (typeof LOCALES)[number];
export const DEFAULT_LOCALE: Locale = 'zh-CN';

export const messages = {
  'zh-CN': { ...commonZhCN, ...fieldZhCN, ...syncZhCN },
};

/** The other languages' field messages, each in a chunk of its own (vite.config.ts: `locale-*`). */
const otherLocales: Record<Exclude<Locale, 'zh-CN'>, () => Promise<{ default: object }[]>> = {
  'zh-TW': () => Promise.all([import('./messages/common.zh-TW'), import('./messages/field.zh-TW'), import('./messages/sync.zh-TW')]),
  en: () => Promise.all([import('./messages/common.en'), import('./messages/field.en'), import('./messages/sync.en')]),
};

export type MessageSchema = (typeof messages)['zh-CN'];

export function isLocale(v: unknown): v is Locale {
  return typeof v === 'string' && (LOCALES as readonly string[]).includes(v);
}

const dateTime = {
  short: { year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit' },
  date: { year: 'numeric', month: '2-digit', day: '2-digit' },
} as const;

export const i18n = createI18n<[MessageSchema], Locale, false>({
  legacy: false,
  locale: DEFAULT_LOCALE,
  fallbackLocale: DEFAULT_LOCALE,
  // zh-TW and en are merged in when loaded (`loadLocaleMessages`); typed against zh-CN.
  messages: messages as Record<Locale, MessageSchema>,
  datetimeFormats: { 'zh-CN': dateTime, 'zh-TW': dateTime, en: dateTime },
  missingWarn: false,
  fallbackWarn: false,
});

const localeLoads = new Map<Locale, Promise<void>>([[DEFAULT_LOCALE, Promise.resolve()]]);

/**
 * Make a language's messages available. Rejects when they cannot be fetched (offline, and
 * never fetched before): the language then stays as it was.
 */
export function loadLocaleMessages(locale: Locale): Promise<void> {
  const own = loadOwnMessages(locale);
  return leadWanted ? Promise.all([own, loadLeadLocale(locale)]).then(() => undefined) : own;
}

function loadOwnMessages(locale: Locale): Promise<void> {
  const known = localeLoads.get(locale);
  if (known) return known;
  const load = otherLocales[locale as Exclude<Locale, 'zh-CN'>]().then((parts: { default: object }[]) => {
    const add = i18n.global.mergeLocaleMessage as (locale: Locale, m: object) => void;
    for (const part of parts) add(locale, part.default);
  });
  // A failed fetch is tried again next time (the network may be back).
  load.catch(() => localeLoads.delete(locale));
  localeLoads.set(locale, load);
  return load;
}

/** Switch the language once its messages are here (see `loadLocaleMessages`). */
export async function setLocale(locale: Locale): Promise<void> {
  await loadLocaleMessages(locale);
  i18n.global.locale.value = locale;
  if (typeof document !== 'undefined') document.documentElement.lang = locale;
}

/** Fetch every language while online, so choosing one later works with no network. */
export function prefetchLocales(): Promise<unknown> {
  return Promise.allSettled(LOCALES.map(loadLocaleMessages));
}

/** The lead workspace's messages, a chunk per language (vite.config.ts: `lead`, `lead-locale-*`). */
const leadLocales: Record<Locale, () => Promise<{ default: object }>> = {
  'zh-CN': () => import('./messages/lead.zh-CN'),
  'zh-TW': () => import('./messages/lead.zh-TW'),
  en: () => import('./messages/lead.en'),
};
const leadLoads = new Map<Locale, Promise<void>>();
/** Set once a lead page was opened: a language chosen later brings its lead messages too. */
let leadWanted = false;

function loadLeadLocale(locale: Locale): Promise<void> {
  const known = leadLoads.get(locale);
  if (known) return known;
  const load = leadLocales[locale]().then((m) => (i18n.global.mergeLocaleMessage as (locale: Locale, m: object) => void)(locale, m.default));
  load.catch(() => leadLoads.delete(locale));
  leadLoads.set(locale, load);
  return load;
}

/**
 * Load the lead workspace's messages (before any lead page shows): the default language's
 * (the fallback) and the one in use — not all three: merging every language's messages cost
 * a cheap phone's cold lead page a quarter of a second. Another language's come with it
 * when it is chosen (`setLocale`).
 */
export function loadLeadMessages(): Promise<void> {
  leadWanted = true;
  return Promise.all([loadLeadLocale(DEFAULT_LOCALE), loadLeadLocale(i18n.global.locale.value)]).then(() => undefined);
}

/** Fetch every language's lead messages while online (a lead's device): a later switch works offline. */
export function prefetchLeadMessages(): Promise<unknown> {
  return Promise.allSettled(LOCALES.map((l) => leadLocales[l]()));
}
