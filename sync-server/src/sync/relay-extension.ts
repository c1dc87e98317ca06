import { OutgoingMessage, type Connection, type Document, type Extension, type Hocuspocus, type onAuthenticatePayload } from '@hocuspocus/server';
import * as Y from 'yjs';
import { parseDocName } from '#docs/schema';
import type { AccessControl } from '../auth/access';
import type { Registry } from '../auth/registry';
import { TokenError, type DeviceClaims, type TokenService } from '../auth/tokens';
import { closeFor, revocationOf } from '../auth/revocation';
import { CLOSE, type CloseReason } from '../errors';
import type { Logger } from '../logger';
import type { DocStore } from '../storage/doc-store';
import type { DocLimits } from '../limits/doc-limits';
import type { RelayWrites } from '../storage/relay-writes';
import { inspectFrame, type Frame } from '../validation/frame';
import type { DeviceSessions } from './device-sessions';
import type { DocWriter } from './doc-writer';
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
  relayWrites: RelayWrites;
  /** false while a store the relay needs is lost (the Redis bus): updates are refused, never acknowledged */
  writable: () => boolean;
  log: Logger;
  /** fold a doc's update log into a snapshot once it holds this many updates */
  compactAfterUpdates: number;
  /** ... and when it unloads holding at least this many (a doc with a few updates loads as fast) */
  compactOnUnloadAfter: number;
  limits: DocLimits;
  sessions: DeviceSessions;
  /** the one write path for devices' updates (shared with carried files) */
  writer: DocWriter;
}

type UpdateFrame = Extract<Frame, { kind: 'sync-update' }>;

/**
 * Refuse one document on the socket: Hocuspocus answers with a permission-denied message
 * carrying `reason` and leaves the socket and its other documents alone. (An object without
 * `message`, so Hocuspocus does not log it as an error.)
 */
const refuseDoc = (reason: string) => ({ reason });

/** A promise that never settles: Hocuspocus then never applies (nor acknowledges) the message. */

const NEVER = new Promise<never>(() => {});
/** What `applyAndStore` answers for an update it refused (and closed the socket for). */
const REFUSED = Symbol('refused');

/**
 * The relay as Hocuspocus hooks: authentication and authorisation per document, storage
 * (load with salvage, append before acknowledging, compaction), and the per-document limits
 * checked before an update is applied.
 */
