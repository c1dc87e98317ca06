import { describe, expect, it } from 'vitest';
import { createHousehold, readHousehold, updateProfile } from '@/docs/household-doc';
import { newId } from '@/domain/ids';
import { waitForStatus } from './helpers/client-device';
import { clientSuite } from './helpers/client-suite';
import { actor, profile } from './helpers/fixtures';
import { teamWith, waitFor } from './helpers/relay';

const { relay: t, device } = clientSuite();

describe('a household the relay refuses as breaking the stored layout', () => {
  it('is reported as such (not as a permission), the others sync, and once corrected on the phone it goes up at once', async () => {
    const { lead } = await teamWith(t, []);
    const d = await device(t.url, lead, 'lead-invalid');
    await waitForStatus(d, (s) => s.state === 'synced', 15_000, 'first sync');
    const by = actor(lead.memberId);
    const [bad, good] = [newId(), newId()];
    for (const [id, name] of [
      [bad, '张大爷'],
      [good, '李奶奶'],
    ] as const)
      await d.records.commit(d.household(id), (doc) => createHousehold(doc, { id, teamId: lead.teamId, profile: profile(name) }, by));
    await waitForStatus(d, (s) => s.state === 'synced' && s.pendingHouseholds === 0, 15_000, 'both pushed');

    // What an altered sync file leaves in a file: the head's name a number.
    await d.records.commit(d.household(bad), (doc) => doc.getMap('profile').set('headName', 42));
    await d.records.commit(d.household(good), (doc) => updateProfile(doc, { ...profile('李奶奶'), phone: '13900001111' }, by));
    const refused = await waitForStatus(d, (s) => s.reason === 'invalid_record', 10_000, 'refusal reported');
    expect(refused.pendingHouseholds).toBe(1);
    await waitFor(async () => (await d.records.db.docs.get(d.household(good)))?.unsynced === 0, 10_000, 'the other household synced');
    expect(readHousehold(await d.records.doc(d.household(bad))).household.invalid).toContain('headName');

    // Corrected with the edit form's write: it goes up by itself.
    await d.records.commit(d.household(bad), (doc) => updateProfile(doc, profile('张大爷'), by));
    await waitForStatus(d, (s) => s.state === 'synced' && s.pendingHouseholds === 0, 10_000, 'corrected file pushed');
    expect((await d.records.db.docs.get(d.household(bad)))?.unsynced).toBe(0);
  });
});
