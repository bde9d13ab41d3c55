/**
 * The DOM hooks a web client page offers the suite's browser mode (docs/conformance.md, "Checking a
 * browser page"): attributes that carry the web driver state [DRV-7], the controls the driver
 * operates, and the in-page reader that the driver installs in every document it opens. The reader
 * sends a raw snapshot of the hooks to the driver after every batch of DOM mutations (a
 * MutationObserver, so waiting needs no polling); `hook-state.ts` turns a snapshot into a
 * `WebDriverState`.
 */

/** `<body>` attributes, each giving one field of the state object. */
export const BODY_HOOKS = {
  state: 'data-qrlink-state',
  sessionId: 'data-qrlink-session',
  accountId: 'data-qrlink-account',
  accountPhone: 'data-qrlink-account-phone',
  accountName: 'data-qrlink-account-name',
  phoneOnline: 'data-qrlink-phone-online',
  keep: 'data-qrlink-keep',
  tokenStored: 'data-qrlink-token-stored',
  revokedReason: 'data-qrlink-revoked',
  errorCode: 'data-qrlink-error',
  errorDetail: 'data-qrlink-error-detail',
} as const;
export type BodyHook = keyof typeof BODY_HOOKS;

/** The element showing the QR code: its text (or empty) and the `n` of its `qr` frame. */
export const QR_HOOK = 'data-qrlink-qr';
export const QR_N_HOOK = 'data-qrlink-qr-n';

/** Chats: one element per chat, in the state's order. */
export const CHAT_HOOK = 'data-qrlink-chat';
export const CHAT_TITLE_HOOK = 'data-qrlink-title';

/** Messages: one element per message, in the state's order. */
export const MESSAGE_HOOKS = {
  id: 'data-qrlink-message',
  chatId: 'data-qrlink-message-chat',
  from: 'data-qrlink-from',
  text: 'data-qrlink-text',
  at: 'data-qrlink-at',
} as const;

/** Controls: `[data-qrlink-action=logout]` is clicked; the forms get their inputs set and are submitted. */
export const ACTION_HOOK = 'data-qrlink-action';
export const INPUT_HOOK = 'data-qrlink-input';

/** The name of the binding the reader calls with each new snapshot, and of its on-demand reader. */
export const SNAPSHOT_BINDING = '__qrlinkHooks';
export const SNAPSHOT_READER = '__qrlinkSnapshot';

/** What the reader saw, as raw strings (validated in Node, where a failure can name the hook). */
export interface HookSnapshot {
  /** A random id of the document (a navigation starts a new one). */
  readonly doc: string;
  /** Increases with each distinct snapshot of this document. */
  readonly seq: number;
  /** Each `<body>` hook's value, null when the attribute is absent. */
  readonly body: Readonly<Record<BodyHook, string | null>>;
  /** The QR element, or null when no element carries `data-qrlink-qr`. */
  readonly qr: {
    readonly count: number;
    readonly text: string;
    readonly n: string | null;
    /** Its box in page coordinates (CSS pixels), for the screenshot. */
    readonly x: number;
    readonly y: number;
    readonly width: number;
    readonly height: number;
  } | null;
  readonly chats: readonly { readonly chatId: string; readonly title: string | null }[];
  readonly messages: readonly {
    readonly id: string;
    readonly chatId: string | null;
    readonly from: string | null;
    readonly text: string | null;
    readonly at: string | null;
  }[];
}

/**
 * The reader, installed with `addInitScript` before any script of the page runs. It is plain
 * JavaScript text (not a serialized TypeScript function, which a transpiler could decorate with
 * helpers the page lacks). It reports nothing while the document is still loading, so the first
 * snapshot shows what the page's own scripts set up.
 */
export const READER_SCRIPT = `(() => {
  if (window.top !== window || window.${SNAPSHOT_READER}) return;
  const BODY = ${JSON.stringify(BODY_HOOKS)};
  const MSG = ${JSON.stringify(MESSAGE_HOOKS)};
  const doc = Math.random().toString(36).slice(2) + Date.now().toString(36);
  let seq = 0;
  let last = '';
  const read = () => {
    const b = document.body;
    const body = {};
    for (const [k, name] of Object.entries(BODY)) body[k] = b.getAttribute(name);
    const found = document.querySelectorAll('[${QR_HOOK}]');
    let qr = null;
    if (found.length > 0) {
      const el = found[0];
      const r = el.getBoundingClientRect();
      qr = { count: found.length, text: el.getAttribute('${QR_HOOK}'), n: el.getAttribute('${QR_N_HOOK}'),
        x: r.left + window.scrollX, y: r.top + window.scrollY, width: r.width, height: r.height };
    }
    const chats = [...document.querySelectorAll('[${CHAT_HOOK}]')].map((el) => ({
      chatId: el.getAttribute('${CHAT_HOOK}'), title: el.getAttribute('${CHAT_TITLE_HOOK}') }));
    const messages = [...document.querySelectorAll('[' + MSG.id + ']')].map((el) => {
      const m = {};
      for (const [k, name] of Object.entries(MSG)) m[k] = el.getAttribute(name);
      return m;
    });
    return { body, qr, chats, messages };
  };
  const snapshot = () => {
    if (document.readyState === 'loading' || !document.body) return null;
    const s = read();
    const text = JSON.stringify(s);
    if (text !== last) { last = text; seq += 1; }
    return { doc, seq, ...s };
  };
  let sent = 0;
  const push = () => {
    const s = snapshot();
    if (s === null || s.seq === sent) return;
    sent = s.seq;
    window.${SNAPSHOT_BINDING}(s);
  };
  Object.defineProperty(window, '${SNAPSHOT_READER}', { value: () => { push(); return snapshot(); } });
  new MutationObserver(push).observe(document, { subtree: true, childList: true, attributes: true, characterData: true });
  document.addEventListener('DOMContentLoaded', push);
})();`;

/**
 * Sets the form's `data-qrlink-input` fields and submits it, or clicks the action's element: runs in
 * the page (`page.evaluate`), in one task, so the page cannot re-render between setting and
 * submitting. Returns null on success, else the missing hook.
 */
export function operateControl(arg: { action: string; inputs: Record<string, string> }): string | null {
  const el = document.querySelector(`[data-qrlink-action="${arg.action}"]`);
  if (el === null) return `[data-qrlink-action="${arg.action}"]`;
  const names = Object.keys(arg.inputs);
  if (names.length === 0) {
    (el as HTMLElement).click();
    return null;
  }
  if (!(el instanceof HTMLFormElement)) return `form[data-qrlink-action="${arg.action}"]`;
  for (const name of names) {
    const input = el.querySelector(`[data-qrlink-input="${name}"]`);
    if (
      !(input instanceof HTMLInputElement || input instanceof HTMLTextAreaElement || input instanceof HTMLSelectElement)
    )
      return `[data-qrlink-action="${arg.action}"] [data-qrlink-input="${name}"]`;
    input.value = arg.inputs[name] ?? '';
    input.dispatchEvent(new Event('input', { bubbles: true }));
    input.dispatchEvent(new Event('change', { bubbles: true }));
  }
  el.requestSubmit();
  return null;
}
