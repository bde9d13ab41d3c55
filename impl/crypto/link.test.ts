import { describe, expect, it } from 'vitest';
import { fromB64u, toB64u } from '../../model/protocol/encoding.js';
import { parseQr, QrPayloadError } from '../../model/protocol/qr-payload.js';
import type { AccountData } from './account.js';
import { CryptoError } from './errors.js';
import { epochKeys } from './key-schedule.js';
import { acceptOffer, approve, makeQr, verifyConfirm } from './link.js';
import { randomBytes } from './random.js';
import { openOp, sealOp } from './relay-seal.js';

const account: AccountData = {
  accountId: toB64u(randomBytes(16)),
  phone: '+447700900123',
  name: 'Bob',
  identityKey: toB64u(randomBytes(32)),
};

async function linkOnce() {
  const ref = toB64u(randomBytes(16));
  const web = await makeQr(ref);
  const scanned = parseQr(web.qr);
  const offer = await approve(scanned, account);
  return { ref, web, scanned, offer };
}

async function rejection(p: Promise<unknown>): Promise<CryptoError> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(CryptoError);
  return err as CryptoError;
}

describe('link crypto end to end [E2E-1..E2E-8]', () => {
  it('web and phone derive the same keys; the web opens the box, the phone accepts the tag', async () => {
    const { ref, web, scanned, offer } = await linkOnce();
    expect(scanned.text.ref).toBe(ref);
    expect(scanned.webPub).toEqual(web.secrets.webPub);
    expect(scanned.linkSecret).toEqual(web.secrets.linkSecret);
    const accepted = await acceptOffer(web.secrets, scanned.ref, offer);
    expect(accepted.account).toEqual(account);
    expect(accepted.keys).toEqual(offer.keys);
    expect(accepted.T).toEqual(offer.T);
    expect(fromB64u(accepted.tag)).toHaveLength(16);
    expect(verifyConfirm(offer.keys, offer.T, offer.box, accepted.tag)).toBe(true);
    expect(verifyConfirm(offer.keys, offer.T, fromB64u(offer.box)!, accepted.tag)).toBe(true);
    // relay under the first epoch works both ways
    const e = randomBytes(16);
    const wk = epochKeys(accepted.keys.kRoot, e);
    const pk = epochKeys(offer.keys.kRoot, e);
    expect(openOp(pk.kW2P, 1, sealOp(wk.kW2P, 1, { op: 'history', limit: 20 }))).toEqual({ op: 'history', limit: 20 });
    expect(openOp(wk.kP2W, 1, sealOp(pk.kP2W, 1, { op: 'history', messages: [], more: false }))).toBeDefined();
  });

  it('[E2E-1] every QR has a fresh key pair and linkSecret', async () => {
    const a = await makeQr(toB64u(randomBytes(16)));
    const b = await makeQr(toB64u(randomBytes(16)));
    expect(a.secrets.webPub).not.toEqual(b.secrets.webPub);
    expect(a.secrets.linkSecret).not.toEqual(b.secrets.linkSecret);
    expect(a.secrets.linkSecret).toHaveLength(32);
  });

  it('[E2E-3] every approval uses a fresh ephemeral key', async () => {
    const { scanned, offer } = await linkOnce();
    const again = await approve(scanned, account);
    expect(again.pub).not.toBe(offer.pub);
    expect(again.box).not.toBe(offer.box);
  });

  it('makeQr refuses a ref that is not base64url of 16..32 bytes', async () => {
    await expect(makeQr('a+b')).rejects.toThrow(QrPayloadError);
    await expect(makeQr(toB64u(randomBytes(15)))).rejects.toMatchObject({ code: 'length', field: 'ref' });
  });

  it('[E2E-3] the phone refuses a QR whose webPub is a low-order point', async () => {
    const { scanned } = await linkOnce();
    const err = await rejection(approve({ ...scanned, webPub: new Uint8Array(32) }, account));
    expect(err.code).toBe('zero_shared_secret');
  });

  it('[E2E-6] the web refuses an offer whose box was tampered with, swapped or is not base64url', async () => {
    const { web, scanned, offer } = await linkOnce();
    const box = fromB64u(offer.box)!;
    box[box.length - 1]! ^= 1;
    expect((await rejection(acceptOffer(web.secrets, scanned.ref, { ...offer, box: toB64u(box) }))).code).toBe(
      'box_does_not_open',
    );
    expect((await rejection(acceptOffer(web.secrets, scanned.ref, { ...offer, box: `${offer.box}=` }))).code).toBe(
      'box_does_not_open',
    );
    // a box made for another web client (another QR) does not open here
    const otherQr = await makeQr(toB64u(scanned.ref));
    const foreign = await approve(parseQr(otherQr.qr), account);
    expect((await rejection(acceptOffer(web.secrets, scanned.ref, { ...offer, box: foreign.box }))).code).toBe(
      'box_does_not_open',
    );
  });

  it('[E2E-6] the web refuses an offer for another ref, another pub, or a bad pub', async () => {
    const { web, scanned, offer } = await linkOnce();
    expect((await rejection(acceptOffer(web.secrets, randomBytes(16), offer))).code).toBe('box_does_not_open');
    const otherPub = toB64u((await makeQr(toB64u(randomBytes(16)))).secrets.webPub);
    expect((await rejection(acceptOffer(web.secrets, scanned.ref, { ...offer, pub: otherPub }))).code).toBe(
      'box_does_not_open',
    );
    expect((await rejection(acceptOffer(web.secrets, scanned.ref, { ...offer, pub: 'AAAA' }))).code).toBe('bad_key');
    expect(
      (await rejection(acceptOffer(web.secrets, scanned.ref, { ...offer, pub: toB64u(new Uint8Array(32)) }))).code,
    ).toBe('zero_shared_secret');
  });

  it('[E2E-8] the phone refuses a tag for another box, a flipped tag, or a malformed tag', async () => {
    const { web, scanned, offer } = await linkOnce();
    const { tag } = await acceptOffer(web.secrets, scanned.ref, offer);
    const again = await approve(scanned, account); // another box on the same QR
    const second = await acceptOffer(web.secrets, scanned.ref, again);
    expect(verifyConfirm(offer.keys, offer.T, offer.box, second.tag)).toBe(false);
    const flipped = fromB64u(tag)!;
    flipped[0]! ^= 1;
    expect(verifyConfirm(offer.keys, offer.T, offer.box, toB64u(flipped))).toBe(false);
    expect(verifyConfirm(offer.keys, offer.T, offer.box, `${tag}=`)).toBe(false);
    expect(verifyConfirm(offer.keys, offer.T, offer.box, '')).toBe(false);
    expect(verifyConfirm(offer.keys, offer.T, 'not base64url!', tag)).toBe(false);
  });
});
