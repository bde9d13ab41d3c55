/**
 * A small client of a driver endpoint (DRV-*): sends `{id, cmd, ...}` requests, matches replies
 * by id, and waits for pushed state events. Used by tests; a suite may use it too.
 */
import { WebSocket } from 'ws';

type Message = Record<string, unknown>;

export class DriverClient {
  private readonly inbox: Message[] = [];
  private waiters: (() => void)[] = [];
  private seq = 0;

  private constructor(private readonly ws: WebSocket) {
    ws.on('message', (d) => {
      try {
        this.inbox.push(JSON.parse(d.toString()) as Message);
      } catch {
        return;
      }
      for (const w of this.waiters.splice(0)) w();
    });
  }

  static async open(url: string): Promise<DriverClient> {
    const ws = new WebSocket(url);
    await new Promise((resolve, reject) => {
      ws.once('open', resolve);
      ws.once('error', reject);
    });
    return new DriverClient(ws);
  }

  /** Sends raw text (for malformed-request tests). */
  sendRaw(text: string): void {
    this.ws.send(text);
  }

  /** The first message (now or later) satisfying `pred`, removed from the inbox. */
  async next(pred: (m: Message) => boolean): Promise<Message> {
    for (;;) {
      const i = this.inbox.findIndex(pred);
      if (i >= 0) return this.inbox.splice(i, 1)[0] as Message;
      await new Promise<void>((r) => this.waiters.push(r));
    }
  }

  /** Sends a request (an id is added unless given) and resolves with its reply. */
  async request(req: Message): Promise<Message> {
    const id = req.id ?? `r${++this.seq}`;
    this.ws.send(JSON.stringify({ ...req, id }));
    return this.next((m) => m.id === id && 'ok' in m);
  }

  /** Like `request`, but throws unless the reply is ok; resolves with the state it carries. */
  async command(req: Message): Promise<Message> {
    const reply = await this.request(req);
    if (reply.ok !== true) throw new Error(`${String(req.cmd)} failed: ${JSON.stringify(reply.error)}`);
    return reply.result as Message;
  }

  /** The reply with this id. */
  reply(id: unknown): Promise<Message> {
    return this.next((m) => m.id === id && 'ok' in m);
  }

  /** The first pushed state (now or later) satisfying `pred`. Older events are discarded on the way. */
  async state(pred: (state: Message) => boolean): Promise<Message> {
    const m = await this.next((x) => x.event === 'state' && pred(x.state as Message));
    return m.state as Message;
  }

  close(): void {
    this.ws.close();
  }
}
