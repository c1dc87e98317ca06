import { describe, expect, it } from 'vitest';
import { assessmentTotal, periodContaining } from '@/domain/assessment';
import { householdCounts } from '@/domain/assignment-select';
import { leadFigures, teamAssessment } from '@/domain/lead-figures';
import * as Y from 'yjs';
import { linkMembers, memberLeaves, readTeam, unlinkMembers } from '@/docs/team-doc';
import { resolveLinks, type RosterEntry } from '@/domain/assignment';
import { A, B, buildRows, C, teamDoc, TODAY } from './fixtures/hand-over-team';

// The fixture's table (fixtures/hand-over-team.ts) is the hand computation's input; every
// number below is worked out from it in the comment beside it.
const { rows, members } = buildRows();
const first = periodContaining('half', '2026-03-01'); // 01-01 … 06-30, figures as of 06-30
const second = periodContaining('half', '2026-10-01'); // 07-01 … 12-31, figures as of today 12-03
const q = (period: typeof first) => ({ period, today: TODAY, members });
const household = (id: string) => rows.households.find((h) => h.id === id)!;

describe('who looks after a household now', () => {
  it('is its registering member until the lead assigns it, then whoever the lead assigned', () => {
    expect(household('h1').linkedMemberIds).toEqual([A]); // registered by A, never assigned
    expect(household('h4').linkedMemberIds).toEqual([A]); // registered by B, assigned to A on 07-20: B no longer
    expect(household('h2').linkedMemberIds).toEqual([B]); // handed from A to B
  });

  it('moves a leaving member’s households to the successor', () => {
    expect(household('h3').linkedMemberIds).toEqual([B]);
  });

  it('resolves a link made offline to a member who had left to nobody, on the lead’s to-do list', () => {
    expect(household('h5').linkedMemberIds).toEqual([]);
    expect(householdCounts(rows.households).unassigned).toBe(1); // the overview's "未分配" (its to-do)
    expect(leadFigures(rows, q(second)).problems.unassignedHouseholds.map((h) => h.id)).toEqual(['h5']);
  });

  it('gives the same rows whichever lead device’s changes arrive first', () => {
    const other = buildRows(teamDoc('second-device-first')).rows.households;
    expect(other.map((h) => [h.id, h.linkedMemberIds, h.linkSpans])).toEqual(rows.households.map((h) => [h.id, h.linkedMemberIds, h.linkSpans]));
  });
});

describe('a past period counts who looked after each household then', () => {
  it('first half: each member is assessed on the households they held in it', () => {
    const byId = new Map(teamAssessment(rows, q(first)).map((r) => [r.memberId, r]));
    expect(byId.get(A)).toMatchObject({
      linkedHouseholds: 2, // h1 (hers throughout), h2 (01-10 … 04-15); not h4 (B's until 07-20)
      visitedHouseholds: 2, visits: 2, coverage: 1, // v3 h2 02-01, v1 h1 03-10
      overdueHouseholds: 1, // held on 06-30: h1 only; last visit then 03-10 → due 04-09
    });
    expect(byId.get(B)).toMatchObject({
      linkedHouseholds: 2, // h2 (from 04-15), h4 (his registration, from 02-01)
      visitedHouseholds: 2, visits: 2, coverage: 1, // v4 h2 05-20, v7 h4 06-01
      overdueHouseholds: 1, // on 06-30: h2 last visited 05-20 → due 06-19; h4 06-01 → due 07-01
    });
    expect(byId.get(C)).toMatchObject({ linkedHouseholds: 1, visitedHouseholds: 1, visits: 1, coverage: 1, overdueHouseholds: 1 }); // h3, v6 03-01 → due 03-31
    expect(assessmentTotal([...byId.values()])).toMatchObject({ linkedHouseholds: 4, visitedHouseholds: 4, coverage: 1, visits: 5, overdueHouseholds: 3 }); // h1–h4; h5 nobody's
  });

  it('second half: a hand-over counts for both members, overdue for whoever holds it at the end', () => {
    const byId = new Map(teamAssessment(rows, q(second)).map((r) => [r.memberId, r]));
    expect(byId.get(A)).toMatchObject({
      linkedHouseholds: 2, // h1, h4 (from 07-20)
      visitedHouseholds: 2, visits: 2, coverage: 1, // v2 h1 08-01, v8 h4 10-01
      overdueHouseholds: 2, // on 12-03: h1 due 08-31, h4 due 10-31
    });
    expect(byId.get(B)).toMatchObject({
      linkedHouseholds: 3, // h2; h3 (from 09-30); h4 (until 07-20)
      visitedHouseholds: 1, visits: 1, // v5 h2 09-10
      overdueHouseholds: 2, // on 12-03 he holds h2 (due 10-10) and h3 (due 03-31); h4 is A's
    });
    expect(byId.get(B)!.coverage).toBeCloseTo(1 / 3);
    expect(byId.get(C)).toMatchObject({ linkedHouseholds: 1, visitedHouseholds: 0, visits: 0, coverage: 0, overdueHouseholds: 0 }); // h3 until he left 09-30; h5's link came after
    expect(assessmentTotal([...byId.values()])).toMatchObject({ linkedHouseholds: 4, visitedHouseholds: 3, coverage: 0.75, visits: 3, overdueHouseholds: 4 });
  });

  it('the summary’s figures and problems use the same holders', () => {
    const f = leadFigures(rows, q(second));
    expect(f.figures).toMatchObject({ households: 5, householdsLinked: 4, householdsVisited: 3, coverage: 0.75, visits: 3 });
    expect(f.previous).toMatchObject({ households: 5, householdsLinked: 4, householdsVisited: 4, coverage: 1, visits: 5 });
    expect(f.problems.unvisitedHouseholds.map((h) => h.id)).toEqual(['h3']); // held by B and C in the half, visited by nobody
    expect(f.problems.unvisitedByMember).toEqual([
      [B, 1],
      [C, 1],
    ]);
  });
});

