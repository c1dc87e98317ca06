/**
 * "3 minutes ago" within a day, the date and time beyond: how the status bar says when the
 * last sync finished. Pure, so it is tested without a component.
 */
export function relativeTime(iso: string, now: number, locale: string): string {
  const then = Date.parse(iso);
  if (!Number.isFinite(then)) return '';
  const seconds = Math.round((then - now) / 1000);
  const abs = Math.abs(seconds);
  const rtf = new Intl.RelativeTimeFormat(locale, { numeric: 'auto' });
  if (abs < 45) return rtf.format(0, 'second');
  if (abs < 3600) return rtf.format(Math.round(seconds / 60), 'minute');
  if (abs < 86_400) return rtf.format(Math.round(seconds / 3600), 'hour');
  return new Intl.DateTimeFormat(locale, { month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit' }).format(then);
}

/** A time of day, for "retrying at …". */
export function clockTime(iso: string, locale: string): string {
  const t = Date.parse(iso);
  return Number.isFinite(t) ? new Intl.DateTimeFormat(locale, { hour: '2-digit', minute: '2-digit', second: '2-digit' }).format(t) : '';
}
