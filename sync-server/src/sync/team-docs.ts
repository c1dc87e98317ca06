import type { Document, Hocuspocus } from '@hocuspocus/server';
import { teamDocName } from '#docs/schema';
import type { Registry } from '../auth/registry';
import { RelayError } from '../errors';

/** Origin of the relay's own writes to a doc (a member joining the roster). */
export const RELAY_ORIGIN = Object.freeze({ origin: 'lianhu-relay' });

/**
 * Keeps each active team's team doc loaded in Hocuspocus (a direct connection pins it), so
 * the relay reads assignments and roles from the same live doc leads edit.
 */
export class TeamDocs {
  private readonly conns = new Map<string, ReturnType<Hocuspocus['openDirectConnection']>>();

  constructor(
    private readonly hocuspocus: Hocuspocus,
    private readonly registry: Registry,
  ) {}

  async get(teamId: string): Promise<Document> {
    let p = this.conns.get(teamId);
    if (!p) {
      // Kept before the first await, so concurrent callers share one connection.
      p = (async () => {
        if (!(await this.registry.team(teamId))) throw new RelayError(404, 'team_not_found', `no team ${teamId}`);
        return this.hocuspocus.openDirectConnection(teamDocName(teamId), {});
      })();
      this.conns.set(teamId, p);
      p.catch(() => this.conns.delete(teamId));
    }
    const dc = await p;
    return dc.document as Document;
  }

  async closeAll(): Promise<void> {
    const all = [...this.conns.values()];
    this.conns.clear();
    await Promise.allSettled(all.map(async (p) => (await p).disconnect()));
  }
}
