import { describe, expect, it } from 'vitest';
import { addDaysToDate, daysBetween, daysSince, dueState, isOverdue, isRequestOverdue, nextDueDate, requestAgeDays, requestDueDate } from '@/domain/dates';

describe('date rules', () => {
  it('a never-visited household is due the day it was registered', () => {
    expect(nextDueDate({ intervalDays: 30, createdAt: '2026-03-10T08:00:00' })).toBe('2026-03-10');
  });

  it('next due is last visit + interval, unless the visit set its own date', () => {
    expect(nextDueDate({ lastVisitAt: '2026-01-31T10:00:00', intervalDays: 30, createdAt: '2025-01-01T00:00:00' })).toBe('2026-03-02');
    expect(nextDueDate({ lastVisitAt: '2026-01-31T10:00:00', lastNextVisitOn: '2026-02-07', intervalDays: 30, createdAt: '2025-01-01T00:00:00' })).toBe('2026-02-07');
  });

  it('due today is not overdue; yesterday is', () => {
    expect(isOverdue('2026-05-01', '2026-05-01')).toBe(false);
    expect(isOverdue('2026-04-30', '2026-05-01')).toBe(true);
    expect(dueState('2026-04-30', '2026-05-01', 7)).toBe('overdue');
    expect(dueState('2026-05-08', '2026-05-01', 7)).toBe('due_soon');
    expect(dueState('2026-05-09', '2026-05-01', 7)).toBe('ok');
  });

  it('counts calendar days across month ends and leap days', () => {
    expect(daysBetween('2028-02-28', '2028-03-01')).toBe(2);
    expect(addDaysToDate('2026-12-31', 1)).toBe('2027-01-01');
    expect(daysSince(undefined, '2026-01-01')).toBeUndefined();
    expect(daysSince('2026-01-01T23:00:00', '2026-01-03')).toBe(2);
  });

  it('request age runs to its close, or to today while open', () => {
    expect(requestAgeDays('2026-03-01T09:00:00', '2026-03-11T18:00:00', '2026-06-01')).toBe(10);
    expect(requestAgeDays('2026-03-01T09:00:00', undefined, '2026-03-05')).toBe(4);
  });

  it('a request without its own due date is due after the team default', () => {
    expect(requestDueDate('2026-03-01T09:00:00', undefined, 15)).toBe('2026-03-16');
    expect(requestDueDate('2026-03-01T09:00:00', '2026-03-05', 15)).toBe('2026-03-05');
    expect(isRequestOverdue({ dueOn: '2026-03-16', today: '2026-03-16' })).toBe(false);
    expect(isRequestOverdue({ dueOn: '2026-03-16', today: '2026-03-17' })).toBe(true);
    expect(isRequestOverdue({ dueOn: '2026-03-16', closedAt: '2026-03-16T20:00:00', today: '2026-09-01' })).toBe(false);
  });
});
