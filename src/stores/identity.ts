import { defineStore } from 'pinia';
import { computed, ref } from 'vue';
import { localRecords } from '@/db/instance';
import type { Actor } from '@/docs/household-doc';
import { isLocalTeam, loadIdentity, localTeamId, saveIdentity, type Identity } from '@/db/identity';
import { ValidationError, type FieldIssue } from '@/domain/errors';
import { newId } from '@/domain/ids';
import { parseMemberName } from '@/domain/team';
import { useTeamStore } from './team';

export interface NamesInput {
  memberName: string;
  deviceName: string;
}

/** Both names are required, short text; each problem is reported on its own field. */
function parseNames(input: NamesInput): NamesInput {
  const issues: FieldIssue[] = [];
  const out: Partial<NamesInput> = {};
  for (const field of ['memberName', 'deviceName'] as const) {
    try {
      out[field] = parseMemberName(input[field]);
    } catch (err) {
      if (!(err instanceof ValidationError)) throw err;
      issues.push(...err.issues.map((i) => ({ ...i, path: field })));
    }
  }
  if (issues.length) throw new ValidationError(issues);
  return out as NamesInput;
}

/** Who this device works for: member, device, team. Set on first run, kept in Dexie. */
export const useIdentityStore = defineStore('identity', () => {
  const identity = ref<Identity | undefined>();
  const loaded = ref(false);

  const isLocal = computed(() => !!identity.value && isLocalTeam(identity.value.teamId));
  const memberId = computed(() => identity.value?.memberId ?? '');
  const teamId = computed(() => identity.value?.teamId ?? '');

  /** Who writes now: this member, from this device (every write's history entry names both, ADR 0018). */
  function actor(now = new Date().toISOString()): Actor {
    return { memberId: memberId.value, deviceId: identity.value?.deviceId ?? '', now };
  }

  /**
   * Load the identity and open the records for its team (finishing an interrupted join).
   * With `openRecordsAfter`, resolves once the identity is read and opens the records when
   * that promise resolves (a cold start's first screen needs only the identity); the returned
   * `opened` settles when they are open, or rejects with why not.
   */
  async function load(opts: { openRecordsAfter?: Promise<unknown> } = {}): Promise<{ identity: Identity | undefined; opened: Promise<void> }> {
    const records = localRecords();
    let found = await loadIdentity(records.db);
    // Joining is not start-up's business: its module (and the API contract) load when needed.
    if (found?.rekeyFrom) found = await (await import('@/sync/rekey')).finishRekey(records, found);
    const opened = records.start(found?.teamId, { after: opts.openRecordsAfter });
    if (!opts.openRecordsAfter) await opened;
    identity.value = found;
    loaded.value = true;
    return { identity: found, opened };
  }

  /** Start on this phone alone: a local team id until the member joins a team. */
  async function startAlone(input: NamesInput): Promise<void> {
    const names = parseNames(input);
    const records = localRecords();
    const next: Identity = {
      ...names,
      memberId: newId(),
      deviceId: newId(),
      teamId: localTeamId(newId()),
      teamName: '',
      role: 'member',
      createdAt: new Date().toISOString(),
    };
    await saveIdentity(records.db, next);
    await records.start(next.teamId);
    identity.value = next;
  }

  /**
   * Join a team with an invite code. A device that started alone keeps its member id and
   * moves its records to the team. Needs the relay: throws JoinError when it cannot reach it.
   */
  async function join(input: NamesInput & { code: string }): Promise<void> {
    const names = parseNames(input);
    const { joinTeam, parseInviteCode, redeemInvite } = await import('@/sync/join');
    const { newSigningKey, saveSigningKey } = await import('@/sync/device-key');
    const code = parseInviteCode(input.code);
    if (!code) throw new ValidationError([{ path: 'code', messageKey: 'errors.required' }]);
    const records = localRecords();
    // Only a device that started alone asks to keep its member id; a new one gets the team's.
    // A joined device (revoked, or its sign-in lost) joins its own team again as the same member.
    const current = identity.value;
    const rejoining = current && !isLocalTeam(current.teamId) ? { teamId: current.teamId } : {};
    // The new device's signing key: the relay keeps its public half (ADR 0023).
    const key = await newSigningKey();
    const redeemed = await redeemInvite({ code, ...names, ...(current ? { memberId: current.memberId } : {}), ...rejoining, publicKey: key.publicKey });
    await saveSigningKey(records.db, { ...key, deviceId: redeemed.deviceId });
    const base: Identity = current ?? { ...names, memberId: redeemed.memberId, deviceId: redeemed.deviceId, teamId: '', teamName: '', role: redeemed.role, createdAt: new Date().toISOString() };
    const joined = await joinTeam(records, { ...base, ...names }, redeemed);
    await records.start(joined.teamId);
    identity.value = joined;
    await useTeamStore().open(joined.teamId);
  }

  async function rename(input: NamesInput): Promise<void> {
    if (!identity.value) return;
    const next = { ...identity.value, ...parseNames(input) };
    await saveIdentity(localRecords().db, next);
    identity.value = next;
  }

  return { identity, loaded, isLocal, memberId, teamId, actor, load, startAlone, join, rename };
});
