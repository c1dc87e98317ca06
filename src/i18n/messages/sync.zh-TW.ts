import type { SyncMessages } from './sync.zh-CN';

/** sync messages, Traditional Chinese. Keys sorted. */
export default {
  sync: {
    badge: {
      reassigned: '已改派',
      reassignedHint: '這戶已不再由你聯繫；你寫的紀錄上傳後，手機上的副本會移除。',
      unsynced: '未上傳',
      unsyncedHint: '這戶的新紀錄保存在手機上，還沒有傳到伺服器。',
    },
    file: {
      export: '匯出紀錄檔案',
      exportChanges: '只匯出上次匯出之後的變化',
      exported: '已匯出 {docs} 份檔案、{photos} 張照片。',
      failed: '沒能完成，手機上的紀錄沒有任何改變。請稍後再試。',
      hint: '沒有訊號的地方，把紀錄匯出成檔案（隨身碟、通訊軟體等），在組長的裝置上匯入，合併方式和連網同步一樣。',
      import: '匯入紀錄檔案',
      imported: '已匯入：{changed} 份檔案有新內容，{photos} 張新照片。連網後會自動上傳。',
      title: '用檔案同步',
    },
    lastSynced: '上次同步：{time}',
    neverSynced: '還沒有同步過',
    pending: {
      households: '{n} 戶的紀錄未上傳',
      none: '所有紀錄都已在伺服器上',
      photos: '{n} 張照片未上傳',
    },
    progress: '正在下載檔案：{done} / {total}',
    reasons: {
      device_revoked: '這部手機已被組長停用，不能再同步。手機上的紀錄都還在，請聯繫組長。',
      forbidden: '伺服器拒絕了這部手機的同步請求。手機上的紀錄都還在，請聯繫組長。',
      invalid_update: '伺服器拒收了一條紀錄（格式不對）。其他紀錄照常同步，請聯繫管理員。',
      message_too_large: '有一條紀錄太大，伺服器拒收。其他紀錄照常同步，請聯繫管理員。',
      network: '連不上伺服器。紀錄都保存在手機上，有訊號時會自動同步。',
      not_joined: '這部手機還沒有加入團隊，紀錄只保存在手機上。',
      rate_limited: '同步太頻繁，伺服器要求稍等，稍後自動重試。',
      refused: '有幾戶你已無權上傳（可能已改派）。這些紀錄保存在手機上，請聯繫組長。',
      server: '伺服器出錯了，稍後自動重試。紀錄都保存在手機上。',
      stalled: '伺服器長時間沒有回應，同步中斷，稍後自動重試。紀錄都保存在手機上。',
      storage: '手機儲存寫入失敗，請清理空間後再試。',
      token_expired: '登入已過期，請重新用邀請碼加入團隊。手機上的紀錄都還在。',
      token_invalid: '登入憑證無效，請重新用邀請碼加入團隊。手機上的紀錄都還在。',
    },
    retryAt: '{time} 自動重試',
    state: {
      connecting: '正在連線',
      error: '同步出錯',
      offline: '離線',
      synced: '已同步',
      syncing: '正在同步',
    },
    syncNow: '立即同步',
    team: {
      downloading: '正在下載全隊紀錄 {done} / {total}',
      downloadingMine: '正在下載你的紀錄 {done} / {total}',
      incomplete: '全隊紀錄還沒有下載完',
      incompleteHint: '下載完之前，統計數字不完整。有訊號時會自動繼續。',
      incompleteMine: '你的紀錄還沒有下載完',
    },
    title: '同步',
  },
} satisfies SyncMessages;
