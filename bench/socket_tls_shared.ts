/**
 * NOT USED BY THE PEER (a benchmark contender, see `socket_tls_client.ts`). What the two halves of the socket-owning OpenSSL TLS client (`socket_tls_client.ts`, the main
 * thread; `socket_tls_worker.ts`, the worker) share: the layout of the control words and the
 * messages they exchange.
 *
 * @module
 */

/** Indexes into the shared `Int32Array` of control words. */
export const CTRL = {
  /** Slots the main thread has finished with (the worker waits on this one). */
  CONSUMED: 0,
  /** `STATE_OPEN`, `STATE_CLOSING` (the main thread shuts the fd down) or `STATE_FINISHED`. */
  STATE: 1,
  /** The worker's socket, -1 before it has one. */
  FD: 2,
  /** 1 once the main thread's `shutdown` has returned (the worker may close the fd then). */
  SHUT_DONE: 3,
} as const;
export const CONTROL_WORDS = 4;

export const STATE_OPEN = 0;
export const STATE_CLOSING = 1;
export const STATE_FINISHED = 2;

/** How a connection ended, or failed to start. */
export type CloseKind =
  | "eof"
  | "eof-without-notify"
  | "connect"
  | "no-tls"
  | "handshake"
  | "dropped"
  | "closed";

export type MainToWorker =
  | {
    readonly type: "open";
    readonly host: string;
    readonly port: number;
    readonly serverName: string;
    readonly timeoutMs: number;
    readonly control: SharedArrayBuffer;
    readonly ring: SharedArrayBuffer;
    readonly slots: number;
    readonly readBufferBytes: number;
    readonly fillPolicy: "full" | "pending";
    readonly rcvLowatBytes: number;
    readonly readAhead: boolean;
  }
  | { readonly type: "send"; readonly bytes: Uint8Array }
  | { readonly type: "close" };

export type WorkerToMain =
  | { readonly type: "connected"; readonly fingerprint: string }
  | { readonly type: "data"; readonly slot: number; readonly length: number }
  | { readonly type: "end"; readonly kind: CloseKind; readonly message: string }
  | { readonly type: "exited" };