describe('the team doc’s links and their history', () => {
  const roster = new Map<string, RosterEntry>([
    ['lead', { role: 'lead' }],
    [A, { role: 'member' }],
    [B, { role: 'member' }],
  ]);
  const registered = { createdBy: A, createdAt: '2026-01-05T09:00:00' };
  const resolve = (doc: Y.Doc, id = 'h1') => resolveLinks(readTeam(doc).assignmentHistory.get(id), roster, registered);

  it('unlinking the registering member makes the household nobody’s, not theirs again', () => {
    const doc = new Y.Doc();
    expect(resolve(doc)).toEqual({ linkedMemberIds: [A], linkSpans: [{ memberId: A, from: '2026-01-05' }] });
    unlinkMembers(doc, 'h1', [A], { memberId: 'lead', now: '2026-03-01T09:00:00' });
    expect(resolve(doc)).toEqual({ linkedMemberIds: [], linkSpans: [{ memberId: A, from: '2026-01-05', to: '2026-03-01' }] });
  });

  it('a household registered by a lead is nobody’s until assigned', () => {
    expect(resolveLinks(undefined, roster, { createdBy: 'lead', createdAt: '2026-01-05T09:00:00' })).toEqual({ linkedMemberIds: [], linkSpans: [] });
  });

  it('keeps only links that ended: simply assigning a household adds nothing to the history', () => {
    const doc = new Y.Doc();
    linkMembers(doc, 'h1', [B], { memberId: 'lead', now: '2026-02-01T09:00:00' });
    expect(doc.getMap('linkHistory').size).toBe(0);
    // The registrant held it until the lead's first change.
    expect(resolve(doc).linkSpans).toEqual([
      { memberId: A, from: '2026-01-05', to: '2026-02-01' },
      { memberId: B, from: '2026-02-01' },
    ]);
  });

  it('a leaving member’s own registrations go to the successor', () => {
    const doc = new Y.Doc();
    memberLeaves(doc, A, B, { memberId: 'lead', now: '2026-05-01T09:00:00' }, ['h1']);
    const left = new Map<string, RosterEntry>([...roster, [A, { role: 'member', leftAt: '2026-05-01T09:00:00' }]]);
    expect(resolveLinks(readTeam(doc).assignmentHistory.get('h1'), left, registered)).toEqual({
      linkedMemberIds: [B],
      linkSpans: [
        { memberId: A, from: '2026-01-05', to: '2026-05-01' },
        { memberId: B, from: '2026-05-01' },
      ],
    });
  });

  it('two devices ending the same link offline keep the later end', () => {
    const one = new Y.Doc();
    linkMembers(one, 'h1', [B], { memberId: 'lead', now: '2026-02-01T09:00:00' });
    const two = new Y.Doc();
    Y.applyUpdate(two, Y.encodeStateAsUpdate(one));
    unlinkMembers(one, 'h1', [B], { memberId: 'lead', now: '2026-03-01T09:00:00' });
    unlinkMembers(two, 'h1', [B], { memberId: 'lead', now: '2026-04-01T09:00:00' });
    Y.applyUpdate(one, Y.encodeStateAsUpdate(two));
    expect(resolve(one).linkSpans).toContainEqual({ memberId: B, from: '2026-02-01', to: '2026-04-01' });
    expect(resolve(one).linkedMemberIds).toEqual([]);
  });
});
