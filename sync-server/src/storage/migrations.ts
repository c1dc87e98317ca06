/**
 * The relay's schema, versioned: each entry runs once, in order, at start (SQLite keeps the
 * version in `user_version`, Postgres in `schema_version`). The two lists describe the same
 * tables and must grow together: entry N of one is entry N of the other.
 *
 * Schema. `updates` is an append-only log per document, folded into `docs.snapshot` by
 * compaction; `docs.last_seq/last_device/other_seq` drive the change feed without a row per
 * change (see change-feed.ts); `access` is who may open which household, derived from the
 * team doc, the recorded creators and the recorded request owners (`request_owners`).
 */
export const SQLITE_MIGRATIONS: string[] = [
  `
  CREATE TABLE teams (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    created_at TEXT NOT NULL,
    seq INTEGER NOT NULL DEFAULT 0
  );
  CREATE TABLE invites (
    code_hash TEXT PRIMARY KEY,
    team_id TEXT NOT NULL REFERENCES teams(id),
    role TEXT NOT NULL,
    member_id TEXT,
    created_by TEXT,
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL,
    used_at TEXT,
    used_by_device TEXT
  );
  CREATE TABLE devices (
    id TEXT PRIMARY KEY,
    team_id TEXT NOT NULL REFERENCES teams(id),
    member_id TEXT NOT NULL,
    member_name TEXT NOT NULL,
    device_name TEXT NOT NULL,
    role TEXT NOT NULL,
    created_at TEXT NOT NULL,
    last_seen_at TEXT,
    revoked_at TEXT
  );
  CREATE INDEX devices_team ON devices(team_id);
  CREATE INDEX devices_revoked ON devices(revoked_at);
  CREATE TABLE docs (
    name TEXT PRIMARY KEY,
    team_id TEXT NOT NULL,
    kind TEXT NOT NULL,
    household_id TEXT,
    snapshot BLOB,
    snapshot_at TEXT,
    created_by_member TEXT,
    created_by_device TEXT,
    created_at TEXT NOT NULL,
    last_seq INTEGER NOT NULL DEFAULT 0,
    last_device TEXT,
    other_seq INTEGER NOT NULL DEFAULT 0,
    update_count INTEGER NOT NULL DEFAULT 0
  );
  CREATE INDEX docs_team ON docs(team_id, name);
  CREATE TABLE updates (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    doc TEXT NOT NULL,
    data BLOB NOT NULL,
    device TEXT,
    at TEXT NOT NULL
  );
  CREATE INDEX updates_doc ON updates(doc, id);
  CREATE TABLE quarantine (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    doc TEXT NOT NULL,
    data BLOB NOT NULL,
    reason TEXT NOT NULL,
    source TEXT NOT NULL,
    at TEXT NOT NULL
  );
  CREATE TABLE access (
    team_id TEXT NOT NULL,
    household_id TEXT NOT NULL,
    member_id TEXT NOT NULL,
    active INTEGER NOT NULL,
    seq INTEGER NOT NULL,
    changed_at TEXT NOT NULL,
    PRIMARY KEY (team_id, household_id, member_id)
  );
  CREATE INDEX access_member ON access(team_id, member_id, seq);
  CREATE TABLE blobs (
    sha256 TEXT PRIMARY KEY,
    size INTEGER NOT NULL,
    mime TEXT NOT NULL,
    created_at TEXT NOT NULL
  );
  CREATE TABLE blob_refs (
    sha256 TEXT NOT NULL,
    team_id TEXT NOT NULL,
    household_id TEXT NOT NULL,
    device_id TEXT NOT NULL,
    member_id TEXT NOT NULL,
    at TEXT NOT NULL,
    PRIMARY KEY (sha256, team_id, household_id)
  );
  `,
  // Who caused an access change: the device whose upload created the household (it needs
  // no telling), or NULL for changes that came from the team doc.
  `ALTER TABLE access ADD COLUMN device_id TEXT;`,
  // Each doc's whole state as a bundle sends it (one Yjs v2 update), kept with the version
  // of the doc's stored parts it was made from (`docs.last_seq`, `update_count`,
  // `snapshot_at`): bundles serve it instead of merging and converting the stored v1 parts
  // again (ADR 0016) while the doc's row still has that version; any write moves it on.
  `CREATE TABLE bundle_states (
    doc TEXT PRIMARY KEY,
    seq INTEGER NOT NULL,
    update_count INTEGER NOT NULL,
    snapshot_at TEXT,
    data BLOB NOT NULL
  );`,
  // Who owns each request of each household, as last stored (ADR 0024): access follows
  // request ownership too, and the relay must not load every household doc to know it.
  // `closed_at` NULL while the request is open; deleted requests have no row.
  `CREATE TABLE request_owners (
    team_id TEXT NOT NULL,
    household_id TEXT NOT NULL,
    request_id TEXT NOT NULL,
    owner_id TEXT NOT NULL,
    closed_at TEXT,
    PRIMARY KEY (team_id, household_id, request_id)
  );`,
  // A device's public signing key (JWK of an ECDSA P-256 point) and when it was registered:
  // a file the device exported and a colleague carries is applied on its authority (ADR 0023).
  // NULL for a device that joined before keys, until its next connection registers one.
  `ALTER TABLE devices ADD COLUMN public_key TEXT;
  ALTER TABLE devices ADD COLUMN key_at TEXT;`,
  // Why a device was revoked (ADR 0029): 'replaced' (its last upload is accepted, then it
  // stops: `retired_at` records when it said it was done) or 'lost' (its next contact is
  // told to erase itself: `wipe_told_at`, and `wiped_at` when it confirmed). NULL reason:
  // revoked before reasons existed (stopped at once, nothing erased).
  `ALTER TABLE devices ADD COLUMN revoke_reason TEXT;
  ALTER TABLE devices ADD COLUMN retired_at TEXT;
  ALTER TABLE devices ADD COLUMN wipe_told_at TEXT;
  ALTER TABLE devices ADD COLUMN wiped_at TEXT;`,
];

