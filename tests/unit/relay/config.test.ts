import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../../sync-server/src/config';

describe('relay config', () => {
  it('reads whole numbers and keeps the defaults for unset variables', () => {
    const c = loadConfig({ PORT: '0', MSG_RATE: ' 12 ' });
    expect(c.port).toBe(0);
    expect(c.limits.messagesPerSecond).toBe(12);
    expect(loadConfig({}).port).toBe(8080);
  });

  it.each(['1.5', '-1', '65536', '1e3', '0x10', 'abc', '80 80'])('refuses PORT=%s with the variable named', (port) => {
    expect(() => loadConfig({ PORT: port })).toThrow(/PORT must be a whole number from 0 to 65535/);
  });

  it('refuses a fractional limit', () => {
    expect(() => loadConfig({ MAX_SOCKETS_PER_DEVICE: '2.5' })).toThrow(/MAX_SOCKETS_PER_DEVICE/);
  });

  it('takes hours with a fraction for the upload expiry, and nothing else there', () => {
    expect(loadConfig({ UPLOAD_EXPIRY_HOURS: '0.5' }).limits.uploadExpiryHours).toBe(0.5);
    expect(loadConfig({}).limits.uploadExpiryHours).toBe(24);
    for (const bad of ['-1', '1e3', 'abc', '.5']) expect(() => loadConfig({ UPLOAD_EXPIRY_HOURS: bad })).toThrow(/UPLOAD_EXPIRY_HOURS/);
  });
});
