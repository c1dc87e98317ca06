import { messages } from '.';
import leadEn from './messages/lead.en';
import leadZhCN from './messages/lead.zh-CN';
import leadZhTW from './messages/lead.zh-TW';

/** Every message of every area, lead workspace included: for tests that check them all. */
export const allMessages = {
  'zh-CN': { ...messages['zh-CN'], ...leadZhCN },
  'zh-TW': { ...messages['zh-TW'], ...leadZhTW },
  en: { ...messages.en, ...leadEn },
};