export function relayExtension(d: RelayExtensionDeps): Extension {
  const { store, access, registry, tokens, teamDocs, relayWrites, log, limits, sessions } = d;
  const lastTouch = new Map<string, number>();

  /**
   * Apply one checked update to the live document and store what it changed, before
   * Hocuspocus acknowledges it (Hocuspocus' own apply that follows finds nothing new). The
   * cost depends on the update, never on the document's size: the frame was parsed in full
   * before this (the strict reader refuses everything Yjs would half-apply), the limits are
   * checked against running counts, and no copy of the document is made. An update over a
   * limit closes the socket and never settles (never applied, never acknowledged).
   */
  async function applyAndStore(ctx: RelayContext, connection: Connection, document: Y.Doc, documentName: string, frame: UpdateFrame, instance: Hocuspocus): Promise<typeof REFUSED | undefined> {
    const device = ctx.device;
    const started = performance.now();
    let charged = false;
    // The device pays for the relay's work on its update, not for the wait on the database.
    const charge = () => {
      if (device && !charged) sessions.spend(device.deviceId, performance.now() - started);
      charged = true;
    };
    try {
      const outcome = await d.writer.apply(document, documentName, frame.update, frame.stats, device, connection, charge);
      if (outcome.ok) return undefined;
      const at = { device: device?.deviceId, doc: documentName, bytes: frame.update.length, detail: outcome.detail };
      switch (outcome.refusal) {
        case 'unwritable':
          log.warn(at, 'update refused: the bus between relays is lost');
          ctx.session?.close(CLOSE.storageUnavailable, 'the bus between relays is lost');
          break;
        case 'limit':
          log.warn(at, 'update refused: over a document limit');
          ctx.session?.close(outcome.limit === 'document-too-large' ? CLOSE.documentTooLarge : CLOSE.tooManyKeys, outcome.detail);
          break;
        case 'record':
          // Refused for this document only, never applied, stored or acknowledged; the socket
          // and its other documents carry on.
          log.warn(at, 'update refused: breaks the record layout');
          dropDoc(connection, CLOSE.invalidRecord);
          break;
        case 'storage':
          // Not committed (the database is down): nothing is acknowledged. The live doc
          // already holds the update, so a resend would look like nothing new and never be
          // stored: every socket on this doc is closed, the doc unloads, and the next load
          // comes from what is stored; the device sends its update again on reconnecting.
          log.error(at, 'update not stored; closing the document without acknowledging it');
          ctx.session?.close(CLOSE.storageUnavailable, 'the database did not commit');
          instance.closeConnections(documentName);
          break;
        case 'apply':
          // The strict reader should make this unreachable; what Yjs did apply is stored, so
          // the live doc and the store stay the same.
          log.error(at, 'update failed to apply after passing the checks');
          ctx.session?.close(CLOSE.invalidUpdate, 'apply failed');
          break;
      }
      return REFUSED;
    } finally {
      charge();
    }
  }

  /**
   * Access is decided when a doc is opened and again on every write (a cached decision):
   * a socket must not keep writing after its token expired, after the unlink grace ran out,
   * after its member left the team, or to a household someone else created first. Returns
   * NEVER when the write is refused (never applied, never acknowledged).
   */
  async function refuseWrite(ctx: RelayContext, connection: Connection, documentName: string): Promise<boolean> {
    const claims = ctx.device;
    if (!claims) return false;
    if (claims.exp * 1000 <= Date.now()) {
      ctx.session?.close(CLOSE.tokenExpired, 'token expired on an open socket');
      return true;
    }
    const decision = await access.decideCached(claims, documentName);
    if (decision.ok && !decision.readOnly) return false;
    if (decision.ok) {
      // Still readable: Hocuspocus answers this and later writes with SyncStatus(false).
      connection.readOnly = true;
      return false;
    }
    log.info({ device: claims.deviceId, doc: documentName }, 'write refused: access ended on an open socket');
    dropDoc(connection, { code: CLOSE.forbidden.code, reason: decision.reason });
    return true;
  }

  /** Tell the device it may not have this doc any more and take the doc off its socket. */
  function dropDoc(connection: Connection, why: CloseReason): void {
    connection.send(new OutgoingMessage(connection.document.name).writePermissionDenied(why.reason).toUint8Array());
    connection.close(why);
  }

  /**
   * The first write to a household creates it, and its writer becomes the creator. Other
   * members who attached the same new id before (each was allowed: nobody had it yet) would
   * receive the creator's content from now on; they lose the doc before it is applied.
   */
  async function settleCreation(ctx: RelayContext, document: Document, documentName: string): Promise<void> {
    const writer = ctx.device;
    if (!writer || parseDocName(documentName)?.kind !== 'household' || (await store.exists(documentName))) return;
    for (const other of document.getConnections()) {
      const claims = (other.context as RelayContext | undefined)?.device;
      if (!claims || claims.memberId === writer.memberId) continue;
      const d = await access.decide(claims, documentName);
      if (d.ok && d.via === 'new-household') dropDoc(other, CLOSE.forbidden);
    }
  }

  async function onAuthenticate(data: onAuthenticatePayload): Promise<Pick<RelayContext, 'device'>> {
    const ctx = data.context as RelayContext;
    const session = ctx.session;
    const name = data.documentName;
    if (!session) throw refuseDoc('forbidden');
    let claims: DeviceClaims;
    try {
      claims = session.verifiedClaims(data.token) ?? (await tokens.verify(data.token));
      session.rememberVerified(data.token, claims);
    } catch (e) {
      const r = e instanceof TokenError && e.problem === 'token-expired' ? CLOSE.tokenExpired : CLOSE.tokenInvalid;
      session.docDenied(name);
      session.close(r);
      throw refuseDoc(r.reason);
    }
    const device = await registry.device(claims.deviceId);
    if (!device || device.team_id !== claims.teamId) {
      session.docDenied(name);
      session.close(CLOSE.tokenInvalid);
      throw refuseDoc(CLOSE.tokenInvalid.reason);
    }
    // A replaced phone making its last upload may open its docs; lost or stopped may not (ADR 0029).
    const revocation = revocationOf(device);
    const stop = closeFor(revocation);
    if (stop) {
      if (revocation === 'lost') await registry.wipeTold(device.id);
      session.docDenied(name);
      session.close(stop);
      throw refuseDoc(stop.reason);
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
    const decision = await access.decide(claims, name);
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
      registry.touch(claims.deviceId).catch((e: unknown) => log.warn({ device: claims.deviceId, err: String(e) }, 'could not record last seen'));
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
      limits.loaded(documentName, (await store.loadInto(documentName, document)) ?? 0);
    },

    async afterLoadDocument({ documentName, document }) {
      const parsed = parseDocName(documentName);
      document.on('update', (update: Uint8Array, origin: unknown) => {
        // Devices' updates are stored before they are applied (beforeHandleMessage); the
        // relay's own writes are stored here.
        if (origin === RELAY_ORIGIN) {
          const write = store.append(documentName, update, null);
          relayWrites.track(documentName, write);
          write.then(
            () => limits.stored(documentName, update.length),
            (e: unknown) => log.error({ doc: documentName, err: String(e) }, "the relay's own change was not stored"),
          );
        }
        if (parsed?.kind === 'team') void access.syncTeam(parsed.teamId, document);
      });
      if (parsed?.kind === 'team') await access.syncTeam(parsed.teamId, document);
    },

    async beforeHandleMessage({ connection, document, documentName, update: data, context, instance }) {
      const ctx = context as RelayContext;
      const frame = ctx.session?.frames.get(data) ?? (() => {
        const r = inspectFrame(data);
        return r.ok ? r.frame : undefined;
      })();
      if (!frame || frame.kind !== 'sync-update' || connection.readOnly) return;
      // Hocuspocus runs this hook for every message before it applies any of them; updates
      // of one doc are checked and applied one after the other, in the order they came
      // (carried files' updates take the same turn).
      const refused = await d.writer.serialize(documentName, async () => {
        if (ctx.device) await sessions.outOfDebt(ctx.device.deviceId);
        if (await refuseWrite(ctx, connection, documentName)) return true;
        if (connection.readOnly) return false;
        await settleCreation(ctx, document, documentName);
        return (await applyAndStore(ctx, connection, document, documentName, frame, instance)) === REFUSED;
      });
      // A refused write is never applied nor acknowledged (NEVER is returned once the doc's
      // turn is over, so the doc's next update goes on).
      return refused ? NEVER : undefined;
    },

    async onStoreDocument({ documentName }) {
      if ((await store.updateCount(documentName)) >= d.compactAfterUpdates) await store.compact(documentName);
    },

    async beforeUnloadDocument({ documentName }) {
      if ((await store.updateCount(documentName)) >= d.compactOnUnloadAfter) await store.compact(documentName);
      limits.unloaded(documentName);
    },

    async onDisconnect({ context, documentName }) {
      (context as RelayContext | undefined)?.session?.docClosed(documentName);
    },
  };
}
