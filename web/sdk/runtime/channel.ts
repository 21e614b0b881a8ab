// The port after the handshake: every message in and out of the frame.
// It stamps the envelope, keeps each message under the size cap and the
// host's rate limit, matches answers to requests and times them out.
import type { Envelope, WireError } from "../protocol";
import { EXTENSION_SOURCE, MAX_MESSAGE_BYTES, MAX_MESSAGES_PER_SECOND, PLATFORM_SOURCE, REQUEST_TIMEOUT_MS, isEnvelope, utf8Length } from "../protocol";

/** The part of MessagePort the channel uses (tests pass a fake). */
export interface PortLike {
  postMessage(message: unknown): void;
  onmessage: ((event: { data: unknown }) => void) | null;
  start?(): void;
}

export interface Identity {
  appId: string;
  appInstallationId: string;
}

/** An answer that says the request failed. */
export class RequestError extends Error {
  readonly code: string;
  constructor(code: string, message: string) {
    super(message);
    this.name = "RequestError";
    this.code = code;
  }
}

/** Messages over this size are not sent; the sender gets this error. */
export class MessageTooLargeError extends Error {
  constructor(type: string, bytes: number) {
    super(`${type}: the message is ${bytes} bytes, above the ${MAX_MESSAGE_BYTES}-byte limit`);
    this.name = "MessageTooLargeError";
  }
}

type Handler = (msg: Envelope) => void;

interface Pending {
  resolve(data: unknown): void;
  reject(err: Error): void;
  timer: ReturnType<typeof setTimeout>;
}

// Stay a little under the host's limit: its clock and ours differ.
const RATE = Math.floor(MAX_MESSAGES_PER_SECOND * 0.9);

export class Channel {
  private readonly handlers = new Map<string, Handler>();
  private readonly pending = new Map<string, Pending>();
  private readonly sentAt: number[] = [];
  private readonly queue: Envelope[] = [];
  private drainTimer: ReturnType<typeof setTimeout> | null = null;
  private counter = 0;

  constructor(
    private readonly port: PortLike,
    private readonly id: Identity,
    private readonly now: () => number = () => Date.now(),
  ) {
    port.onmessage = (event) => this.receive(event.data);
    port.start?.();
  }

  /** Calls handler for every platform message of type (one per type). */
  on(type: string, handler: Handler): void {
    this.handlers.set(type, handler);
  }

  /** The envelope's size as sent, in bytes. */
  size(type: string, data: unknown, requestId?: string): number {
    return utf8Length(JSON.stringify(this.envelope(type, data, requestId)));
  }

  /** Sends a message; it throws MessageTooLargeError above the cap. */
  send(type: string, data: unknown, requestId?: string): void {
    const env = this.envelope(type, data, requestId);
    const bytes = utf8Length(JSON.stringify(env));
    if (bytes > MAX_MESSAGE_BYTES) throw new MessageTooLargeError(type, bytes);
    this.queue.push(env);
    this.drain();
  }

  /**
   * Sends a request and resolves with the answer's data; it rejects with
   * RequestError("timeout") after 30 s without one.
   */
  request(type: string, data: unknown): Promise<unknown> {
    this.counter += 1;
    const requestId = `${type}-${this.counter}-${Math.random().toString(36).slice(2, 10)}`;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(requestId);
        reject(new RequestError("timeout", `${type}: no answer within ${REQUEST_TIMEOUT_MS / 1000} s`));
      }, REQUEST_TIMEOUT_MS);
      this.pending.set(requestId, { resolve, reject, timer });
      try {
        this.send(type, data, requestId);
      } catch (err) {
        clearTimeout(timer);
        this.pending.delete(requestId);
        reject(err);
      }
    });
  }

  /** Answers the platform's request requestId. */
  answer(type: string, requestId: string | undefined, result: { ok: true } | { ok: false; error: WireError }): void {
    this.send(type, result, requestId);
  }

  private envelope(type: string, data: unknown, requestId?: string): Envelope {
    const env: Envelope = { source: EXTENSION_SOURCE, type, appId: this.id.appId, appInstallationId: this.id.appInstallationId, data };
    if (requestId !== undefined) env.requestId = requestId;
    return env;
  }

  // Sends queued messages while under the rate; the rest wait for the
  // oldest send to leave the one-second window, order kept.
  private drain(): void {
    while (this.queue.length > 0) {
      const t = this.now();
      while (this.sentAt.length > 0 && t - this.sentAt[0] >= 1000) this.sentAt.shift();
      if (this.sentAt.length >= RATE) {
        if (this.drainTimer === null) {
          this.drainTimer = setTimeout(() => {
            this.drainTimer = null;
            this.drain();
          }, Math.max(1, 1000 - (t - this.sentAt[0])));
        }
        return;
      }
      this.sentAt.push(t);
      this.port.postMessage(this.queue.shift());
    }
  }

  private receive(msg: unknown): void {
    if (!isEnvelope(msg) || msg.source !== PLATFORM_SOURCE) return;
    if (msg.appId !== this.id.appId || msg.appInstallationId !== this.id.appInstallationId) return;
    if (msg.type.endsWith("-result") && msg.requestId !== undefined && this.pending.has(msg.requestId)) {
      const p = this.pending.get(msg.requestId)!;
      this.pending.delete(msg.requestId);
      clearTimeout(p.timer);
      p.resolve(msg.data);
      return;
    }
    this.handlers.get(msg.type)?.(msg);
  }
}
