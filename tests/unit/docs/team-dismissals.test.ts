import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { dismissDuplicatePair, readDismissedPairs, restoreDuplicatePairs } from '@/docs/team-doc';

const at = (memberId: string) => ({ memberId, now: '2026-12-01T08:00:00.000Z' });

describe('duplicate dismissals in the team doc', () => {
  it('keeps both when two lead devices dismiss different pairs offline, whichever syncs first', () => {
    for (const order of [0, 1]) {
      const base = new Y.Doc();
      base.getMap('meta').set('kind', 'team');
      const a = new Y.Doc();
      const b = new Y.Doc();
      Y.applyUpdate(a, Y.encodeStateAsUpdate(base));
      Y.applyUpdate(b, Y.encodeStateAsUpdate(base));
      // Neither device had the root before: a nested map made lazily on both would keep one.
      dismissDuplicatePair(a, 'h2', 'h1', at('lead1'));
      dismissDuplicatePair(b, 'h3', 'h4', at('lead2'));
      const [first, second] = order ? [b, a] : [a, b];
      Y.applyUpdate(second, Y.encodeStateAsUpdate(first));
      Y.applyUpdate(first, Y.encodeStateAsUpdate(second));
      expect([...readDismissedPairs(a)].sort()).toEqual(['h1|h2', 'h3|h4']);
      expect([...readDismissedPairs(b)].sort()).toEqual(['h1|h2', 'h3|h4']);
    }
  });

  it('takes every dismissal back, and refuses a pair of the wrong form', () => {
    const doc = new Y.Doc();
    dismissDuplicatePair(doc, 'h1', 'h2', at('lead1'));
    restoreDuplicatePairs(doc);
    expect(readDismissedPairs(doc).size).toBe(0);
    expect(() => dismissDuplicatePair(doc, '__proto__', 'h2', at('lead1'))).toThrow();
    expect(() => dismissDuplicatePair(doc, 'h1', 'h1', at('lead1'))).toThrow();
  });

  it('reads past a key or value written by something else', () => {
    const doc = new Y.Doc();
    const m = doc.getMap('duplicateDismissals');
    m.set('h1|h2', { at: '2026-12-01T08:00:00.000Z', by: 'lead1' });
    m.set('h2|h1', { at: '2026-12-01T08:00:00.000Z', by: 'lead1' }); // out of order
    m.set('h3|h4', { at: 5, by: 'lead1' });
    m.set('h5|h6', new Y.Map());
    expect([...readDismissedPairs(doc)]).toEqual(['h1|h2']);
  });
});
