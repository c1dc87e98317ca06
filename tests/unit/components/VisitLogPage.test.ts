import { flushPromises } from '@vue/test-utils';
import { describe, expect, it, vi } from 'vitest';
import { localRecords } from '@/db/instance';
import { StorageWriteError } from '@/db/doc-persistence';
import { useDialogStore } from '@/stores/dialog';
import { useHouseholdsStore } from '@/stores/households';
import { eventually, profileInput, startAlone, useFreshStores } from '../stores/helpers';
import { mountAt } from './mount-app';
import { visitCount, visitIds } from '../helpers/rows';

useFreshStores();

async function openVisitForm() {
  await startAlone();
  const hid = await useHouseholdsStore().register(profileInput());
  const mounted = await mountAt(`/households/${hid}/visit`);
  await eventually(() => expect(mounted.wrapper.find('#said').exists()).toBe(true));
  return { hid, ...mounted };
}

describe('visit log page', () => {
  it('saves a draft as it is typed and puts it back after a reload', async () => {
    const { hid, wrapper } = await openVisitForm();
    await wrapper.find('#said').setValue('家里漏雨，希望帮忙找人修');
    await eventually(async () => expect((await localRecords().db.drafts.get(`visit:${hid}`))?.data).toMatchObject({ said: '家里漏雨，希望帮忙找人修' }), 3000);
    await eventually(() => expect(wrapper.text()).toContain('草稿已存到手机'));
    wrapper.unmount();

    // A reload: the page mounts again from nothing but the disk.
    const again = await mountAt(`/households/${hid}/visit`);
    await eventually(() => expect((again.wrapper.find('#said').element as HTMLTextAreaElement).value).toBe('家里漏雨，希望帮忙找人修'));
    expect(again.wrapper.text()).toContain('已恢复上次没填完的草稿');
    again.wrapper.unmount();
  });

  it('asks before leaving with input, and stays when told to', async () => {
    const { wrapper, router } = await openVisitForm();
    await wrapper.find('#said').setValue('有话要说');
    const dialog = useDialogStore();
    const leaving = router.push('/households');
    await eventually(() => expect(dialog.current?.titleKey).toBe('common.draft.leaveTitle'));
    dialog.answer('stay');
    await leaving;
    expect(router.currentRoute.value.name).toBe('visit-new');
    wrapper.unmount();
  });

  it('keeps every word when the disk refuses the save, and says why', async () => {
    const { hid, wrapper, router } = await openVisitForm();
    await wrapper.find('#said').setValue('这些话不能丢');
    const commit = vi.spyOn(localRecords(), 'commit').mockRejectedValueOnce(new StorageWriteError('quota', new Error('QuotaExceededError')));
    await wrapper.find('form').trigger('submit');
    await flushPromises();
    await eventually(() => expect(wrapper.text()).toContain('手机存储空间已满'));
    expect((wrapper.find('#said').element as HTMLTextAreaElement).value).toBe('这些话不能丢');
    expect(router.currentRoute.value.name).toBe('visit-new');
    expect(await visitCount(localRecords().db)).toBe(0);

    // Space freed: the same form saves, the draft goes, the page returns to the file.
    commit.mockRestore();
    await wrapper.find('form').trigger('submit');
    await eventually(() => expect(router.currentRoute.value.name).toBe('household'));
    expect(await visitIds(localRecords().db, hid).then((ids) => ids.length)).toBe(1);
    expect(await localRecords().db.drafts.get(`visit:${hid}`)).toBeUndefined();
    wrapper.unmount();
  });

  it('writes the draft while typing goes on, not only after a pause', async () => {
    const { hid, wrapper } = await openVisitForm();
    let typed = '';
    let written: unknown;
    // A keystroke every 40 ms, for at most 2 s: the draft must reach storage meanwhile.
    for (let i = 0; i < 50 && !written; i++) {
      typed += '字';
      await wrapper.find('#said').setValue(typed);
      await new Promise((r) => setTimeout(r, 40));
      written = (await localRecords().db.drafts.get(`visit:${hid}`))?.data;
    }
    expect(written).toMatchObject({ said: expect.stringMatching(/^字+$/) });
    wrapper.unmount();
  });

  it('says the limit next to a field as soon as a pasted text is over it, keeps every character, and refuses the save there', async () => {
    const { wrapper, router } = await openVisitForm();
    const long = '漏'.repeat(4001);
    await wrapper.find('#said').setValue(long);
    expect(wrapper.find('#said-error').text()).toBe('最多 4000 个字，多了 1 个字');
    expect(wrapper.find('#said').attributes('maxlength')).toBeUndefined();
    expect((wrapper.find('#said').element as HTMLTextAreaElement).value).toHaveLength(4001);
    // Near the limit, a count; far below it, nothing.
    await wrapper.find('#obs-housing-note').setValue('墙'.repeat(450));
    expect(wrapper.find('#obs-housing-note-error').text()).toBe('450/500 字');
    await wrapper.find('#obs-housing-note').setValue('墙'.repeat(501));
    expect(wrapper.find('#obs-housing-note-error').text()).toBe('最多 500 个字，多了 1 个字');
    await wrapper.find('#notes').setValue('短');
    expect(wrapper.find('#notes-error').exists()).toBe(false);

    await wrapper.find('form').trigger('submit');
    await eventually(() => expect(wrapper.find('#said').attributes('aria-invalid')).toBe('true'));
    expect(wrapper.find('#obs-housing-note').attributes('aria-invalid')).toBe('true');
    expect(wrapper.find('#said-error').text()).toBe('最多 4000 个字，多了 1 个字');
    expect(router.currentRoute.value.name).toBe('visit-new');
    // Trimmed back under the limit, the refusal itself still names the limit until saved again.
    await wrapper.find('#said').setValue('漏'.repeat(4000));
    expect(wrapper.find('#said-error').text()).toBe('最多 4000 个字');
    wrapper.unmount();
  });
});
