import { createI18n } from 'vue-i18n';
import commonEn from './messages/common.en';
import commonZhCN from './messages/common.zh-CN';
import commonZhTW from './messages/common.zh-TW';
import fieldEn from './messages/field.en';
import fieldZhCN from './messages/field.zh-CN';
import fieldZhTW from './messages/field.zh-TW';
import syncEn from './messages/sync.en';
import syncZhCN from './messages/sync.zh-CN';
import syncZhTW from './messages/sync.zh-TW';

/**
 * Messages live in one file per area and language (`messages/<area>.<locale>.ts`); each
 * area owns its top-level keys, so a new area adds files here without touching others.
 * zh-CN is the reference: the other languages are typed against it, so a missing key is a
 * type error. The lead workspace's messages are loaded with it (`loadLeadMessages`): a
 * member's phone never needs them, and they would weigh on every member's app shell.
 */

export const LOCALES = ['zh-CN', 'zh-TW', 'en'] as const;
export type Locale = (typeof LOCALES)[number];
export const DEFAULT_LOCALE: Locale = 'zh-CN';

export const messages = {
  'zh-CN': { ...commonZhCN, ...fieldZhCN, ...syncZhCN },
  'zh-TW': { ...commonZhTW, ...fieldZhTW, ...syncZhTW },
  en: { ...commonEn, ...fieldEn, ...syncEn },
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
  messages,
  datetimeFormats: { 'zh-CN': dateTime, 'zh-TW': dateTime, en: dateTime },
  missingWarn: false,
  fallbackWarn: false,
});

export function setLocale(locale: Locale): void {
  i18n.global.locale.value = locale;
  if (typeof document !== 'undefined') document.documentElement.lang = locale;
}

let leadMessages: Promise<void> | undefined;

/** Load the lead workspace's messages in every language (once; before any lead page shows). */
export function loadLeadMessages(): Promise<void> {
  leadMessages ??= Promise.all([import('./messages/lead.zh-CN'), import('./messages/lead.zh-TW'), import('./messages/lead.en')]).then(([cn, tw, en]) => {
    const add = i18n.global.mergeLocaleMessage as (locale: Locale, m: object) => void;
    add('zh-CN', cn.default);
    add('zh-TW', tw.default);
    add('en', en.default);
  });
  leadMessages.catch(() => {
    leadMessages = undefined;
  });
  return leadMessages;
}
