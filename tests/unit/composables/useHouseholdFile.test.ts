import { describe, expect, it } from 'vitest';
import { effectScope, ref } from 'vue';
import { localRecords } from '@/db/instance';
import { useHouseholdFile } from '@/composables/useHouseholdFile';
import { createHousehold } from '@/docs/household-doc';
import { useHouseholdsStore } from '@/stores/households';
import { eventually, startAlone, useFreshStores } from '../stores/helpers';

useFreshStores();

describe('useHouseholdFile', () => {
  it('fills in a household whose file arrives after the page opened (a link followed during a first sync)', async () => {
    const identity = await startAlone();
    const households = useHouseholdsStore();
    const scope = effectScope();
    const opened = scope.run(() => useHouseholdFile(ref('h-late')))!;
    await eventually(() => expect(opened.missing.value).toBe(true));

    // The file arrives (from sync, an import, or an assignment): the open page shows it.
    await localRecords().commit(households.docName('h-late'), (doc) =>
      createHousehold(doc, { id: 'h-late', teamId: identity.teamId!, profile: { headName: '迟到的户', phone: '', address: { area: '东山林场', village: '', street: '', house: '' }, tags: [], visitIntervalDays: 30 } }, { memberId: identity.memberId!, deviceId: 'dev-test', now: new Date().toISOString() }),
    );
    await eventually(() => expect(opened.file.value?.household.headName).toBe('迟到的户'));
    expect(opened.missing.value).toBe(false);
    scope.stop();
  });
});
