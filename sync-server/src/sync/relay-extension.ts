import type { Extension, onAuthenticatePayload } from '@hocuspocus/server';
import * as Y from 'yjs';
import { parseDocName } from '#docs/schema';
import type { AccessControl } from '../auth/access';
import type { Registry } from '../auth/registry';
import { TokenError, type DeviceClaims, type TokenService } from '../auth/tokens';
import { CLOSE } from '../errors';
import type { Logger } from '../logger';
import type { DocStore } from '../storage/doc-store';
import { inspectFrame } from '../validation/frame';
import { trialApply } from '../validation/trial-apply';
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
 * (load with salvage, append before acknowledging, compaction), and the trial apply that
 * keeps a bad update away from the live document.
 */
export function relayExtension(d: RelayExtensionDeps): Extension {
  const { store, access, registry, tokens, teamDocs, log } = d;
  const lastTouch = new Map<string, number>();
  /** doc name → settles once the last update admitted for it has been applied */
  const applying = new Map<string, Promise<void>>();

  /**
   * Trial-apply one update and store what it changes, before Hocuspocus applies and
   * acknowledges it. A refused update closes the socket and never settles (never applied).
   */
  function checkAndStore(ctx: RelayContext, document: Y.Doc, documentName: string, update: Uint8Array): Promise<never> | undefined {
    const result = trialApply(document, update);
    if (!result.ok) {
      log.warn({ device: ctx.device?.deviceId, doc: documentName, bytes: update.length, detail: result.reason }, 'update refused after trial apply');
      ctx.session?.close(CLOSE.invalidUpdate, result.reason);
      return NEVER;
    }
    // A pending update (it needs updates the relay has not seen yet) is stored whole: Yjs
    // keeps pending structs in memory only.
    const toStore = result.pending ? update : result.effective;
    if (!toStore) return undefined;
    const device = ctx.device;
    const parsed = parseDocName(documentName);
    store.append(documentName, toStore, device ? { deviceId: device.deviceId, memberId: device.memberId } : null, ({ seq, created }) => {
      if (created && device && parsed?.kind === 'household') access.householdCreated(device.teamId, parsed.id!, device, seq);
    });
    store.holdCompaction(documentName);
    setImmediate(() => store.releaseCompaction(documentName));
    return undefined;
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
      if (!stored) return;
      Y.applyUpdate(document, Y.encodeStateAsUpdate(stored));
      stored.destroy();
    },

    async afterLoadDocument({ documentName, document }) {
      const parsed = parseDocName(documentName);
      document.on('update', (update: Uint8Array, origin: unknown) => {
        // Devices' updates are stored before they are applied (beforeHandleMessage); the
        // relay's own writes are stored here.
        if (origin === RELAY_ORIGIN) store.append(documentName, update, null);
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
      // Hocuspocus runs this hook for every message before it applies any of them, so two
      // updates that arrive together would both be checked against the state without the
      // first. Each update of a doc waits until the one before it has been applied.
      const before = applying.get(documentName);
      let applied!: () => void;
      const mine = new Promise<void>((resolve) => (applied = resolve));
      applying.set(documentName, mine);
      try {
        if (before) await before;
        return checkAndStore(ctx, document, documentName, frame.update);
      } finally {
        // Hocuspocus applies this message in the microtasks that follow; by the next
        // macrotask it is in the doc.
        setImmediate(() => {
          applied();
          if (applying.get(documentName) === mine) applying.delete(documentName);
        });
      }
    },

    async onStoreDocument({ documentName, document }) {
      if ((store.row(documentName)?.update_count ?? 0) >= d.compactAfterUpdates) store.compact(documentName, document);
    },

    async beforeUnloadDocument({ documentName, document }) {
      if ((store.row(documentName)?.update_count ?? 0) >= d.compactOnUnloadAfter) store.compact(documentName, document);
    },

    async onDisconnect({ context, documentName }) {
      (context as RelayContext | undefined)?.session?.docClosed(documentName);
    },
  };
}
