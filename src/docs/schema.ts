/** Bump when the document layout changes; add a migration in `migrations.ts`. */
export const SCHEMA_VERSION = 1;

export type DocKind = 'household' | 'team';

export interface DocName {
  teamId: string;
  kind: DocKind;
  /** household id; undefined for the team doc */
  id?: string;
}

const SEGMENT = /^[0-9a-zA-Z_-]{1,64}$/;

export function householdDocName(teamId: string, householdId: string): string {
  return `${teamId}/household/${householdId}`;
}

export function teamDocName(teamId: string): string {
  return `${teamId}/team`;
}

/** Parse `<teamId>/household/<id>` or `<teamId>/team`; undefined for anything else. */
export function parseDocName(name: string): DocName | undefined {
  const parts = name.split('/');
  const [teamId, kind, id] = parts;
  if (!teamId || !SEGMENT.test(teamId)) return undefined;
  if (parts.length === 2 && kind === 'team') return { teamId, kind: 'team' };
  if (parts.length === 3 && kind === 'household' && id && SEGMENT.test(id)) return { teamId, kind: 'household', id };
  return undefined;
}
