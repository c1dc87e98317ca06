import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { BundleError, BundleReader, decodeBundle, encodeBundle, encodeDoc, encodeDocParts, type Bundle } from '@/docs/bundle';

const update = () => {
  const d = new Y.Doc();
  d.getMap('profile').set('headName', '张三');
  return Y.encodeStateAsUpdateV2(d);
};
const bundle: Bundle = {
  header: { teamId: 't1', createdAt: '2026-05-01T00:00:00Z', source: { kind: 'device', memberId: 'm1' } },
  docs: [
    { name: 't1/household/h1', update: update() },
    { name: 't1/team', update: update() },
  ],
  photos: [{ sha256: 'a'.repeat(64), mime: 'image/jpeg', size: 3, data: new Uint8Array([1, 2, 3]) }],
};
const bytes = encodeBundle(bundle);

function codeOf(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    if (e instanceof BundleError) return e.code;
    throw e;
  }
  return 'ok';
}

describe('bundle format', () => {
  it('round-trips docs and photos', () => {
    const back = decodeBundle(bytes, 't1');
    expect(back.header).toEqual(bundle.header);
    expect(back.docs).toEqual(bundle.docs);
    expect(back.photos).toEqual(bundle.photos);
  });

  it('decodes the same records whatever the chunking of a stream', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 1, max: bytes.length }), { maxLength: 8 }), (cuts) => {
        const points = [...new Set([0, ...cuts.sort((a, b) => a - b), bytes.length])];
        const reader = new BundleReader('t1');
        const kinds: string[] = [];
        for (let i = 1; i < points.length; i++) kinds.push(...reader.push(bytes.subarray(points[i - 1], points[i])).map((r) => r.kind));
        reader.finish();
        expect(kinds).toEqual(['header', 'doc', 'doc', 'photo', 'end']);
      }),
    );
  });

  it('refuses another team\'s file, a cut-off file, an empty file and a stranger', () => {
    expect(codeOf(() => decodeBundle(bytes, 't2'))).toBe('bundle_foreign_team');
    expect(codeOf(() => decodeBundle(bytes.subarray(0, bytes.length - 3), 't1'))).toBe('bundle_truncated');
    expect(codeOf(() => decodeBundle(bytes.subarray(0, 40), 't1'))).toBe('bundle_truncated');
    expect(codeOf(() => decodeBundle(new Uint8Array(0)))).toBe('bundle_empty');
    expect(codeOf(() => decodeBundle(new TextEncoder().encode('PK\u0003\u0004 a zip file')))).toBe('bundle_not_lianhu');
  });

  it('names corruption anywhere and never throws anything but a BundleError', () => {
    fc.assert(
      fc.property(fc.nat(bytes.length - 1), fc.integer({ min: 1, max: 255 }), (pos, xor) => {
        const bad = bytes.slice();
        bad[pos]! ^= xor;
        const code = codeOf(() => decodeBundle(bad, 't1'));
        // A flipped byte inside an opaque update or photo payload is caught later, by the trial apply or the SHA-256 check.
        expect(['ok', 'bundle_corrupt', 'bundle_truncated', 'bundle_not_lianhu', 'bundle_version', 'bundle_foreign_team']).toContain(code);
      }),
      { numRuns: 500 },
    );
  });
});

describe('encodeDocParts', () => {
  it('is the doc record encodeDoc makes, as head and update', () => {
    fc.assert(
      fc.property(fc.string({ minLength: 1, maxLength: 200 }), fc.uint8Array({ maxLength: 3000 }), (name, body) => {
        const [head, tail] = encodeDocParts({ name, update: body });
        expect(tail).toBe(body);
        expect(new Uint8Array([...head, ...tail])).toEqual(encodeDoc({ name, update: body }));
      }),
      { numRuns: 200 },
    );
  });
});
