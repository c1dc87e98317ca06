import { describe, expect, it } from 'vitest';
import { useDraftsStore } from '@/stores/drafts';
import { usePwaStore } from '@/stores/pwa';
import { useFreshStores } from './helpers';

useFreshStores();

describe('pwa store', () => {
  it('does not reload for an update while a form holds unsaved input', () => {
    const pwa = usePwaStore();
    const drafts = useDraftsStore();
    drafts.setDirty('visit:h1', true);
    expect(pwa.updateNow()).toBe(false);
    expect(pwa.blockedByForm).toBe(true);
    drafts.setDirty('visit:h1', false);
    expect(pwa.updateNow()).toBe(true);
    expect(pwa.blockedByForm).toBe(false);
  });
});
