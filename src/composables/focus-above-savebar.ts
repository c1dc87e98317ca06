/**
 * A form's save bar is sticky at the bottom of the screen (`.savebar`). The browser scrolls a
 * focused field just into view — on a phone with the keyboard up, that is behind the bar, so
 * the member types into a field they cannot see. After a field takes focus, and again when the
 * visual viewport shrinks (the on-screen keyboard opens), the page is scrolled so the field's
 * bottom sits above the bar (`scroll-padding-bottom` in styles.css does the same for the
 * browser's own scrolling where it honours it).
 */

/** Space kept between the field and the bar, in CSS pixels. */
const GAP = 8;
/** Room the sticky top bar takes, in CSS pixels (what scrolling must not push a field under). */
const TOP_BAR = 56;

function isTypingField(el: Element | null): el is HTMLElement {
  return el instanceof HTMLInputElement || el instanceof HTMLTextAreaElement || el instanceof HTMLSelectElement;
}

/** Scroll so `el` ends above its form's save bar (and above the keyboard); nothing when it already does. */
export function keepAboveSavebar(el: HTMLElement): void {
  const bar = el.closest('form')?.querySelector<HTMLElement>('.savebar');
  if (!bar || bar.contains(el)) return;
  const vv = window.visualViewport;
  const visibleBottom = vv ? vv.offsetTop + vv.height : window.innerHeight;
  const limit = Math.min(bar.getBoundingClientRect().top, visibleBottom - bar.offsetHeight) - GAP;
  // The field's message under it (its limit, why it was refused) is kept in view too, when there is room.
  const field = el.closest('.field, .obs');
  const whole = field?.getBoundingClientRect();
  const rect = whole && whole.height <= limit - TOP_BAR ? whole : el.getBoundingClientRect();
  if (rect.bottom > limit) {
    // A field taller than the room left (a long textarea) shows its top, where the caret starts.
    const by = Math.min(rect.bottom - limit, Math.max(0, rect.top - TOP_BAR - GAP));
    if (by > 0) window.scrollBy({ top: by, behavior: 'instant' });
  }
}

/** Install once for the app; returns the uninstall. */
export function installFocusAboveSavebar(): () => void {
  const onFocus = (e: FocusEvent) => {
    const el = e.target as Element | null;
    // After the browser's own scroll into view, which runs with the focus.
    if (isTypingField(el)) requestAnimationFrame(() => keepAboveSavebar(el));
  };
  const onViewport = () => {
    const el = document.activeElement;
    if (isTypingField(el)) keepAboveSavebar(el);
  };
  document.addEventListener('focusin', onFocus);
  window.visualViewport?.addEventListener('resize', onViewport);
  return () => {
    document.removeEventListener('focusin', onFocus);
    window.visualViewport?.removeEventListener('resize', onViewport);
  };
}
