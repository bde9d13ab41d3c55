/**
 * Frames as the model sends them: the zod frame types of model/protocol with every made-up value
 * replaced by its abstract name (see ./values.ts). Shapes come from the schemas, never redefined.
 */
import type { PhoneToServer, ServerToPhone } from '../protocol/phone-frames.js';
import type { ServerToWeb, WebToServer } from '../protocol/web-frames.js';
import type { AbsBox, AbsCipher } from './values.js';

type NamedFields = 'ref' | 'sessionId' | 'accountId' | 'token' | 'e' | 'pub' | 'tag' | 'deviceToken' | 'identityKey';

/** A frame type with its made-up values abstracted: `c` and `box` structured, the others named. */
export type Abstract<F> = {
  [K in keyof F]: K extends 'c' ? AbsCipher : K extends 'box' ? AbsBox : K extends NamedFields ? string : F[K];
};

/** The end of a connection, travelling in order behind the frames sent before it. */
export interface CloseMark {
  readonly t: '$close';
  readonly code: number;
}

export type AbsWebToServer = Abstract<WebToServer>;
export type AbsServerToWeb = Abstract<ServerToWeb>;
export type AbsPhoneToServer = Abstract<PhoneToServer>;
export type AbsServerToPhone = Abstract<ServerToPhone>;

/** What may travel up a web connection (web client to server). */
export type WebUp = AbsWebToServer | CloseMark;
/** What may travel down a web connection (server to web client). */
export type WebDown = AbsServerToWeb | CloseMark;
/** What may travel up a phone connection. */
export type PhoneUp = AbsPhoneToServer | CloseMark;
/** What may travel down a phone connection. */
export type PhoneDown = AbsServerToPhone | CloseMark;

/** Any frame of the model. */
export type AnyFrame = WebUp | WebDown | PhoneUp | PhoneDown;

/** Picks the abstract frame type with `t = T` out of a union. */
export type FrameOf<U, T extends string> = Extract<U, { t: T }>;
