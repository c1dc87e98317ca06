import { defineStore } from 'pinia';
import { liveQuery } from 'dexie';
import { computed, ref, shallowRef } from 'vue';
import { localRecords } from '@/db/instance';
import { addRating, addRequest, addRequestAction, setRequestFields, setRequestStatus } from '@/docs/household-doc';
import { toLocalDate } from '@/domain/dates';
import { ValidationError } from '@/domain/errors';
import { newId } from '@/domain/ids';
import type { RequestRow } from '@/domain/projection';
import { parseRatingInput } from '@/domain/rating';
import { parseRequestInput, parseStatusChange, requestActionInputSchema, type RequestStatus } from '@/domain/request';
import { parseWith } from '@/domain/validation';
import { useHouseholdsStore } from './households';
import { useIdentityStore } from './identity';
import { TEXT_LIMITS } from '@/domain/limits';


export const REQUEST_SCOPES = ['open', 'closed', 'all'] as const;
export type RequestScope = (typeof REQUEST_SCOPES)[number];

/**
 * "Mine" is what I must act on: the requests assigned to me (`ownerId`), whoever raised them
 * and whichever household they belong to — a request the lead handed to me from a household
 * not linked to me is mine too (the relay lets me reach it, ADR 0024). One I raised and that
 * was handed to someone else is theirs, not mine.
 */
export function isMine(r: Pick<RequestRow, 'ownerId'>, memberId: string | undefined): boolean {
  return !!memberId && r.ownerId === memberId;
}

/** Requests (诉求): what households asked for, and what was done on their behalf. */
export const useRequestsStore = defineStore('requests', () => {
  const identity = useIdentityStore();
  const households = useHouseholdsStore();
  const openRows = shallowRef<RequestRow[]>([]);
  let subscription: { unsubscribe(): void } | undefined;

  function watchRows(): void {
    subscription?.unsubscribe();
    subscription = liveQuery(() => localRecords().db.requests.where('open').equals(1).toArray()).subscribe({ next: (r) => (openRows.value = r) });
  }

  /** Which of my requests the list shows: open (not closed), closed (resolved or explained), or all. */
  const scope = ref<RequestScope>('open');
  const closedRows = shallowRef<RequestRow[]>([]);
  let closedSubscription: { unsubscribe(): void } | undefined;

  /** Closed rows are read only once the list asks for them (the badge counts open ones). */
  function setScope(next: RequestScope): void {
    scope.value = next;
    if (next === 'open' || closedSubscription) return;
    closedSubscription = liveQuery(() => localRecords().db.requests.where('open').equals(0).toArray()).subscribe({ next: (r) => (closedRows.value = r) });
  }

  /** Closed requests assigned to me, most recently closed first. */
  const myClosed = computed(() => {
    const me = identity.memberId;
    const at = (r: RequestRow) => r.closedAt ?? '';
    return closedRows.value.filter((r) => isMine(r, me)).sort((a, b) => (at(a) !== at(b) ? (at(a) < at(b) ? 1 : -1) : a.id < b.id ? -1 : 1));
  });

  /** The list in its scope: open ones first (soonest due), then closed ones. */
  const listed = computed(() => (scope.value === 'open' ? myOpen.value : scope.value === 'closed' ? myClosed.value : [...myOpen.value, ...myClosed.value]));

  /** Open requests assigned to me, soonest due first. */
  const myOpen = computed(() => {
    const me = identity.memberId;
    return openRows.value.filter((r) => isMine(r, me)).sort((a, b) => (a.dueOn !== b.dueOn ? (a.dueOn < b.dueOn ? -1 : 1) : a.id < b.id ? -1 : 1));
  });

  function actor() {
    return identity.actor();
  }

  function commit(householdId: string, write: Parameters<ReturnType<typeof localRecords>['commit']>[1]) {
    return localRecords().commit(households.docName(householdId), write);
  }

  async function create(householdId: string, input: { id: string; category: string; description: string; dueOn?: string }): Promise<void> {
    const req = parseRequestInput({ category: input.category, description: input.description, dueOn: input.dueOn || undefined, ownerId: identity.memberId }, toLocalDate(new Date()));
    const a = actor();
    await commit(householdId, (doc) => addRequest(doc, { id: input.id, ...req }, a));
  }

  /** Record something done on the household's behalf (代办). */
  async function addNote(householdId: string, requestId: string, text: string): Promise<void> {
    const { text: clean } = parseWith(requestActionInputSchema, { text });
    const a = actor();
    await commit(householdId, (doc) => addRequestAction(doc, requestId, { id: newId(), at: a.now, by: a.memberId, kind: 'note', text: clean }));
  }

  /**
   * Move a request on: in progress, resolved, or explained. `text` is what goes in the
   * timeline — for `explained` it is the explanation given to the household (required).
   */
  async function changeStatus(householdId: string, requestId: string, from: RequestStatus, input: { status: string; text?: string }): Promise<void> {
    const text = input.text?.trim() ?? '';
    const change = parseStatusChange(from, { status: input.status, explanation: input.status === 'explained' && text ? text : undefined });
    if (text.length > TEXT_LIMITS.requestText) throw new ValidationError([{ path: 'text', messageKey: 'errors.tooLong' }]);
    const a = actor();
    await commit(householdId, (doc) => setRequestStatus(doc, requestId, change, { id: newId(), at: a.now, by: a.memberId, kind: 'status', status: change.status, text }));
  }

  /** Hand the request up to the lead, saying why. */
  async function escalate(householdId: string, requestId: string, reason: string): Promise<void> {
    const { text } = parseWith(requestActionInputSchema, { text: reason });
    const a = actor();
    await commit(householdId, (doc) => setRequestFields(doc, requestId, { escalated: true }, { id: newId(), at: a.now, by: a.memberId, kind: 'escalate', text }));
  }

  /** The household's satisfaction with how a request was closed. */
  async function rate(householdId: string, requestId: string, input: { level: string; comment: string }): Promise<void> {
    const rating = parseRatingInput({ subjectKind: 'request', subjectId: requestId, memberId: identity.memberId, level: input.level, comment: input.comment });
    const a = actor();
    await commit(householdId, (doc) => addRating(doc, { id: newId(), ...rating, recordedAt: a.now, recordedBy: a.memberId }));
  }

  return { openRows, myOpen, scope, myClosed, listed, setScope, watchRows, create, addNote, changeStatus, escalate, rate };
});
