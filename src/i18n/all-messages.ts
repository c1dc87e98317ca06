import { messages } from '.';
import commonEn from './messages/common.en';
import commonZhTW from './messages/common.zh-TW';
import fieldEn from './messages/field.en';
import fieldZhTW from './messages/field.zh-TW';
import leadEn from './messages/lead.en';
import leadZhCN from './messages/lead.zh-CN';
import leadZhTW from './messages/lead.zh-TW';
import syncEn from './messages/sync.en';
import syncZhTW from './messages/sync.zh-TW';

/** Every message of every area, lead workspace included: for tests that check them all. */
export const allMessages = {
  'zh-CN': { ...messages['zh-CN'], ...leadZhCN },
  'zh-TW': { ...commonZhTW, ...fieldZhTW, ...syncZhTW, ...leadZhTW },
  en: { ...commonEn, ...fieldEn, ...syncEn, ...leadEn },
};
