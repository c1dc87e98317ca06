import { defineStore } from 'pinia';
import Dexie, { type ObservabilitySet } from 'dexie';
import { computed, ref, shallowRef, type ShallowRef } from 'vue';
import type * as Y from 'yjs';
import { localRecords } from '@/db/instance';
import { createHousehold, readHistory, readHousehold, removeMember, setNotes, updateProfile, upsertMember } from '@/docs/household-doc';
import { householdDocName } from '@/docs/schema';
import { combineFiles } from '@/domain/merge';
import { findDuplicates, type DuplicateMatch, type DuplicateProbe } from '@/domain/duplicates';
import { ValidationError, type FieldIssue } from '@/domain/errors';
import { byTime, type HistoryEntry } from '@/domain/history';
import { parseHouseholdMember, parseHouseholdProfile, type HouseholdMember, type HouseholdProfile } from '@/domain/household';
import type { HouseholdFile } from '@/domain/household-file';
import { newId } from '@/domain/ids';
import type { HouseholdRow } from '@/domain/projection';
import { matchesSearch, normalizeQuery } from '@/domain/search';
import { useIdentityStore } from './identity';
import { changedKeys, RowFollower } from './row-follower';
import { TEXT_LIMITS } from '@/domain/limits';

/** What the register/edit form submits, before validation. */
export interface HouseholdInput {
  profile: unknown;
  members: unknown[];
  notes: string;
}

const collator = new Intl.Collator('zh-CN');

let ranks = new Map<string, number>();
/**
 * Head names in collation order, as ranks. Comparing with the collator inside the list's
 * sort cost a phone at 4× CPU ~75 ms for 2,000 households, on every save; the ranks are
 * computed again only when a name appears that they do not hold (names gone stay: the
 * order of the others is unchanged).
 */
function nameRanks(rows: readonly HouseholdRow[]): Map<string, number> {
  if (rows.every((r) => ranks.has(r.headName))) return ranks;
  const names = [...new Set([...ranks.keys(), ...rows.map((r) => r.headName)])].sort(collator.compare);
  ranks = new Map(names.map((n, i) => [n, i]));
  return ranks;
}

/** Validate profile and every member; all problems at once, with their field paths. */
function parseHouseholdInput(input: HouseholdInput): { profile: HouseholdProfile; members: HouseholdMember[]; notes: string } {
  const issues: FieldIssue[] = [];
  let profile: HouseholdProfile | undefined;
  try {
    profile = parseHouseholdProfile(input.profile);
  } catch (err) {
    if (!(err instanceof ValidationError)) throw err;
    issues.push(...err.issues);
  }
  const members: HouseholdMember[] = [];
  input.members.forEach((m, i) => {
    try {
      members.push(parseHouseholdMember(m));
    } catch (err) {
      if (!(err instanceof ValidationError)) throw err;
      issues.push(...err.issues.map((x) => ({ ...x, path: `members.${i}.${x.path}` })));
    }
  });
  const notes = input.notes.trim();
  if (notes.length > TEXT_LIMITS.householdNotes) issues.push({ path: 'notes', messageKey: 'errors.tooLong' });
  if (issues.length || !profile) throw new ValidationError(issues);
  return { profile, members, notes };
}

/**
 * Every household row on this device, held in memory (2,000 rows are a few hundred KB) so
 * "my households", filters and search-as-you-type run without touching IndexedDB.
 */
