import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import type { HocuspocusProvider } from '@hocuspocus/provider';
import { updateClasses, rng } from './helpers/evil';
import { actor, newHousehold, readHousehold, visit } from './helpers/fixtures';
import { api, Device, ROOT, spawnRelay, startTestRelay, teamWith, tmpDir, type ChildRelay } from './helpers/relay';
import { backendEnv } from './helpers/backend';

let child: ChildRelay | undefined;
afterEach(async () => {
  await child?.kill();
  child = undefined;
});

function admin(dataDir: string, ...args: string[]): unknown {
  const out = spawnSync(process.execPath, ['--import', 'tsx', path.join(ROOT, 'sync-server/src/admin.ts'), ...args], { cwd: ROOT, env: { ...process.env, DATA_DIR: dataDir, ...backendEnv(dataDir) }, encoding: 'utf8' });
  if (out.status !== 0) throw new Error(`admin ${args.join(' ')} failed: ${out.stderr}`);
  return JSON.parse(out.stdout);
}

/** Resolves (synchronously inside the provider's event) as soon as every update is acknowledged, having run `then`. */
function onAcked(p: HocuspocusProvider, then: () => void): Promise<void> {
  return new Promise((resolve) => {
    const h = ({ number }: { number: number }) => {
      if (number !== 0) return;
      p.off('unsyncedChanges', h);
      then();
      resolve();
    };
    p.on('unsyncedChanges', h);
  });
}

describe('durability', () => {
  it('kill -9 right after the acknowledgement loses nothing', async () => {
    const dataDir = tmpDir();
    const { teamId, inviteCode } = admin(dataDir, 'team', 'create', '一班') as { teamId: string; inviteCode: string };
    child = await spawnRelay(dataDir);
    const joined = (await api(child.url, 'POST', '/api/invites/redeem', { body: { code: inviteCode, memberName: '王书记', deviceName: 'laptop' } })).json;
    const by = () => actor(joined.memberId);
    const households = Array.from({ length: 4 }, (_, i) => newHousehold(teamId, by(), `户主${i}`));
    const acked = new Map<string, string[]>(households.map((h) => [h.name, []]));

    for (let round = 0; round < 4; round++) {
      const dev = new Device(child.wsUrl, joined.token);
      const providers = households.map((h) => dev.attach(h.name, h.doc));
      await Promise.all(providers.map((p) => dev.saved(p)));
      // Several writes in flight at once on every doc; the relay dies in the same tick the
      // last acknowledgement arrives.
      const said: [string, string][] = [];
      for (const h of households) {
        for (let k = 0; k < 3; k++) {
          const text = `第${round}轮 ${h.id.slice(-4)} #${k}`;
          visit(h.doc, by(), text);
          said.push([h.name, text]);
        }
      }
      const victim = child;
      let killedAt = 0;
      let acks = 0;
      await Promise.all(
        providers.map((p) =>
          onAcked(p, () => {
            if (++acks === providers.length) {
              victim.proc.kill('SIGKILL');
              killedAt = Date.now();
            }
          }),
        ),
      );
      for (const [name, text] of said) acked.get(name)!.push(text);
      await victim.kill();
      expect(killedAt).toBeGreaterThan(0);
      expect(victim.proc.signalCode).toBe('SIGKILL');
      dev.destroy();
      child = await spawnRelay(dataDir);
    }

    // A device that has nothing gets everything that was acknowledged.
    const fresh = new Device(child.wsUrl, joined.token);
    for (const h of households) {
      const p = fresh.attach(h.name, new Y.Doc());
      await fresh.saved(p);
      const visits = readHousehold(p.document).visits.map((v) => v.said).sort();
      expect(visits).toEqual([...acked.get(h.name)!].sort());
      expect(visits).toHaveLength(12);
    }
    fresh.destroy();
    await child.kill();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });
});

describe('a stored document that no longer loads', () => {
  it('keeps its last good state: the bad updates are quarantined, logged, and the rest is served', async () => {
    const t = await startTestRelay();
    const { teamId, lead } = await teamWith(t, []);
    const dev = new Device(t.wsUrl, lead.token);
    const h = newHousehold(teamId, actor(lead.memberId));
    const p = dev.attach(h.name, h.doc);
    await dev.saved(p);
    visit(h.doc, actor(lead.memberId), '第一次');
    await dev.saved(p);
    dev.destroy();

    // Simulate what validation exists to prevent: broken updates in the middle of the log
    // (disk damage, or a class of bad update nobody has thought of yet).
    const r = rng(3);
    const valid = Y.encodeStateAsUpdate(newHousehold(teamId, actor('x')).doc);
    const db = t.relay.services.db;
    const insert = (data: Uint8Array) => db.run('INSERT INTO updates (doc, data, device, at) VALUES (@doc, @data, NULL, @at)', { doc: h.name, data, at: new Date().toISOString() });
    await insert(updateClasses['structs-then-broken-delete-set']!(r, valid));
    await insert(updateClasses['zero-length-string-then-origin']!(r, valid));
    const later = new Y.Doc();
    Y.applyUpdate(later, Y.encodeStateAsUpdate(h.doc));
    const diff: Uint8Array[] = [];
    later.on('update', (u: Uint8Array) => diff.push(u));
    visit(later, actor(lead.memberId), '第二次');
    await insert(diff[0]!);

    const t2 = await t.restart();
    const again = new Device(t2.wsUrl, lead.token);
    const copy = again.attach(h.name);
    await again.saved(copy);
    expect(readHousehold(copy.document).visits.map((v) => v.said).sort()).toEqual(['第一次', '第二次']);
    const q = await t2.relay.services.db.all<{ reason: string; source: string }>('SELECT reason, source FROM quarantine WHERE doc = @doc', { doc: h.name });
    expect(q).toHaveLength(2);
    expect(q.every((x) => x.source === 'update')).toBe(true);
    again.destroy();
    await t2.close();
  });
});
