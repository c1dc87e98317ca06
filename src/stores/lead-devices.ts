import { defineStore } from 'pinia';
import { ref } from 'vue';
import { localRecords } from '@/db/instance';
import { loadSession } from '@/db/identity';
import type { ApiDevice, CreateInviteAnswer, OpenInvite, RevokeReason } from '@/domain/api-contract';
import { DomainError } from '@/domain/errors';
import type { Role } from '@/domain/team';
import { SyncError } from '@/sync/errors';
import { RelayApi, RelayHttpError } from '@/sync/relay-api';
import { resolveRelay } from '@/sync/relay-url';

/** A device as the relay lists it (`GET /api/devices`). */
export type TeamDevice = ApiDevice;

/** An invite code made by the relay (`POST /api/invites`). */
export type Invite = CreateInviteAnswer;

/** An invite not yet used, expired or cancelled (`GET /api/invites`); its code is not kept. */
export type { OpenInvite };

/** Why a relay call failed, for the UI: these need a connection, unlike everything else. */
export class RelayCallError extends DomainError {
  constructor(code: 'offline' | 'not_joined' | 'forbidden' | 'server') {
    super(code, `lead.relay.${code}`);
    this.name = 'RelayCallError';
  }
}

function toRelayError(err: unknown): RelayCallError {
  if (err instanceof RelayCallError) return err;
  if (err instanceof RelayHttpError && (err.status === 401 || err.status === 403)) return new RelayCallError('forbidden');
  if (err instanceof SyncError && err.code === 'network') return new RelayCallError('offline');
  return new RelayCallError('server');
}

async function api(): Promise<RelayApi> {
  const db = localRecords().db;
  const [endpoints, session] = await Promise.all([resolveRelay(db), loadSession(db)]);
  if (!endpoints || !session) throw new RelayCallError('not_joined');
  return new RelayApi({ base: endpoints.http, token: () => session.token, teamId: '', timeoutMs: 15_000 });
}

/**
 * The team's devices and invite codes. These live on the relay, not in the team doc, so
 * unlike the rest of the lead's work they need a connection; the last list fetched stays
 * on screen while offline.
 */
export const useLeadDevicesStore = defineStore('lead-devices', () => {
  const devices = ref<TeamDevice[]>([]);
  const fetchedAt = ref<string | undefined>();
  const invites = ref<Invite[]>([]);
  /** open invites as the relay listed them at `fetchedAt` */
  const openInvites = ref<OpenInvite[]>([]);

  async function refresh(): Promise<void> {
    try {
      const relay = await api();
      const [devs, open] = await Promise.all([relay.devices(), relay.invites()]);
      devices.value = devs;
      openInvites.value = open;
      fetchedAt.value = new Date().toISOString();
    } catch (err) {
      throw toRelayError(err);
    }
  }

  /** A one-time code for a new member or lead, or for another device of an existing member. */
  async function createInvite(role: Role, memberId?: string): Promise<Invite> {
    try {
      const invite = await (await api()).createInvite(role, memberId);
      invites.value = [invite, ...invites.value];
      if (invite.inviteId) {
        const { inviteId, role, memberId, expiresAt } = invite;
        openInvites.value = [...openInvites.value, { inviteId, role, ...(memberId ? { memberId } : {}), createdAt: new Date().toISOString(), expiresAt }];
      }
      return invite;
    } catch (err) {
      throw toRelayError(err);
    }
  }

  /**
   * Revoke a phone for a reason (ADR 0029): replaced — its last upload is accepted, then it
   * stops; lost — it erases itself at its next contact. Either way it reads nothing new.
   */
  async function revoke(deviceId: string, reason: RevokeReason): Promise<void> {
    let held: RevokeReason | null;
    try {
      held = (await (await api()).revokeDevice(deviceId, reason)).reason;
    } catch (err) {
      throw toRelayError(err);
    }
    const now = new Date().toISOString();
    devices.value = devices.value.map((d) => (d.deviceId === deviceId ? { ...d, revokedAt: d.revokedAt ?? now, revokeReason: held } : d));
  }

  /** Cancel an open invite: its code stops working at once. */
  async function cancelInvite(inviteId: string): Promise<void> {
    try {
      await (await api()).cancelInvite(inviteId);
    } catch (err) {
      // Already used, expired or cancelled elsewhere: it is not open any more either way.
      if (!(err instanceof RelayHttpError && err.status === 404)) throw toRelayError(err);
    }
    openInvites.value = openInvites.value.filter((i) => i.inviteId !== inviteId);
    invites.value = invites.value.filter((i) => i.inviteId !== inviteId);
  }

  return { devices, fetchedAt, invites, openInvites, refresh, createInvite, cancelInvite, revoke };
});
