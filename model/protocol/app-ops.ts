/**
 * Application operations carried inside sealed relay frames (the plaintext of `c`;
 * docs/protocol.md section "Application operations"). The server never sees these.
 */
import { z } from 'zod';
import { Millis } from './encoding.js';

const Id = z.string().min(1).max(64);

export const ChatMessage = z.object({
  id: Id,
  chatId: Id,
  from: z.string().min(1).max(64),
  text: z.string().max(4096),
  at: Millis,
});
export type ChatMessage = z.infer<typeof ChatMessage>;
export const Chat = z.object({ chatId: Id, title: z.string().max(128) });

// ---- web -> phone ----
export const HistoryRequest = z.object({
  op: z.literal('history'),
  chatId: Id.optional(),
  before: Id.optional(),
  limit: z.number().int().min(1).max(200),
});
export const SendRequest = z.object({ op: z.literal('send'), id: Id, chatId: Id, text: z.string().min(1).max(4096) });

// ---- phone -> web ----
export const HistoryPage = z.object({
  op: z.literal('history'),
  chats: z.array(Chat).optional(),
  chatId: Id.optional(),
  messages: z.array(ChatMessage),
  more: z.boolean(),
});
export const MessagePush = z.object({ op: z.literal('message'), message: ChatMessage });
export const SentReply = z.object({ op: z.literal('sent'), id: Id, message: ChatMessage });

export const webToPhoneOps = [HistoryRequest, SendRequest] as const;
export const phoneToWebOps = [HistoryPage, MessagePush, SentReply] as const;
export const WebToPhoneOp = z.discriminatedUnion('op', webToPhoneOps);
export type WebToPhoneOp = z.infer<typeof WebToPhoneOp>;
export const PhoneToWebOp = z.discriminatedUnion('op', phoneToWebOps);
export type PhoneToWebOp = z.infer<typeof PhoneToWebOp>;
