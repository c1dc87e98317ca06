// Household docs written with the app's own schema functions, as a device would.
import * as Y from 'yjs';
import { addRequest, addVisit, createHousehold, updateProfile, readHousehold } from '@/docs/household-doc';
import { householdDocName } from '@/docs/schema';
import { newId } from '@/domain/ids';

export interface Actor {
  memberId: string;
  deviceId: string;
  now: string;
}

export const actor = (memberId: string): Actor => ({ memberId, deviceId: `dev-${memberId}`.slice(0, 64), now: new Date().toISOString() });

export function newHousehold(teamId: string, by: Actor, headName = '张大爷'): { id: string; name: string; doc: Y.Doc } {
  const id = newId();
  const doc = new Y.Doc();
  createHousehold(doc, { id, teamId, profile: profile(headName) }, by);
  return { id, name: householdDocName(teamId, id), doc };
}

export function profile(headName: string, phone = '13800000000') {
  return { headName, phone, address: { area: '北山林场', village: '二道沟', street: '林业街', house: '12号' }, tags: ['elderly_alone'], visitIntervalDays: 30 };
}

export function visit(doc: Y.Doc, by: Actor, said: string): string {
  const id = newId();
  addVisit(doc, { id, kind: 'home', visitorIds: [by.memberId], visitedAt: by.now, observations: { housing: { level: 'fair', note: '房屋漏雨' } }, said, notes: '', photos: [] }, by);
  return id;
}

export function request(doc: Y.Doc, by: Actor, description: string): string {
  const id = newId();
  addRequest(doc, { id, category: 'medical', description, ownerId: by.memberId }, by);
  return id;
}

export function rename(doc: Y.Doc, by: Actor, headName: string, phone?: string): void {
  updateProfile(doc, profile(headName, phone), by);
}

export { readHousehold };
