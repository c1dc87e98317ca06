import { formatISO } from 'date-fns';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { emptyVisitForm } from '@/composables/visit-form';

describe('emptyVisitForm', () => {
  // Away from UTC (the CI machine's zone), so a UTC time where a local one belongs shows.
  // Node reads TZ again whenever it is assigned.
  const zone = process.env.TZ;
  beforeAll(() => {
    process.env.TZ = 'Asia/Shanghai';
  });
  afterAll(() => {
    if (zone === undefined) delete process.env.TZ;
    else process.env.TZ = zone;
  });

  // The form took its time from date-fns before; the domain's date functions must give the
  // same local `YYYY-MM-DDTHH:mm` a datetime-local input wants, on both sides of midnight.
  it.each(['2026-05-01T01:30:00.000Z', '2026-12-31T16:05:59.999Z', '2026-03-08T10:00:00.000Z', '2000-02-28T23:59:00.000Z'])('starts the visit at the local minute of %s', (iso) => {
    const now = new Date(iso);
    expect(emptyVisitForm(now, 30).visitedAt).toBe(formatISO(now).slice(0, 16));
    expect(new Date(`${emptyVisitForm(now, 30).visitedAt}:00`).getTimezoneOffset()).toBe(-480);
  });
});
