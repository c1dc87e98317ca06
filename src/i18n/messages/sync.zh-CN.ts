/** sync messages, Simplified Chinese: the reference the other languages are checked against. Keys sorted. */
export default {
  sync: {
    badge: {
      reassigned: '已改派',
      reassignedHint: '这户已不再由你联系；你写的记录上传后，手机上的副本会移除。',
      unsynced: '未上传',
      unsyncedHint: '这户的新记录保存在手机上，还没有传到服务器。',
    },
    file: {
      export: '导出记录文件',
      exportChanges: '只导出上次导出之后的变化',
      exported: '已导出 {docs} 份档案、{photos} 张照片。',
      failed: '没能完成，手机上的记录没有任何改变。请稍后再试。',
      hint: '没有信号的地方，把记录导出成文件（U 盘、微信等），在组长的设备上导入，合并方式和联网同步一样。',
      import: '导入记录文件',
      imported: '已导入：{changed} 份档案有新内容，{photos} 张新照片。联网后会自动上传。',
      importedFlagged: '其中 {n} 户的档案有格式不对的内容（可能被改动过），已在档案里标出，请核对。',
      title: '用文件同步',
    },
    lastSynced: '上次同步：{time}',
    neverSynced: '还没有同步过',
    pending: {
      households: '{n} 户的记录未上传',
      none: '所有记录都已在服务器上',
      photos: '{n} 张照片未上传',
      team: '团队设置的改动未上传',
    },
    progress: '正在下载档案：{done} / {total}',
    reasons: {
      device_revoked: '这部手机已被组长停用，不能再同步。手机上的记录都还在，请联系组长。',
      forbidden: '服务器拒绝了这部手机的同步请求。手机上的记录都还在，请联系组长。',
      invalid_record: '服务器拒收了有格式不对内容的档案（档案里已标出）。在档案里点“修改档案”改正后会自动上传；其他记录照常同步。',
      invalid_update: '服务器拒收了一条记录（格式不对）。其他记录照常同步，请联系管理员。',
      message_too_large: '有一条记录太大，服务器拒收。其他记录照常同步，请联系管理员。',
      network: '连不上服务器。记录都保存在手机上，有信号时会自动同步。',
      not_joined: '这部手机还没有加入团队，记录只保存在手机上。',
      rate_limited: '同步太频繁，服务器要求稍等，稍后自动重试。',
      refused: '有几户你已无权上传（可能已改派）。这些记录保存在手机上，请联系组长。',
      server: '服务器出错了，稍后自动重试。记录都保存在手机上。',
      stalled: '服务器长时间没有回应，同步中断，稍后自动重试。记录都保存在手机上。',
      storage: '手机存储写入失败，请清理空间后再试。',
      token_expired: '登录已过期，请重新用邀请码加入团队。手机上的记录都还在。',
      token_invalid: '登录凭证无效，请重新用邀请码加入团队。手机上的记录都还在。',
    },
    retryAt: '{time} 自动重试',
    state: {
      connecting: '正在连接',
      error: '同步出错',
      offline: '离线',
      starting: '正在读取同步状态',
      synced: '已同步',
      syncing: '正在同步',
    },
    stopped: {
      device_revoked: '这部手机已被组长停用，不能同步',
      kept: '{n} 户的记录还没上传，都保留在这部手机上，重新加入后会自动上传。',
      keptNone: '手机上的记录都还在。',
      token_invalid: '这部手机的登录凭证无效，不能同步',
    },
    syncNow: '立即同步',
    team: {
      downloading: '正在下载全队记录 {done} / {total}',
      downloadingMine: '正在下载你的记录 {done} / {total}',
      incomplete: '全队记录还没有下载完',
      incompleteHint: '下载完之前，统计数字不完整。有信号时会自动继续。',
      incompleteMine: '你的记录还没有下载完',
    },
    title: '同步',
  },
};

/** The reference every other language is checked against (`satisfies SyncMessages`). */
export type SyncMessages = typeof import('./sync.zh-CN').default;