export const useHouseholdsStore = defineStore('households', () => {
  const identity = useIdentityStore();
  const rows = shallowRef<HouseholdRow[]>([]);
  const loaded = ref(false);
  const query = ref('');
  const area = ref('');
  const tag = ref('');
  let subscription: { unsubscribe(): void } | undefined;

  /**
   * Read every row now, then follow the table: a save's one or two changed rows are read by
   * key and patched in; a burst (a first sync projects 2,000 households one piece at a
   * time) is read whole at most once a second — re-reading all rows after each change, as a
   * liveQuery does, made a first sync quadratic and put 50-100 ms in front of every save.
   */
  function watchRows(): void {
    subscription?.unsubscribe();
    const table = () => localRecords().db.households;
    const follower = new RowFollower<HouseholdRow>(
      { readAll: () => table().toArray(), readKeys: (keys) => table().bulkGet(keys) },
      () => rows.value,
      (r) => {
        rows.value = r;
        if (!loaded.value) performance.mark('lianhu:start:rows-read');
        loaded.value = true;
      },
      () => {
        // Not read (a closed database): the list shows what it has until the next change.
        loaded.value = true;
      },
    );
    const onMutated = (parts: ObservabilitySet) => {
      const keys = changedKeys(parts[`idb://${localRecords().db.name}/households/`]);
      if (keys) follower.changed(keys);
    };
    Dexie.on('storagemutated', onMutated);
    subscription = {
      unsubscribe() {
        follower.stop();
        Dexie.on('storagemutated').unsubscribe(onMutated);
      },
    };
    void follower.readAll();
  }

  /** Stop following the table (a test's next database, a store being thrown away). */
  function unwatchRows(): void {
    subscription?.unsubscribe();
    subscription = undefined;
  }

  const byId = computed(() => new Map(rows.value.map((r) => [r.id, r])));

  /** Mine (linked to me, or registered by me until the lead assigned it: src/domain/assignment.ts), still current; most overdue first. */
  const mine = computed(() => {
    const me = identity.memberId;
    // Linked to me; or registered by me and nobody's yet (a lead's own registration counts for
    // no member until assigned, ADR 0020, but it is on the lead's list meanwhile).
    const list = rows.value.filter((r) => !r.mergedInto && !r.archived && (r.linkedMemberIds.includes(me) || (r.createdBy === me && r.linkedMemberIds.length === 0)));
    const rank = nameRanks(list);
    return list.sort((a, b) => (a.nextDueOn !== b.nextDueOn ? (a.nextDueOn < b.nextDueOn ? -1 : 1) : rank.get(a.headName)! - rank.get(b.headName)!));
  });

  const areas = computed(() => [...new Set(mine.value.map((r) => r.area).filter(Boolean))].sort(collator.compare));
  const tags = computed(() => [...new Set(mine.value.flatMap((r) => r.tags))].sort());

  const visible = computed(() => {
    const q = normalizeQuery(query.value);
    return mine.value.filter((r) => (!area.value || r.area === area.value) && (!tag.value || r.tags.includes(tag.value)) && matchesSearch(r.searchText, q));
  });

  function docName(id: string): string {
    return householdDocName(byId.value.get(id)?.teamId ?? identity.teamId, id);
  }

  /** Register a household; resolves with its id once it is on disk. */
  async function register(input: HouseholdInput & { id?: string }): Promise<string> {
    const { profile, members, notes } = parseHouseholdInput(input);
    const id = input.id ?? newId();
    const actor = identity.actor();
    await localRecords().commit(householdDocName(identity.teamId, id), (doc) => createHousehold(doc, { id, teamId: identity.teamId, profile, members, notes }, actor));
    return id;
  }

  /** Save an edited profile, members and notes in one write. */
  async function update(id: string, input: HouseholdInput): Promise<void> {
    const { profile, members, notes } = parseHouseholdInput(input);
    const actor = identity.actor();
    const keep = new Set(members.map((m) => m.id));
    await localRecords().commit(docName(id), (doc) => {
      const before = readHousehold(doc).household.members;
      updateProfile(doc, profile, actor);
      setNotes(doc, notes);
      for (const m of members) upsertMember(doc, m);
      for (const m of before) if (!keep.has(m.id)) removeMember(doc, m.id, actor);
    });
  }

  /** Households on this device that look like the one being typed. */
  function duplicatesOf(probe: DuplicateProbe, excludeId?: string): { match: DuplicateMatch; row: HouseholdRow }[] {
    const candidates = rows.value
      .filter((r) => !r.mergedInto)
      .map((r) => ({ id: r.id, headName: r.headName, phones: r.phone ? [r.phone] : [], address: r.address, area: r.area, lat: r.lat, lng: r.lng }));
    return findDuplicates(probe, candidates, { excludeId }).flatMap((match) => {
      const row = byId.value.get(match.id);
      return row ? [{ match, row }] : [];
    });
  }

  /**
   * Open a household's file and keep it current while sync or another screen writes to it.
   * A household that others were merged into shows the whole group (records keep the
   * `householdId` of the doc that holds them, which is where their edits go). Resolves
   * undefined for a household this device does not hold (no doc is created).
   */
  async function openFile(id: string): Promise<{ file: ShallowRef<HouseholdFile>; close: () => void } | undefined> {
    const opened = await followGroup(id, (docs) => combineFiles(readHousehold(docs[0]!), docs.slice(1).map(readHousehold)));
    return opened && { file: opened.value, close: opened.close };
  }

  /**
   * A household's history (ADR 0018) for its file page, kept current while open: the
   * entries of every doc of its merge group, oldest first; `damaged` when one was left out.
   */
  async function openHistory(id: string): Promise<{ history: ShallowRef<{ entries: HistoryEntry[]; damaged: boolean }>; close: () => void } | undefined> {
    const opened = await followGroup(id, (docs) => {
      const parts = docs.map(readHistory);
      return { entries: parts.flatMap((p) => p.entries).sort(byTime), damaged: parts.some((p) => p.damaged) };
    });
    return opened && { history: opened.value, close: opened.close };
  }

  /** `read` of the docs of a household's merge group (its own first), read again on every update until closed. */
  async function followGroup<T>(id: string, read: (docs: Y.Doc[]) => T): Promise<{ value: ShallowRef<T>; close: () => void } | undefined> {
    const records = localRecords();
    const row = byId.value.get(id) ?? (await records.db.households.get(id));
    if (!row) return undefined;
    // Merge groups come with the team, which a cold start opens after its first screen.
    await records.ready;
    const { mergeRoots, mergeGroups } = records.teamContext;
    const group = (mergeRoots.get(id) ?? id) === id ? (mergeGroups.get(id) ?? [id]) : [id];
    const docs: Y.Doc[] = await Promise.all(group.map((hid) => records.doc(docName(hid))));
    const value = shallowRef(read(docs));
    const refresh = () => {
      value.value = read(docs);
    };
    for (const doc of docs) doc.on('update', refresh);
    return { value, close: () => docs.forEach((doc) => doc.off('update', refresh)) };
  }

  return { rows, loaded, query, area, tag, byId, mine, areas, tags, visible, watchRows, unwatchRows, docName, register, update, duplicatesOf, openFile, openHistory };
});
