import type { SyncMessages } from './sync.zh-CN';

/** sync messages, English. Keys sorted. */
export default {
  sync: {
    badge: {
      reassigned: 'Reassigned',
      reassignedHint: 'This household is no longer yours to visit; the copy on this phone goes once what you wrote is uploaded.',
      unsynced: 'Not uploaded',
      unsyncedHint: 'New records of this household are saved on the phone but not on the server yet.',
    },
    file: {
      export: 'Export records to a file',
      exportChanges: 'Only what changed since the last export',
      exported: 'Exported {docs} files and {photos} photos.',
      failed: 'That did not work; nothing on this phone changed. Please try again later.',
      hint: 'Where there is no signal, export your records to a file (USB stick, messaging app) and import it on the lead’s device: it merges exactly like network sync.',
      import: 'Import a records file',
      imported: 'Imported: {changed} files had something new, {photos} new photos. They upload when there is a connection.',
      title: 'Sync by file',
    },
    lastSynced: 'Last synced: {time}',
    neverSynced: 'Not synced yet',
    pending: {
      households: 'Records of {n} household not uploaded | Records of {n} households not uploaded',
      none: 'Everything is on the server',
      photos: '{n} photo not uploaded | {n} photos not uploaded',
    },
    progress: 'Downloading files: {done} / {total}',
    reasons: {
      device_revoked: 'The team lead has switched this phone off from syncing. Everything on the phone is kept; talk to your lead.',
      forbidden: 'The server refused this phone. Everything on the phone is kept; talk to your lead.',
      invalid_update: 'The server refused one record as malformed. Everything else syncs; tell the administrator.',
      message_too_large: 'One record is too large for the server. Everything else syncs; tell the administrator.',
      network: 'The server cannot be reached. Everything is saved on the phone and syncs when there is a signal.',
      not_joined: 'This phone has not joined a team: records are kept on the phone only.',
      rate_limited: 'Syncing too often: the server asked to wait. Retrying shortly.',
      refused: 'Some households are no longer yours to upload (reassigned?). Their records stay on the phone; talk to your lead.',
      server: 'The server had a problem. Retrying shortly; everything is saved on the phone.',
      stalled: 'The server stopped answering, so sync was interrupted. Retrying shortly; everything is saved on the phone.',
      storage: 'The phone could not write to its storage. Free some space and try again.',
      token_expired: 'Your sign-in has expired: join the team again with an invite code. Everything on the phone is kept.',
      token_invalid: 'Your sign-in is not valid: join the team again with an invite code. Everything on the phone is kept.',
    },
    retryAt: 'Retrying at {time}',
    state: {
      connecting: 'Connecting',
      error: 'Sync problem',
      offline: 'Offline',
      synced: 'Synced',
      syncing: 'Syncing',
    },
    syncNow: 'Sync now',
    team: {
      downloading: 'Downloading the team’s records {done} / {total}',
      downloadingMine: 'Downloading your records {done} / {total}',
      incomplete: 'The team’s records are not all here yet',
      incompleteHint: 'Until they are, the figures are incomplete. It carries on by itself when there is a connection.',
      incompleteMine: 'Your records are not all here yet',
    },
    title: 'Sync',
  },
} satisfies SyncMessages;
