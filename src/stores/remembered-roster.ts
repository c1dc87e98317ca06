import type { TeamMember } from '@/domain/team';

const ROSTER_KEY = 'lianhu.team.roster';

/**
 * The team's roster as this device last read it from the team doc, kept in localStorage (a
 * synchronous read at start-up: the team doc is opened only after the first screen, ~1 s
 * later on a cheap phone at a lead page). Lead pages and the figures worker use it until
 * the doc is read; the team store writes it whenever the doc's roster changes, so it
 * differs from the doc only if the app stopped between the two writes — and then the doc,
 * once read, corrects the page within the start.
 */
export function rememberRoster(dbName: string, members: readonly TeamMember[]): void {
  try {
    const value = JSON.stringify(members);
    const key = `${ROSTER_KEY}:${dbName}`;
    if (localStorage.getItem(key) !== value) localStorage.setItem(key, value);
  } catch {
    // No storage (private mode, tests): lead pages wait for the team doc.
  }
}

export function rememberedRoster(dbName: string): TeamMember[] | undefined {
  try {
    const saved = JSON.parse(localStorage.getItem(`${ROSTER_KEY}:${dbName}`) ?? 'null') as unknown;
    return Array.isArray(saved) ? (saved as TeamMember[]) : undefined;
  } catch {
    return undefined;
  }
}

