import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { createHousehold, readHousehold } from '@/docs/household-doc';
import { newId } from '@/domain/ids';
import { syncOnce, waitForStatus } from './helpers/client-device';
import { clientSuite } from './helpers/client-suite';
import { actor, profile } from './helpers/fixtures';
import { invite, join, startTestRelay, teamWith, tmpDir, type TestRelay } from './helpers/relay';

// The test starts (and restores) its relay itself, on a data dir it keeps across restarts.
const { device, defer } = clientSuite({ relay: 'none' });

describe('a relay restored from an older backup', () => {
  it('gets back from the devices everything it lost: the change feed says reset, the device uploads all it holds', async () => {
    const dataDir = tmpDir();
    defer(async () => fs.rmSync(dataDir, { recursive: true, force: true }));
    let t: TestRelay = await startTestRelay({ dataDir });
    defer(() => t.close());
    const { teamId, lead } = await teamWith(t, []);
    const d = await device(t.url, lead, 'restore-lead', { retryBaseMs: 100 });
    const add = async (headName: string) => {
      const id = newId();
      await d.records.commit(d.household(id), (doc) => createHousehold(doc, { id, teamId, profile: profile(headName) }, actor(lead.memberId)));
      return id;
    };
    const before = await add('备份前的户');
    await waitForStatus(d, (s) => s.state === 'synced' && s.pendingHouseholds === 0, 15_000, 'first household up');

    // The administrator's nightly backup.
    await t.close();
    const backup = tmpDir();
    defer(async () => fs.rmSync(backup, { recursive: true, force: true }));
    fs.cpSync(dataDir, backup, { recursive: true });
    const port = t.relay.port;
    t = await startTestRelay({ dataDir, config: { port } });
    const after = await add('备份后的户');
    await syncOnce(d);
    expect(d.engine.status).toMatchObject({ state: 'synced', pendingHouseholds: 0 });

    // The disk dies; the backup is restored. The relay no longer has the second household.
    await t.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
    fs.cpSync(backup, dataDir, { recursive: true });
    t = await startTestRelay({ dataDir, config: { port } });
    const bundlesBefore = d.requests.filter((r) => r.path.startsWith('/api/bundle')).length;
    await syncOnce(d);
    await waitForStatus(d, (s) => s.state === 'synced' && s.pendingHouseholds === 0, 20_000, 'resynced after the restore');
    expect(d.requests.some((r) => r.path.startsWith('/api/changes') && r.status === 200)).toBe(true);
    expect(d.requests.filter((r) => r.path.startsWith('/api/bundle')).length).toBeGreaterThan(bundlesBefore);

    // A new device of the team finds both households on the relay.
    const laptop = await join(t.url, await invite(t, teamId, 'lead', lead.memberId), '王书记', 'laptop', lead.memberId);
    const other = await device(t.url, laptop, 'restore-laptop');
    await waitForStatus(other, (s) => s.state === 'synced', 20_000, 'laptop synced');
    for (const [id, name] of [
      [before, '备份前的户'],
      [after, '备份后的户'],
    ] as const) {
      expect(readHousehold(await other.records.doc(other.household(id))).household.headName).toBe(name);
    }
  });
});
