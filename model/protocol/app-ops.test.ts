/**
 * Every application operation (the plaintext inside sealed relay frames [E2E-12]), both directions:
 * one valid sample each (accepted, unknown fields dropped [TR-4]) and invalid variants refused.
 * A receiver that opens a frame parses its plaintext with these channels.
 */
import { describe, expect, it } from 'vitest';
import { PhoneToWebOp, WebToPhoneOp } from './app-ops.js';
import { describeChannel } from './channel-table.harness.js';

const message = { id: 'm-17', chatId: 'c-1', from: '+15551234567', text: 'see you at 8', at: 1_700_000_000_000 };

describeChannel('web-to-phone-op', {
  samples: {
    history: { op: 'history', chatId: 'c-1', before: 'm-17', limit: 50 },
    send: { op: 'send', id: 'm-18', chatId: 'c-1', text: 'on my way' },
  },
  optional: { history: ['chatId', 'before'] },
  invalid: [
    ['history', 'limit = 0', { limit: 0 }, 'limit'],
    ['history', 'limit = 201', { limit: 201 }, 'limit'],
    ['history', 'a fractional limit', { limit: 2.5 }, 'limit'],
    ['history', 'an empty chatId', { chatId: '' }, 'chatId'],
    ['history', 'a before of 65 characters', { before: 'b'.repeat(65) }, 'before'],
    ['send', 'an empty text', { text: '' }, 'text'],
    ['send', 'a text of 4097 characters', { text: 't'.repeat(4097) }, 'text'],
    ['send', 'a chatId of 65 characters', { chatId: 'c'.repeat(65) }, 'chatId'],
    ['send', 'an empty id', { id: '' }, 'id'],
  ],
});

describeChannel('phone-to-web-op', {
  samples: {
    history: {
      op: 'history',
      chats: [{ chatId: 'c-1', title: 'Alice' }],
      chatId: 'c-1',
      messages: [message],
      more: false,
    },
    message: { op: 'message', message },
    sent: { op: 'sent', id: 'm-18', message: { ...message, id: 'm-18', text: 'on my way' } },
  },
  optional: { history: ['chats', 'chatId'] },
  invalid: [
    ['history', 'a message with a negative at', { messages: [{ ...message, at: -1 }] }, 'messages.0.at'],
    ['history', 'a message without from', { messages: [{ ...message, from: undefined }] }, 'messages.0.from'],
    [
      'history',
      'a chat title of 129 characters',
      { chats: [{ chatId: 'c', title: 't'.repeat(129) }] },
      'chats.0.title',
    ],
    ['history', 'a chat without chatId', { chats: [{ title: 'x' }] }, 'chats.0.chatId'],
    ['message', 'a text of 4097 characters', { message: { ...message, text: 't'.repeat(4097) } }, 'message.text'],
    ['message', 'a fractional at', { message: { ...message, at: 1.5 } }, 'message.at'],
    ['sent', 'a message with an empty chatId', { message: { ...message, chatId: '' } }, 'message.chatId'],
  ],
});

describe('app ops: the discriminated unions agree with the catalogue', () => {
  it('WebToPhoneOp and PhoneToWebOp parse the ops of their own direction only', () => {
    expect(WebToPhoneOp.parse({ op: 'send', id: 'm', chatId: 'c', text: 'x', extra: 1 })).toStrictEqual({
      op: 'send',
      id: 'm',
      chatId: 'c',
      text: 'x',
    });
    expect(PhoneToWebOp.safeParse({ op: 'message', message }).success).toBe(true);
    expect(PhoneToWebOp.safeParse({ op: 'send', id: 'm', chatId: 'c', text: 'x' }).success).toBe(false);
  });

  it('accepts a message with an empty text (a received message may be empty) but not an empty send', () => {
    expect(PhoneToWebOp.safeParse({ op: 'message', message: { ...message, text: '' } }).success).toBe(true);
    expect(WebToPhoneOp.safeParse({ op: 'send', id: 'm', chatId: 'c', text: '' }).success).toBe(false);
  });
});
