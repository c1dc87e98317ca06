import type { GeoPoint } from '@/domain/geo';
import type { HouseholdFile } from '@/domain/household-file';
import { formatAddress, normalizePhone, type Relation } from '@/domain/household';
import type { DuplicateProbe } from '@/domain/duplicates';
import { newId } from '@/domain/ids';
import type { HouseholdInput } from '@/stores/households';

/** The register/edit form as typed (strings where the user types, so a draft keeps it as is). */
export interface HouseholdForm {
  id: string;
  headName: string;
  phone: string;
  area: string;
  village: string;
  street: string;
  house: string;
  tags: string[];
  visitIntervalDays: number | '';
  notes: string;
  members: MemberForm[];
  gps: GeoPoint | null;
}

export interface MemberForm {
  id: string;
  name: string;
  /** '' until chosen: a relation is never guessed for the member */
  relation: Relation | '';
  birthYear: string;
  phone: string;
}

export function emptyHouseholdForm(intervalDays: number): HouseholdForm {
  return { id: newId(), headName: '', phone: '', area: '', village: '', street: '', house: '', tags: [], visitIntervalDays: intervalDays, notes: '', members: [], gps: null };
}

export function emptyMember(): MemberForm {
  return { id: newId(), name: '', relation: '', birthYear: '', phone: '' };
}

export function householdFormFromFile(file: HouseholdFile): HouseholdForm {
  const h = file.household;
  return {
    id: h.id,
    headName: h.headName,
    phone: h.phone,
    ...h.address,
    tags: [...h.tags],
    visitIntervalDays: h.visitIntervalDays,
    notes: h.notes,
    members: h.members.map((m) => ({ id: m.id, name: m.name, relation: m.relation, birthYear: m.birthYear ? String(m.birthYear) : '', phone: m.phone ?? '' })),
    gps: h.gps ?? null,
  };
}

/** What the store validates: numbers as numbers, blanks as absent. */
export function householdInputFromForm(f: HouseholdForm): HouseholdInput {
  return {
    profile: {
      headName: f.headName,
      phone: f.phone,
      address: { area: f.area, village: f.village, street: f.street, house: f.house },
      gps: f.gps ?? undefined,
      tags: f.tags,
      visitIntervalDays: f.visitIntervalDays === '' ? undefined : Number(f.visitIntervalDays),
    },
    members: f.members.map((m) => ({
      id: m.id,
      name: m.name,
      relation: m.relation,
      birthYear: m.birthYear.trim() === '' ? undefined : Number(m.birthYear),
      phone: m.phone.trim() === '' ? undefined : m.phone,
    })),
    notes: f.notes,
  };
}

/** The duplicate check's view of the form. */
export function duplicateProbe(f: HouseholdForm): DuplicateProbe {
  const address = { area: f.area.trim(), village: f.village.trim(), street: f.street.trim(), house: f.house.trim() };
  return {
    headName: f.headName,
    phones: [f.phone, ...f.members.map((m) => m.phone)].map(normalizePhone).filter(Boolean),
    address: formatAddress(address),
    area: address.area,
    lat: f.gps?.lat,
    lng: f.gps?.lng,
  };
}
