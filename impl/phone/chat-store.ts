/**
 * The phone's chat history: a few chats with messages, generated deterministically from a seed,
 * served in pages to linked web clients (`history`) and extended by `send` and incoming messages.
 */
import type { ChatMessage, PhoneToWebOp, WebToPhoneOp } from '../../model/protocol/app-ops.js';

export interface Chat {
  chatId: string;
  title: string;
}

type HistoryRequest = Extract<WebToPhoneOp, { op: 'history' }>;
type HistoryPage = Extract<PhoneToWebOp, { op: 'history' }>;

/** Sealed relay payloads hold at most 48 KiB; pages stay well below so the JSON always fits. */
const PAGE_BYTES = 32 * 1024;
/** 2026-01-01T00:00:00Z: the seeded history's first message time. */
const BASE_TIME = 1_767_225_600_000;

const TITLES = ['Alice', 'Bob', 'Family', 'Work', 'Carol', 'Book club'];
const WORDS = [
  'hello',
  'lunch',
  'tomorrow',
  'meeting',
  'see',
  'you',
  'soon',
  'great',
  'thanks',
  'photo',
  'call',
  'later',
  'train',
  'late',
  'coffee',
  'ok',
];

/** mulberry32: a tiny deterministic PRNG (the history must be the same for the same seed). */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface ChatStoreOptions {
  seed?: number;
  /** How many chats (default 3). */
  chats?: number;
  /** Messages per chat (default 8). */
  messagesPerChat?: number;
  /** The phone owner's display name (the `from` of sent messages). */
  owner?: string;
}

export class ChatStore {
  private readonly chatList: Chat[] = [];
  private readonly messages = new Map<string, ChatMessage[]>();
  /** send ids already applied: a re-sent `send` is answered with the same message, not stored twice. */
  private readonly sent = new Map<string, ChatMessage>();
  private seq = 0;
  readonly owner: string;

  constructor(options: ChatStoreOptions = {}) {
    const rand = prng(options.seed ?? 1);
    this.owner = options.owner ?? 'Me';
    const chats = options.chats ?? 3;
    const per = options.messagesPerChat ?? 8;
    let at = BASE_TIME;
    for (let c = 0; c < chats; c++) {
      const chatId = `c${c + 1}`;
      const title = TITLES[c % TITLES.length] + (c >= TITLES.length ? ` ${c + 1}` : '');
      this.chatList.push({ chatId, title });
      const list: ChatMessage[] = [];
      for (let m = 0; m < per; m++) {
        const words = 2 + Math.floor(rand() * 5);
        const text = Array.from({ length: words }, () => WORDS[Math.floor(rand() * WORDS.length)]).join(' ');
        at += 60_000 + Math.floor(rand() * 600_000);
        list.push({ id: `${chatId}m${m + 1}`, chatId, from: rand() < 0.5 ? this.owner : title, text, at });
      }
      this.messages.set(chatId, list);
    }
  }

  chats(): Chat[] {
    return this.chatList.map((c) => ({ ...c }));
  }

  /** Every message of a chat, oldest first. */
  messagesOf(chatId: string): ChatMessage[] {
    return [...(this.messages.get(chatId) ?? [])];
  }

  /**
   * A page of history. Without `chatId`: the chat list and the newest message of each chat. With
   * `chatId`: up to `limit` messages of that chat older than `before` (a message id), oldest first,
   * and `more` when older ones remain. An unknown chat gives an empty page.
   */
  page(req: HistoryRequest): HistoryPage {
    if (req.chatId === undefined) {
      const latest = this.chatList
        .map((c) => this.messages.get(c.chatId)?.at(-1))
        .filter((m): m is ChatMessage => m !== undefined)
        .slice(0, req.limit);
      return this.fit({ op: 'history', chats: this.chats(), messages: latest, more: false });
    }
    const all = this.messages.get(req.chatId) ?? [];
    let end = all.length;
    if (req.before !== undefined) {
      const i = all.findIndex((m) => m.id === req.before);
      end = Math.max(i, 0);
    }
    const start = Math.max(0, end - req.limit);
    return this.fit({ op: 'history', chatId: req.chatId, messages: all.slice(start, end), more: start > 0 });
  }

  /** Drops the oldest messages of a page until its JSON fits one relay frame. */
  private fit(page: HistoryPage): HistoryPage {
    while (page.messages.length > 0 && JSON.stringify(page).length > PAGE_BYTES) {
      page = { ...page, messages: page.messages.slice(1), more: true };
    }
    return page;
  }

  /** Applies a `send` from a web client once per send id; unknown chats are refused (undefined). */
  send(sendId: string, chatId: string, text: string, at: number): { message: ChatMessage; fresh: boolean } | undefined {
    const done = this.sent.get(sendId);
    if (done) return { message: done, fresh: false };
    const message = this.add(chatId, this.owner, text, at);
    if (!message) return undefined;
    this.sent.set(sendId, message);
    return { message, fresh: true };
  }

  /** Adds a message to a chat (an incoming one, or one the owner sent); undefined for an unknown chat. */
  add(chatId: string, from: string, text: string, at: number): ChatMessage | undefined {
    const list = this.messages.get(chatId);
    if (!list) return undefined;
    const message: ChatMessage = { id: `${chatId}n${++this.seq}`, chatId, from, text, at };
    list.push(message);
    return message;
  }
}
