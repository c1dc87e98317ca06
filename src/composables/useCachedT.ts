import { useI18n } from 'vue-i18n';

type Arg = number | Record<string, unknown>;

/** Translations already made, per language (a few hundred: days, counts, tags). */
const cache = new Map<string, string>();
const MAX = 4000;

/**
 * `t` that remembers its answers, for what is rendered many times over: a card of "my
 * households" asks for five labels, and a search re-renders a screen of cards on every
 * keystroke; vue-i18n resolving each message again was a large share of that at 4× CPU.
 * Keyed by language, so a switch shows the new one (the language's messages are loaded
 * before it becomes current).
 */
export function useCachedT(): (key: string, arg?: Arg, plural?: number) => string {
  const { t, locale } = useI18n();
  return (key, arg, plural) => {
    const k = `${locale.value}\u0000${key}\u0000${arg === undefined ? '' : typeof arg === 'number' ? arg : JSON.stringify(arg)}\u0000${plural ?? ''}`;
    let text = cache.get(k);
    if (text === undefined) {
      text = arg === undefined ? t(key) : typeof arg === 'number' ? t(key, arg) : plural === undefined ? t(key, arg) : t(key, arg, plural);
      if (cache.size >= MAX) cache.clear();
      cache.set(k, text);
    }
    return text;
  };
}
