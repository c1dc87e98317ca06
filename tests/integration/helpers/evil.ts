// Hostile frames, each malformed by construction, in the classes the relay must refuse:
// declared counts larger than the bytes, zero-length structs, updates Yjs half-applies
// before its decoder throws, structs that point forward, unknown kinds, and framing errors.
import * as encoding from 'lib0/encoding';
import * as Y from 'yjs';
import { frame, syncFrame, T } from './raw';

export interface EvilFrame {
  kind: string;
  data: Uint8Array | string;
  /** close codes that are a correct answer */
  expect: number[];
}

type Rand = () => number;

export function rng(seed: number): Rand {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const int = (r: Rand, lo: number, hi: number) => lo + Math.floor(r() * (hi - lo + 1));

function bytes(write: (e: encoding.Encoder) => void): Uint8Array {
  const e = encoding.createEncoder();
  write(e);
  return encoding.toUint8Array(e);
}

/** One client's structs, then a delete set written by `ds` (empty by default). */
function update(client: number, clock: number, nStructs: number, structs: (e: encoding.Encoder) => void, ds: (e: encoding.Encoder) => void = (e) => encoding.writeVarUint(e, 0)) {
  return bytes((e) => {
    encoding.writeVarUint(e, 1);
    encoding.writeVarUint(e, nStructs);
    encoding.writeVarUint(e, client);
    encoding.writeVarUint(e, clock);
    structs(e);
    ds(e);
  });
}

/** An item at the root map `key` (info: content ref | parentSub flag), no origins. */
function rootItem(e: encoding.Encoder, contentRef: number, root: string, sub: string | undefined, content: (e: encoding.Encoder) => void) {
  encoding.writeUint8(e, contentRef | (sub !== undefined ? 0x20 : 0));
  encoding.writeVarUint(e, 1);
  encoding.writeVarString(e, root);
  if (sub !== undefined) encoding.writeVarString(e, sub);
  content(e);
}

const str = (s: string) => (e: encoding.Encoder) => encoding.writeVarString(e, s);
const HUGE = [2 ** 20, 2 ** 31, 2 ** 40, 2 ** 52];

/** Update payloads that are malformed by construction. `valid` is a real update of the target doc. */
const updateClasses: Record<string, (r: Rand, valid: Uint8Array) => Uint8Array> = {
  'count-bomb-clients': (r) => bytes((e) => {
    encoding.writeVarUint(e, HUGE[int(r, 0, 3)]!);
    encoding.writeVarUint(e, 1);
    encoding.writeVarUint(e, int(r, 1, 2 ** 31));
  }),
  'count-bomb-structs': (r) => update(int(r, 1, 2 ** 31), 0, HUGE[int(r, 0, 3)]!, (e) => encoding.writeUint8(e, 4)),
  'count-bomb-json': (r) => update(int(r, 1, 2 ** 31), 0, 1, (e) => rootItem(e, 2, 'visits', 'x', (e2) => encoding.writeVarUint(e2, HUGE[int(r, 0, 3)]!))),
  'count-bomb-any': (r) => update(int(r, 1, 2 ** 31), 0, 1, (e) => rootItem(e, 8, 'meta', 'k', (e2) => encoding.writeVarUint(e2, HUGE[int(r, 0, 3)]!))),
  'count-bomb-any-array': (r) =>
    update(int(r, 1, 2 ** 31), 0, 1, (e) =>
      rootItem(e, 8, 'meta', 'k', (e2) => {
        encoding.writeVarUint(e2, 1);
        encoding.writeUint8(e2, 117);
        encoding.writeVarUint(e2, HUGE[int(r, 0, 3)]!);
      }),
    ),
  'count-bomb-delete-set': (r, valid) => {
    const cut = valid.subarray(0, valid.length - 1); // drop the empty delete set
    return bytes((e) => {
      encoding.writeUint8Array(e, cut);
      encoding.writeVarUint(e, 1);
      encoding.writeVarUint(e, int(r, 1, 2 ** 31));
      encoding.writeVarUint(e, HUGE[int(r, 0, 3)]!);
    });
  },
  'count-bomb-string': (r) => update(int(r, 1, 2 ** 31), 0, 1, (e) => rootItem(e, 4, 'notes', undefined, (e2) => encoding.writeVarUint(e2, HUGE[int(r, 0, 2)]!))),
  'zero-length-string': (r) => update(int(r, 1, 2 ** 31), 0, int(r, 1, 2), (e) => {
    rootItem(e, 4, 'notes', undefined, str(''));
    rootItem(e, 4, 'notes', undefined, str('x'));
  }),
  'zero-length-string-then-origin': (r) => {
    const c = int(r, 1, 2 ** 31);
    return update(c, 0, 2, (e) => {
      rootItem(e, 4, 'notes', undefined, str(''));
      encoding.writeUint8(e, 4 | 0x80);
      encoding.writeVarUint(e, c);
      encoding.writeVarUint(e, 0);
      encoding.writeVarString(e, 'x');
    });
  },
  'zero-length-gc': (r) => update(int(r, 1, 2 ** 31), int(r, 0, 100), 2, (e) => {
    encoding.writeUint8(e, 0);
    encoding.writeVarUint(e, 0);
    rootItem(e, 4, 'notes', undefined, str('x'));
  }),
  'zero-length-skip': (r) => update(int(r, 1, 2 ** 31), 0, 2, (e) => {
    encoding.writeUint8(e, 10);
    encoding.writeVarUint(e, 0);
    rootItem(e, 4, 'notes', undefined, str('x'));
  }),
  'zero-length-deleted': (r) => update(int(r, 1, 2 ** 31), 0, 2, (e) => {
    rootItem(e, 1, 'notes', undefined, (e2) => encoding.writeVarUint(e2, 0));
    rootItem(e, 4, 'notes', undefined, str('x'));
  }),
  'zero-length-json': (r) => update(int(r, 1, 2 ** 31), 0, 1, (e) => rootItem(e, 2, 'visits', 'v', (e2) => encoding.writeVarUint(e2, 0))),
  'zero-length-any': (r) => update(int(r, 1, 2 ** 31), 0, 1, (e) => rootItem(e, 8, 'meta', 'k', (e2) => encoding.writeVarUint(e2, 0))),
  'zero-length-delete-range': (r, valid) => {
    const cut = valid.subarray(0, valid.length - 1);
    return bytes((e) => {
      encoding.writeUint8Array(e, cut);
      encoding.writeVarUint(e, 1);
      encoding.writeVarUint(e, int(r, 1, 2 ** 31));
      encoding.writeVarUint(e, 1);
      encoding.writeVarUint(e, int(r, 0, 50));
      encoding.writeVarUint(e, 0);
    });
  },
  // Yjs integrates the structs, then its delete-set decoder throws: half an update.
  'structs-then-broken-delete-set': (r) => update(int(r, 1, 2 ** 31), 0, 1, (e) => rootItem(e, 4, 'notes', undefined, str('半条更新')), (e) => encoding.writeVarUint(e, int(r, 2, 9))),
  'truncated-valid-update': (r, valid) => valid.slice(0, int(r, 1, valid.length - 1)),
  'trailing-garbage': (r, valid) => {
    const tail = Uint8Array.from({ length: int(r, 1, 16) }, () => int(r, 0, 255));
    return Uint8Array.from([...valid, ...tail]);
  },
  'origin-is-itself': (r) => {
    const c = int(r, 1, 2 ** 31);
    const clock = int(r, 0, 20);
    return update(c, clock, 1, (e) => {
      encoding.writeUint8(e, 4 | 0x80);
      encoding.writeVarUint(e, c);
      encoding.writeVarUint(e, clock + int(r, 0, 3));
      encoding.writeVarString(e, 'x');
    });
  },
  'right-origin-in-future': (r) => {
    const c = int(r, 1, 2 ** 31);
    return update(c, 0, 1, (e) => {
      encoding.writeUint8(e, 4 | 0x40);
      encoding.writeVarUint(e, c);
      encoding.writeVarUint(e, int(r, 0, 1000));
      encoding.writeVarString(e, 'x');
    });
  },
  'unknown-content-ref': (r) => update(int(r, 1, 2 ** 31), 0, 1, (e) => rootItem(e, int(r, 11, 31), 'notes', undefined, str('x'))),
  'sub-document': (r) => update(int(r, 1, 2 ** 31), 0, 1, (e) => rootItem(e, 9, 'meta', 'd', (e2) => {
    encoding.writeVarString(e2, 'guid');
    encoding.writeUint8(e2, 126);
  })),
  'unknown-type-ref': (r) => update(int(r, 1, 2 ** 31), 0, 1, (e) => rootItem(e, 7, 'meta', 't', (e2) => encoding.writeVarUint(e2, int(r, 7, 200)))),
  'bad-parent-info': (r) => update(int(r, 1, 2 ** 31), 0, 1, (e) => {
    encoding.writeUint8(e, 4);
    encoding.writeVarUint(e, int(r, 2, 100));
    encoding.writeVarString(e, 'notes');
    encoding.writeVarString(e, 'x');
  }),
  'clock-out-of-range': (r) => update(int(r, 1, 2 ** 31), 2 ** 41 + int(r, 0, 1000), 1, (e) => rootItem(e, 4, 'notes', undefined, str('x'))),
  'length-out-of-range': (r) => update(int(r, 1, 2 ** 31), 0, 1, (e) => {
    encoding.writeUint8(e, 0);
    encoding.writeVarUint(e, 2 ** 45 + int(r, 0, 1000));
  }),
  'client-out-of-range': (r) => update(2 ** 33 + int(r, 0, 1000), 0, 1, (e) => rootItem(e, 4, 'notes', undefined, str('x'))),
  'client-listed-twice': (r) => {
    const c = int(r, 1, 2 ** 31);
    return bytes((e) => {
      encoding.writeVarUint(e, 2);
      for (const clock of [0, 1]) {
        encoding.writeVarUint(e, 1);
        encoding.writeVarUint(e, c);
        encoding.writeVarUint(e, clock);
        rootItem(e, 4, 'notes', undefined, str('x'));
      }
      encoding.writeVarUint(e, 0);
    });
  },
  'invalid-utf8': (r) => update(int(r, 1, 2 ** 31), 0, 1, (e) => rootItem(e, 4, 'notes', undefined, (e2) => {
    encoding.writeVarUint(e2, 2);
    encoding.writeUint8(e2, 0xc3);
    encoding.writeUint8(e2, int(r, 0, 0x7f));
  })),
  'invalid-json-content': (r) => update(int(r, 1, 2 ** 31), 0, 1, (e) => rootItem(e, 2, 'visits', 'v', (e2) => {
    encoding.writeVarUint(e2, 1);
    encoding.writeVarString(e2, '{not json');
  })),
  'nested-too-deep': (r) => update(int(r, 1, 2 ** 31), 0, 1, (e) => rootItem(e, 8, 'meta', 'k', (e2) => {
    encoding.writeVarUint(e2, 1);
    const depth = int(r, 40, 3000);
    for (let i = 0; i < depth; i++) {
      encoding.writeUint8(e2, 117);
      encoding.writeVarUint(e2, 1);
    }
    encoding.writeUint8(e2, 126);
  })),
  'varint-overflow': () => Uint8Array.from([1, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01]),
  'empty-payload': () => new Uint8Array(0),
};

/** Frames broken at the Hocuspocus level rather than in the Yjs payload. */
const frameClasses: Record<string, (r: Rand, docName: string) => Uint8Array | string> = {
  'text-frame': (r) => `{"type":"sync","n":${int(r, 0, 1e6)}}`,
  'unknown-message-type': (r, doc) => frame(doc, (e) => encoding.writeVarUint(e, int(r, 9, 10_000))),
  'unknown-sync-step': (r, doc) => frame(doc, (e) => {
    encoding.writeVarUint(e, T.Sync);
    encoding.writeVarUint(e, int(r, 3, 1000));
    encoding.writeVarUint8Array(e, new Uint8Array([0, 0]));
  }),
  'state-vector-count-bomb': (r, doc) => syncFrame(doc, 0, bytes((e) => {
    encoding.writeVarUint(e, HUGE[int(r, 0, 3)]!);
    encoding.writeVarUint(e, 1);
  })),
  'payload-longer-than-frame': (r, doc) => frame(doc, (e) => {
    encoding.writeVarUint(e, T.Sync);
    encoding.writeVarUint(e, 2);
    encoding.writeVarUint(e, int(r, 100, 2 ** 30));
    encoding.writeUint8Array(e, new Uint8Array([0, 0]));
  }),
  'doc-name-length-bomb': (r) => bytes((e) => {
    encoding.writeVarUint(e, HUGE[int(r, 0, 3)]!);
    encoding.writeUint8(e, 0);
  }),
  'not-a-document-name': (r) => frame(`../${int(r, 0, 1e6)}/etc/passwd`, (e) => {
    encoding.writeVarUint(e, T.Sync);
    encoding.writeVarUint(e, 0);
    encoding.writeVarUint8Array(e, new Uint8Array([0]));
  }),
  'sync-trailing-bytes': (r, doc) => Uint8Array.from([...syncFrame(doc, 2, new Uint8Array([0, 0])), ...Array.from({ length: int(r, 1, 8) }, () => 7)]),
};

/**
 * A well-formed update that sets `keys` new keys in one record map (`visits`): what one
 * member used to grow a household doc until every later update cost the relay seconds.
 */
export function keyFlood(keys: number, seed: number, root = 'visits'): Uint8Array {
  const d = new Y.Doc();
  d.clientID = 1 + (seed % 2 ** 31);
  const map = d.getMap(root);
  d.transact(() => {
    for (let i = 0; i < keys; i++) map.set(`k${seed}-${i}`, i);
  });
  const u = Y.encodeStateAsUpdate(d);
  d.destroy();
  return u;
}

/**
 * `n` hostile frames for `docName` (a doc the sender authenticated), cycling through every
 * class with random parameters. `maxMessageBytes` sizes the oversized ones.
 */
export function evilFrames(docName: string, valid: Uint8Array, n: number, seed: number, maxMessageBytes: number): EvilFrame[] {
  const r = rng(seed);
  const upd = Object.entries(updateClasses);
  const frm = Object.entries(frameClasses);
  const total = upd.length + frm.length + 3;
  const out: EvilFrame[] = [];
  for (let i = 0; i < n; i++) {
    const k = i % total;
    if (k < upd.length) {
      const [kind, make] = upd[k]!;
      out.push({ kind, data: syncFrame(docName, r() < 0.5 ? 2 : 1, make(r, valid)), expect: [4422] });
    } else if (k < upd.length + frm.length) {
      const [kind, make] = frm[k - upd.length]!;
      out.push({ kind, data: make(r, docName), expect: [4422] });
    } else if (k === upd.length + frm.length) {
      // above our limit, below ws's hard ceiling: our 4413
      out.push({ kind: 'oversized', data: syncFrame(docName, 2, new Uint8Array(maxMessageBytes + int(r, 1, maxMessageBytes / 2))), expect: [4413] });
    } else if (k === upd.length + frm.length + 1) {
      // above the hard ceiling: ws itself answers 1009
      out.push({ kind: 'oversized-beyond-ceiling', data: new Uint8Array(maxMessageBytes * 2 + int(r, 1, 1000)), expect: [1009] });
    } else {
      // well-formed, under the message limit, over the per-map key limit the fuzz relay runs with
      out.push({ kind: 'key-flood', data: syncFrame(docName, 2, keyFlood(FUZZ_KEY_LIMIT + int(r, 1, 500), int(r, 1, 2 ** 30))), expect: [4413] });
    }
  }
  return out;
}

/** The per-map key limit (`maxRecordsPerMap`) a relay fuzzed with `key-flood` frames runs with. */
export const FUZZ_KEY_LIMIT = 1000;

export const EVIL_CLASSES = [...Object.keys(updateClasses), ...Object.keys(frameClasses), 'oversized', 'oversized-beyond-ceiling', 'key-flood'];
export { updateClasses };