/**
 * The same schema in Postgres: BYTEA for BLOB, identity columns for AUTOINCREMENT, BIGINT
 * sequences, and names in the C collation so that paging by name (`name > @after ORDER BY
 * name`) orders exactly as SQLite does.
 */
export const POSTGRES_MIGRATIONS: string[] = [
  `
  CREATE TABLE teams (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    created_at TEXT NOT NULL,
    seq BIGINT NOT NULL DEFAULT 0
  );
  CREATE TABLE invites (
    code_hash TEXT PRIMARY KEY,
    team_id TEXT NOT NULL REFERENCES teams(id),
    role TEXT NOT NULL,
    member_id TEXT,
    created_by TEXT,
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL,
    used_at TEXT,
    used_by_device TEXT
  );
  CREATE TABLE devices (
    id TEXT PRIMARY KEY,
    team_id TEXT NOT NULL REFERENCES teams(id),
    member_id TEXT NOT NULL,
    member_name TEXT NOT NULL,
    device_name TEXT NOT NULL,
    role TEXT NOT NULL,
    created_at TEXT NOT NULL,
    last_seen_at TEXT,
    revoked_at TEXT
  );
  CREATE INDEX devices_team ON devices(team_id);
  CREATE INDEX devices_revoked ON devices(revoked_at);
  CREATE TABLE docs (
    name TEXT COLLATE "C" PRIMARY KEY,
    team_id TEXT NOT NULL,
    kind TEXT NOT NULL,
    household_id TEXT COLLATE "C",
    snapshot BYTEA,
    snapshot_at TEXT,
    created_by_member TEXT,
    created_by_device TEXT,
    created_at TEXT NOT NULL,
    last_seq BIGINT NOT NULL DEFAULT 0,
    last_device TEXT,
    other_seq BIGINT NOT NULL DEFAULT 0,
    update_count INTEGER NOT NULL DEFAULT 0
  );
  CREATE INDEX docs_team ON docs(team_id, name);
  CREATE TABLE updates (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    doc TEXT COLLATE "C" NOT NULL,
    data BYTEA NOT NULL,
    device TEXT,
    at TEXT NOT NULL
  );
  CREATE INDEX updates_doc ON updates(doc, id);
  CREATE TABLE quarantine (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    doc TEXT COLLATE "C" NOT NULL,
    data BYTEA NOT NULL,
    reason TEXT NOT NULL,
    source TEXT NOT NULL,
    at TEXT NOT NULL
  );
  CREATE TABLE access (
    team_id TEXT NOT NULL,
    household_id TEXT COLLATE "C" NOT NULL,
    member_id TEXT NOT NULL,
    active INTEGER NOT NULL,
    seq BIGINT NOT NULL,
    changed_at TEXT NOT NULL,
    PRIMARY KEY (team_id, household_id, member_id)
  );
  CREATE INDEX access_member ON access(team_id, member_id, seq);
  CREATE TABLE blobs (
    sha256 TEXT PRIMARY KEY,
    size BIGINT NOT NULL,
    mime TEXT NOT NULL,
    created_at TEXT NOT NULL
  );
  CREATE TABLE blob_refs (
    sha256 TEXT NOT NULL,
    team_id TEXT NOT NULL,
    household_id TEXT NOT NULL,
    device_id TEXT NOT NULL,
    member_id TEXT NOT NULL,
    at TEXT NOT NULL,
    PRIMARY KEY (sha256, team_id, household_id)
  );
  `,
  `ALTER TABLE access ADD COLUMN device_id TEXT;`,
  `CREATE TABLE bundle_states (
    doc TEXT COLLATE "C" PRIMARY KEY,
    seq BIGINT NOT NULL,
    update_count INTEGER NOT NULL,
    snapshot_at TEXT,
    data BYTEA NOT NULL
  );`,
  `CREATE TABLE request_owners (
    team_id TEXT NOT NULL,
    household_id TEXT COLLATE "C" NOT NULL,
    request_id TEXT NOT NULL,
    owner_id TEXT NOT NULL,
    closed_at TEXT,
    PRIMARY KEY (team_id, household_id, request_id)
  );`,
  `ALTER TABLE devices ADD COLUMN public_key TEXT;
  ALTER TABLE devices ADD COLUMN key_at TEXT;`,
  `ALTER TABLE devices ADD COLUMN revoke_reason TEXT;
  ALTER TABLE devices ADD COLUMN retired_at TEXT;
  ALTER TABLE devices ADD COLUMN wipe_told_at TEXT;
  ALTER TABLE devices ADD COLUMN wiped_at TEXT;`,
];
