import { defineStore } from 'pinia';
import { localRecords } from '@/db/instance';
import { addRequestAction, setRequestFields } from '@/docs/household-doc';
import { householdDocName } from '@/docs/schema';
import { toLocalDate } from '@/domain/dates';
import { raisedAt } from '@/domain/event-time';
import { newId } from '@/domain/ids';
import type { RequestRow } from '@/domain/projection';
import { checkDueOn, requestActionInputSchema } from '@/domain/request';
import { isoDate, parseWith } from '@/domain/validation';
import { useIdentityStore } from './identity';
import { LeadActionError, useLeadTeamStore } from './lead-team';

/**
 * The lead's actions on requests (诉求): reassign, set due dates, comment, take up an
 * escalation. Each change goes into the doc holding the request and onto its timeline.
 * The board itself (order, figures) is src/domain/request-board.ts over the lead's rows.
 */
export const useLeadRequestsStore = defineStore('lead-requests', () => {
  const identity = useIdentityStore();
  const team = useLeadTeamStore();

  function actor() {
    return { at: new Date().toISOString(), by: identity.memberId };
  }

  function commit(row: Pick<RequestRow, 'docHouseholdId'>, write: Parameters<ReturnType<typeof localRecords>['commit']>[1]) {
    return localRecords().commit(householdDocName(identity.teamId, row.docHouseholdId), write);
  }

  /** Give the request to another member; the timeline says who to whom. */
  async function reassign(row: Pick<RequestRow, 'id' | 'docHouseholdId'>, ownerId: string, note: string): Promise<void> {
    const member = team.activeMembers.find((m) => m.id === ownerId);
    if (!member) throw new LeadActionError('unknown_member');
    const a = actor();
    await commit(row, (doc) => setRequestFields(doc, row.id, { ownerId }, { id: newId(), ...a, kind: 'assign', text: note.trim() || member.name }));
  }

  /** Set (or clear, with '') the request's own due date. */
  async function setDueDate(row: Pick<RequestRow, 'id' | 'docHouseholdId' | 'occurredAt' | 'createdAt'>, dueOn: string): Promise<void> {
    const due = dueOn ? parseWith(isoDate, dueOn) : null;
    checkDueOn(due, toLocalDate(raisedAt(row)));
    const a = actor();
    await commit(row, (doc) => setRequestFields(doc, row.id, { dueOn: due }, { id: newId(), ...a, kind: 'due', text: due ?? '' }));
  }

  /** The lead's comment on the request's timeline (批注). */
  async function comment(row: Pick<RequestRow, 'id' | 'docHouseholdId'>, text: string): Promise<void> {
    const { text: clean } = parseWith(requestActionInputSchema, { text });
    const a = actor();
    await commit(row, (doc) => addRequestAction(doc, row.id, { id: newId(), ...a, kind: 'comment', text: clean }));
  }

  /** Take up an escalation (clear it) or escalate; a note, when given, goes on the timeline. */
  async function setEscalated(row: Pick<RequestRow, 'id' | 'docHouseholdId'>, escalated: boolean, note = ''): Promise<void> {
    const a = actor();
    const text = note.trim();
    const action = escalated || text ? { id: newId(), ...a, kind: escalated ? ('escalate' as const) : ('comment' as const), text } : undefined;
    await commit(row, (doc) => setRequestFields(doc, row.id, { escalated }, action));
  }

  return { reassign, setDueDate, comment, setEscalated };
});
