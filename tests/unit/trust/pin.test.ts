import { describe, expect, it } from 'vitest';
import { checkPin, createVerifier, isPin, PIN_ITERATIONS, pinWrapKey } from '@/trust/pin';

// Fewer iterations than the app's: the test checks the scheme, not PBKDF2's cost.
const FAST = 1_000;

describe('PIN verifier', () => {
  it('stores a salted verifier, never the PIN, and checks the right PIN only', async () => {
    const v = await createVerifier('204817', FAST);
    expect(JSON.stringify(v)).not.toContain('204817');
    expect(atob(v.salt)).toHaveLength(16);
    expect(atob(v.verifier)).toHaveLength(32);
    expect(await checkPin('204817', v)).toBe(true);
    expect(await checkPin('204818', v)).toBe(false);
    expect(await checkPin('20481', v)).toBe(false);
  });

  it('draws a new salt each time: the same PIN gives another verifier', async () => {
    const a = await createVerifier('111111', FAST);
    const b = await createVerifier('111111', FAST);
    expect(a.salt).not.toBe(b.salt);
    expect(a.verifier).not.toBe(b.verifier);
  });

  it('uses a high iteration count by default and refuses a PIN that is not 6 digits', async () => {
    expect(PIN_ITERATIONS).toBeGreaterThanOrEqual(600_000);
    expect((await createVerifier('123456')).iterations).toBe(PIN_ITERATIONS);
    for (const bad of ['12345', '1234567', '12345a', '', '１２３４５６']) expect(isPin(bad), bad).toBe(false);
    await expect(createVerifier('12a456', FAST)).rejects.toThrow();
  });

  it('derives a wrapping key for the data key (item 2) that cannot be read out', async () => {
    const v = await createVerifier('654321', FAST);
    const key = await pinWrapKey('654321', v);
    expect([key.algorithm.name, key.extractable, key.usages.sort()]).toEqual(['AES-KW', false, ['unwrapKey', 'wrapKey']]);
    // The same PIN unwraps what it wrapped; another PIN does not.
    const data = await crypto.subtle.generateKey({ name: 'AES-GCM', length: 256 }, true, ['encrypt', 'decrypt']);
    const wrapped = await crypto.subtle.wrapKey('raw', data, key, 'AES-KW');
    await expect(crypto.subtle.unwrapKey('raw', wrapped, await pinWrapKey('654321', v), 'AES-KW', 'AES-GCM', false, ['decrypt'])).resolves.toBeTruthy();
    await expect(crypto.subtle.unwrapKey('raw', wrapped, await pinWrapKey('654320', v), 'AES-KW', 'AES-GCM', false, ['decrypt'])).rejects.toThrow();
  });
});
