// The Jupyter wire protocol (messaging 5.3) on the kernel's side: parse and sign messages, and
// send them one at a time per socket so that nothing is dropped however fast a cell prints.
import { createHmac, randomBytes } from "node:crypto";

export const PROTOCOL_VERSION = "5.3";
const DELIM = "<IDS|MSG>";

/** hex HMAC-SHA256 of the four JSON parts (an empty key disables signing, as the spec says). */
export function sign(key, parts) {
  if (!key) return "";
  const h = createHmac("sha256", key);
  for (const p of parts) h.update(p);
  return h.digest("hex");
}

/**
 * Parses the frames of one message; returns { identities, header, parent_header, metadata,
 * content, buffers } or throws a one-line error (bad delimiter, bad signature).
 */
export function parseFrames(key, frames) {
  const i = frames.findIndex((f) => f.length === DELIM.length && f.toString() === DELIM);
  if (i < 0 || frames.length < i + 6) throw new Error("message without <IDS|MSG> and 5 parts");
  const [sig, header, parent, metadata, content] = frames
    .slice(i + 1, i + 6)
    .map((f) => f.toString());
  if (sign(key, [header, parent, metadata, content]) !== sig)
    throw new Error("message with a bad HMAC signature");
  return {
    identities: frames.slice(0, i),
    header: JSON.parse(header),
    parent_header: JSON.parse(parent),
    metadata: JSON.parse(metadata),
    content: JSON.parse(content),
    buffers: frames.slice(i + 6),
  };
}

/** A new header for a message of `msgType` in `session`. */
export function newHeader(msgType, session, username = "kernel") {
  return {
    msg_id: randomBytes(16).toString("hex"),
    session,
    username,
    date: new Date().toISOString(),
    msg_type: msgType,
    version: PROTOCOL_VERSION,
  };
}

/** The frames of a message (identities first), signed with `key`. */
export function encodeFrames(key, { identities = [], header, parent, metadata = {}, content }) {
  const parts = [
    JSON.stringify(header),
    JSON.stringify(parent ?? {}),
    JSON.stringify(metadata),
    JSON.stringify(content),
  ];
  return [...identities, DELIM, sign(key, parts), ...parts];
}

/**
 * Sends on one zeromq socket in order, one send at a time. The kernel's sockets are made with
 * sendTimeout 0 and an unlimited high-water mark: zeromq then hands each message to its I/O
 * thread at once (no "Socket is busy writing", nothing dropped at a high-water mark), which also
 * means output leaves while a cell's synchronous loop still runs. A send refused as busy waits in
 * the queue for the next turn of the event loop; a send that fails is counted (`lost`) and
 * reported on the kernel's own stderr, never silently.
 */
export class Sender {
  #sock;
  #queue = [];
  #draining = false;
  #retry = null;
  #last = Promise.resolve();
  lost = 0;
  sent = 0;

  constructor(sock, name, log = (line) => process.stderr.write(line + "\n")) {
    this.#sock = sock;
    this.name = name;
    this.log = log;
  }

  send(frames) {
    this.#queue.push(frames);
    this.#drain();
  }

  #drain() {
    if (this.#draining || this.#retry) return;
    this.#draining = true;
    try {
      while (this.#queue.length > 0) {
        let p;
        try {
          p = this.#sock.send(this.#queue[0]);
        } catch (e) {
          if (e.code === "EBUSY" || e.code === "EAGAIN") {
            this.#retry = this.#last.then(() => {
              this.#retry = null;
              this.#drain();
            });
            return;
          }
          this.#queue.shift();
          this.#fail(e);
          continue;
        }
        this.#queue.shift();
        this.sent += 1;
        this.#last = p.then(
          () => {},
          (e) => this.#fail(e),
        );
      }
    } finally {
      this.#draining = false;
    }
  }

  #fail(e) {
    this.lost += 1;
    this.log(`kernel: a message on ${this.name} was not sent: ${e.message}`);
  }

  /** Resolves once every queued message has been handed to zeromq. */
  async flush() {
    while (this.#queue.length > 0 || this.#retry) {
      await (this.#retry ?? this.#last);
      await new Promise((r) => setImmediate(r));
    }
    await this.#last;
  }
}
