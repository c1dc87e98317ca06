// Integration clients are Node processes standing in for phones: their IndexedDB is fake,
// the relay and its WebSocket are real.
import { IDBFactory, IDBKeyRange } from 'fake-indexeddb';
import Dexie from 'dexie';
import { afterAll, beforeEach } from 'vitest';
import { dropTestDatabases } from './helpers/backend';

beforeEach(() => {
  globalThis.indexedDB = new IDBFactory();
  globalThis.IDBKeyRange = IDBKeyRange;
  Dexie.dependencies.indexedDB = globalThis.indexedDB;
  Dexie.dependencies.IDBKeyRange = IDBKeyRange;
});

// Databases made for this file's relays on the PostgreSQL run (helpers/backend.ts).
afterAll(() => dropTestDatabases());
