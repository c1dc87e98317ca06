import * as Y from 'yjs';
import { readHousehold } from '../../../src/docs/household-doc';
import { linkMembers } from '../../../src/docs/team-doc';
import { FULL, generateTeam, SMOKE, type GeneratedTeam } from '../generate';
import { seedOf, type SeedTeam } from './relay';

/** The generated team, made once per run (5 s at full size) and shared by the benchmarks. */
const teams = new Map<boolean, GeneratedTeam>();

export function benchTeam(smoke: boolean): GeneratedTeam {
  let t = teams.get(smoke);
  if (!t) {
    t = generateTeam(smoke ? SMOKE : FULL);
    teams.set(smoke, t);
  }
  return t;
}

const jsonSizes = new WeakMap<GeneratedTeam, number>();

/** The records' JSON size: every household file as `JSON.stringify(readHousehold(doc))`, UTF-8 bytes, summed. */
export function recordsJsonBytes(team: GeneratedTeam): number {
  let n = jsonSizes.get(team);
  if (n === undefined) {
    n = 0;
    for (const doc of team.households.values()) n += Buffer.byteLength(JSON.stringify(readHousehold(doc)));
    jsonSizes.set(team, n);
  }
  return n;
}

/**
 * The team as stored for a member's phone that holds every household: the first member is
 * linked to all of them as well (a phone's worst case: 2,000 households in "my households").
 */
export function fieldSeed(team: GeneratedTeam): { seed: SeedTeam; memberId: string } {
  const memberId = team.memberIds[0]!;
  const teamDoc = new Y.Doc();
  Y.applyUpdate(teamDoc, Y.encodeStateAsUpdate(team.team));
  teamDoc.transact(() => {
    for (const hid of team.households.keys()) linkMembers(teamDoc, hid, [memberId], { memberId: team.leadId, now: '2025-01-01T00:00:00.000Z' });
  });
  const seed = { ...seedOf(team), teamDoc: Y.encodeStateAsUpdate(teamDoc) };
  teamDoc.destroy();
  return { seed, memberId };
}

export const MB = (bytes: number) => Math.round((bytes / 1048576) * 100) / 100;
export const KB = (bytes: number) => Math.round((bytes / 1024) * 10) / 10;
