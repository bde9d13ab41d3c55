import { describe, expect, it } from 'vitest';
import { type AccountData, AccountDataSchema, accountPlaintext } from './account.js';

const account: AccountData = {
  accountId: 'AAECAwQFBgcICQoLDA0ODw',
  phone: '+15551234567',
  name: 'Alice',
  identityKey: 'wMHCw8TFxsfIycrLzM3Oz9DR0tPU1dbX2Nna29zd3t8',
};

describe('account data (box plaintext) [E2E-5]', () => {
  it('serializes the four fields in a fixed order whatever the object order', () => {
    const shuffled = {
      identityKey: account.identityKey,
      name: 'Alice',
      phone: account.phone,
      accountId: account.accountId,
    };
    const text = new TextDecoder().decode(accountPlaintext(shuffled));
    expect(text).toBe(
      '{"accountId":"AAECAwQFBgcICQoLDA0ODw","phone":"+15551234567","name":"Alice","identityKey":"wMHCw8TFxsfIycrLzM3Oz9DR0tPU1dbX2Nna29zd3t8"}',
    );
  });

  it('accepts valid data and drops unknown fields', () => {
    expect(AccountDataSchema.parse({ ...account, extra: 1 })).toEqual(account);
  });

  it.each([
    ['accountId', ''],
    ['accountId', 'not base64url!'],
    ['phone', '15551234567'],
    ['name', ''],
    ['name', 'x'.repeat(65)],
    ['identityKey', 'AAAA'],
  ])('rejects %s = %j', (field, value) => {
    const r = AccountDataSchema.safeParse({ ...account, [field]: value });
    expect(r.success).toBe(false);
    expect(r.error?.issues[0]?.path).toEqual([field]);
  });
});
