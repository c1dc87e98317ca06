import { useI18n } from 'vue-i18n';

/**
 * `t` for a message that counts something in `{n}`: the count also chooses the plural form
 * (English "1 household" / "2 households"; Chinese has one form). A count that is not a
 * number (an average shown with a decimal) takes the plural.
 */
export function usePluralT(): (key: string, named: Record<string, unknown> & { n: unknown }) => string {
  const { t } = useI18n();
  return (key, named) => t(key, named, typeof named.n === 'number' ? named.n : 2);
}
