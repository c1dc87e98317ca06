import { OutgoingMessage, type Connection, type Document, type Extension, type onAuthenticatePayload } from '@hocuspocus/server';
import * as Y from 'yjs';
import { parseDocName } from '#docs/schema';
import type { AccessControl } from '../auth/access';
import type { Registry } from '../auth/registry';
import { TokenError, type DeviceClaims, type TokenService } from '../auth/tokens';
import { CLOSE } from '../errors';
import type { Logger } from '../logger';
import type { DocStore } from '../storage/doc-store';
import type { DocLimits } from '../limits/doc-limits';
import { inspectFrame, type Frame } from '../validation/frame';
import { sameBytes } from '../validation/trial-apply';
import type { DeviceSessions } from './device-sessions';
import type { SocketSession } from './socket-session';
import { RELAY_ORIGIN, type TeamDocs } from './team-docs';

/** What each Hocuspocus connection carries in its context. */
export interface RelayContext {
  session?: SocketSession;
  device?: DeviceClaims;
}

export interface RelayExtensionDeps {
  store: DocStore;
  access: AccessControl;
  registry: Registry;
  tokens: TokenService;
  teamDocs: TeamDocs;
  log: Logger;
  /** fold a doc's update log into a snapshot once it holds this many updates */
  compactAfterUpdates: number;
  /** ... and when it unloads holding at least this many (a doc with a few updates loads as fast) */
  compactOnUnloadAfter: number;
  limits: DocLimits;
  sessions: DeviceSessions;
}

type UpdateFrame = Extract<Frame, { kind: 'sync-update' }>;

/** What Yjs holds back for a doc until missing updates arrive. */
function pendingOf(doc: Y.Doc): { structs: Uint8Array | null; ds: Uint8Array | null } {
  return { structs: doc.store.pendingStructs?.update ?? null, ds: doc.store.pendingDs };
}

function samePending(a: ReturnType<typeof pendingOf>, b: ReturnType<typeof pendingOf>): boolean {
  const same = (x: Uint8Array | null, y: Uint8Array | null) => x === y || (x !== null && y !== null && sameBytes(x, y));
  return same(a.structs, b.structs) && same(a.ds, b.ds);
}

/**
 * Refuse one document on the socket: Hocuspocus answers with a permission-denied message
 * carrying `reason` and leaves the socket and its other documents alone. (An object without
 * `message`, so Hocuspocus does not log it as an error.)
 */
const refuseDoc = (reason: string) => ({ reason });

/** A promise that never settles: Hocuspocus then never applies (nor acknowledges) the message. */
const NEVER = new Promise<never>(() => {});

/**
 * The relay as Hocuspocus hooks: authentication and authorisation per document, storage
 * (load with salvage, append before acknowledging, compaction), and the per-document limits
 * checked before an update is applied.
 */
export function relayExtension(d: RelayExtensionDeps): Extension {
  const { store, access, registry, tokens, teamDocs, log, limits, sessions } = d;
  const lastTouch = new Map<string, number>();
  /** doc name → settles once the last update admitted for it has been applied (or refused) */
  const applying = new Map<string, Promise<void>>();

  /**
   * Apply one checked update to the live document and store what it changed, before
   * Hocuspocus acknowledges it (Hocuspocus' own apply that follows finds nothing new). The
   * cost depends on the update, never on the document's size: the frame was parsed in full
   * before this (the strict reader refuses everything Yjs would half-apply), the limits are
   * checked against running counts, and no copy of the document is made. An update over a
   * limit closes the socket and never settles (never applied, never acknowledged).
   */
  function applyAndStore(ctx: RelayContext, connection: Connection, document: Y.Doc, documentName: string, frame: UpdateFrame): Promise<never> | undefined {
    const parsed = parseDocName(documentName);
    if (!parsed) return NEVER;
    const device = ctx.device;
    const started = performance.now();
    try {
      const verdict = limits.check(parsed.kind, documentName, document, frame.update, frame.stats);
      if (!verdict.ok) {
        log.warn({ device: device?.deviceId, doc: documentName, bytes: frame.update.length, detail: verdict.detail }, 'update refused: over a document limit');
        ctx.session?.close(verdict.limit === 'document-too-large' ? CLOSE.documentTooLarge : CLOSE.tooManyKeys, verdict.detail);
        return NEVER;
      }
      const store = d.store;
      const pendingBefore = pendingOf(document);
      const changes: Uint8Array[] = [];
      const collect = (u: Uint8Array) => changes.push(u);
      document.on('update', collect);
      let failure: unknown;
      try {
        // The origin Hocuspocus itself would use, so its broadcast and store hooks behave as usual.
        Y.applyUpdate(document, frame.update, connection);
      } catch (e) {
        failure = e;
      } finally {
        document.off('update', collect);
      }
      // An update that needs updates the relay has not seen yet is stored whole: Yjs keeps
      // pending structs in memory only.
      const pending = !samePending(pendingBefore, pendingOf(document));
      const toStore = pending ? frame.update : changes.length === 0 ? null : changes.length === 1 ? changes[0]! : Y.mergeUpdates(changes);
      if (toStore) {
        store.append(documentName, toStore, device ? { deviceId: device.deviceId, memberId: device.memberId } : null, ({ seq, created }) => {
          if (created && device && parsed.kind === 'household') access.householdCreated(device.teamId, parsed.id!, device, seq);
        });
        limits.stored(documentName, toStore.length);
      }
      if (failure !== undefined) {
        // The strict reader should make this unreachable; what Yjs did apply is stored above,
        // so the live doc and the store stay the same.
        log.error({ device: device?.deviceId, doc: documentName, err: String(failure) }, 'update failed to apply after passing the checks');
        ctx.session?.close(CLOSE.invalidUpdate, 'apply failed');
        return NEVER;
      }
      return undefined;
    } finally {
      if (device) sessions.spend(device.deviceId, performance.now() - started);
    }
  }

  /**
   * Access is decided when a doc is opened and again on every write (a cached decision):
   * a socket must not keep writing after its token expired, after the unlink grace ran out,
   * after its member left the team, or to a household someone else created first. Returns
   * NEVER when the write is refused (never applied, never acknowledged).
   */
  function refuseWrite(ctx: RelayContext, connection: Connection, documentName: string): Promise<never> | undefined {
    const claims = ctx.device;
    if (!claims) return undefined;
    if (claims.exp * 1000 <= Date.now()) {
      ctx.session?.close(CLOSE.tokenExpired, 'token expired on an open socket');
      return NEVER;
    }
    const decision = access.decideCached(claims, documentName);
    if (decision.ok && !decision.readOnly) return undefined;
    if (decision.ok) {
      // Still readable: Hocuspocus answers this and later writes with SyncStatus(false).
      connection.readOnly = true;
      return undefined;
    }
    log.info({ device: claims.deviceId, doc: documentName }, 'write refused: access ended on an open socket');
    dropDoc(connection, decision.reason);
    return NEVER;
  }

  /** Tell the device it may not have this doc any more and take the doc off its socket. */
  function dropDoc(connection: Connection, reason: string): void {
    connection.send(new OutgoingMessage(connection.document.name).writePermissionDenied(reason).toUint8Array());
    connection.close({ code: CLOSE.forbidden.code, reason });
  }

  /**
   * The first write to a household creates it, and its writer becomes the creator. Other
   * members who attached the same new id before (each was allowed: nobody had it yet) would
   * receive the creator's content from now on; they lose the doc before it is applied.
   */
  function settleCreation(ctx: RelayContext, document: Document, documentName: string): void {
    const writer = ctx.device;
    if (!writer || parseDocName(documentName)?.kind !== 'household' || store.exists(documentName)) return;
    for (const other of document.getConnections()) {
      const claims = (other.context as RelayContext | undefined)?.device;
      if (!claims || claims.memberId === writer.memberId) continue;
      const d = access.decide(claims, documentName);
      if (d.ok && d.via === 'new-household') dropDoc(other, 'forbidden');
    }
  }

  async function onAuthenticate(data: onAuthenticatePayload): Promise<Pick<RelayContext, 'device'>> {
    const ctx = data.context as RelayContext;
    const session = ctx.session;
    const name = data.documentName;
    if (!session) throw refuseDoc('forbidden');
    let claims: DeviceClaims;
    try {
      claims = await tokens.verify(data.token);
    } catch (e) {
      const r = e instanceof TokenError && e.problem === 'token-expired' ? CLOSE.tokenExpired : CLOSE.tokenInvalid;
      session.docDenied(name);
      session.close(r);
      throw refuseDoc(r.reason);
    }
    const device = registry.device(claims.deviceId);
    if (!device || device.team_id !== claims.teamId) {
      session.docDenied(name);
      session.close(CLOSE.tokenInvalid);
      throw refuseDoc(CLOSE.tokenInvalid.reason);
    }
    if (device.revoked_at) {
      session.docDenied(name);
      session.close(CLOSE.deviceRevoked);
      throw refuseDoc(CLOSE.deviceRevoked.reason);
    }
    const bound = session.bind(claims);
    if (bound === 'mismatch') {
      session.docDenied(name);
      throw refuseDoc('forbidden');
    }
    if (bound) {
      session.docDenied(name);
      session.close(bound);
      throw refuseDoc(bound.reason);
    }
    await teamDocs.get(claims.teamId);
    const decision = access.decide(claims, name);
    if (!decision.ok) {
      session.docDenied(name);
      log.info({ device: claims.deviceId, doc: name }, 'document refused');
      throw refuseDoc(decision.reason);
    }
    data.connectionConfig.readOnly = decision.readOnly;
    session.docOpened(name);
    const now = Date.now();
    if ((lastTouch.get(claims.deviceId) ?? 0) < now - 60_000) {
      lastTouch.set(claims.deviceId, now);
      registry.touch(claims.deviceId);
    }
    return { device: claims };
  }

  return {
    extensionName: 'lianhu-relay',
    onAuthenticate,

    // The doc name as guid: otherwise Yjs draws a random UUID per doc from 31 WebCrypto calls.
    async onCreateDocument({ documentName }) {
      return { guid: documentName };
    },

    async onLoadDocument({ documentName, document }) {
      const stored = store.load(documentName);
      if (!stored) return limits.loaded(documentName, 0);
      const state = Y.encodeStateAsUpdate(stored);
      Y.applyUpdate(document, state);
      stored.destroy();
      limits.loaded(documentName, state.length);
    },

    async afterLoadDocument({ documentName, document }) {
      const parsed = parseDocName(documentName);
      document.on('update', (update: Uint8Array, origin: unknown) => {
        // Devices' updates are stored before they are applied (beforeHandleMessage); the
        // relay's own writes are stored here.
        if (origin === RELAY_ORIGIN) {
          store.append(documentName, update, null);
          limits.stored(documentName, update.length);
        }
        if (parsed?.kind === 'team') access.syncTeam(parsed.teamId, document);
      });
      if (parsed?.kind === 'team') access.syncTeam(parsed.teamId, document);
    },

    async beforeHandleMessage({ connection, document, documentName, update: data, context }) {
      const ctx = context as RelayContext;
      const frame = ctx.session?.frames.get(data) ?? (() => {
        const r = inspectFrame(data);
        return r.ok ? r.frame : undefined;
      })();
      if (!frame || frame.kind !== 'sync-update' || connection.readOnly) return;
      // Hocuspocus runs this hook for every message before it applies any of them; updates
      // of one doc are checked and applied here one after the other, in the order they came.
      const before = applying.get(documentName);
      let applied!: () => void;
      const mine = new Promise<void>((resolve) => (applied = resolve));
      applying.set(documentName, mine);
      try {
        if (before) await before;
        if (ctx.device) await sessions.outOfDebt(ctx.device.deviceId);
        const refused = refuseWrite(ctx, connection, documentName);
        if (refused || connection.readOnly) return refused;
        settleCreation(ctx, document, documentName);
        return applyAndStore(ctx, connection, document, documentName, frame);
      } finally {
        applied();
        if (applying.get(documentName) === mine) applying.delete(documentName);
      }
    },

    async onStoreDocument({ documentName, document }) {
      if ((store.row(documentName)?.update_count ?? 0) >= d.compactAfterUpdates) store.compact(documentName, document);
    },

    async beforeUnloadDocument({ documentName, document }) {
      if ((store.row(documentName)?.update_count ?? 0) >= d.compactOnUnloadAfter) store.compact(documentName, document);
      limits.unloaded(documentName);
    },

    async onDisconnect({ context, documentName }) {
      (context as RelayContext | undefined)?.session?.docClosed(documentName);
    },
  };
}
