/**
 * One output with several MIME types, shown in the tslab kernel or, outside it, as text.
 *
 * tslab's public `display.raw` sends one MIME type per output; a bundle (text/html plus
 * application/vnd.plotly.v1+json plus text/plain) goes through the kernel's own
 * `lastWriteDisplayData`, which is what `display.raw` calls. Display calls never throw into
 * user code: tslab drops messages sent in bursts, so a failed send is counted, not raised.
 */
import { randomBytes } from "crypto";

/** MIME type → content; must hold "text/plain". */
export type MimeBundle = { "text/plain": string } & Record<string, unknown>;

type WriteDisplayData = (
  data: {
    data: Record<string, unknown>;
    metadata: Record<string, unknown>;
    transient: { display_id?: string };
  },
  update: boolean,
) => void;

/** Where outputs go; replaceable in tests. */
export interface OutputSink {
  /** True inside a Jupyter kernel (rich outputs), false in plain Node (text). */
  readonly rich: boolean;
  write(
    bundle: MimeBundle,
    metadata: Record<string, unknown>,
    displayId: string | undefined,
    update: boolean,
  ): void;
}

function tslabWriter(): WriteDisplayData | undefined {
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const jupyter = require("tslab/dist/jupyter") as {
      lastWriteDisplayData?: WriteDisplayData | null;
    };
    return jupyter.lastWriteDisplayData ?? undefined;
  } catch {
    return undefined;
  }
}

interface Pending {
  send: WriteDisplayData;
  bundle: MimeBundle;
  metadata: Record<string, unknown>;
  displayId: string | undefined;
  update: boolean;
}

// One message to the kernel per turn of the event loop. tslab sends on zeromq without waiting:
// a second send while one is in flight fails ("Socket is busy writing"), tslab reports that
// failure with console.error, which is itself a send, and a long synchronous loop can spiral
// into a crash. So messages queue here, an update replaces a queued update of the same output
// (latest wins), and each keeps the writer of the cell that made it.
const queue: Pending[] = [];
let inFlight = false;

function flush(): void {
  inFlight = false;
  const next = queue.shift();
  if (next) deliver(next);
}

function deliver(m: Pending): void {
  inFlight = true;
  setImmediate(flush);
  const transient = m.displayId ? { display_id: m.displayId } : {};
  m.send({ data: m.bundle, metadata: m.metadata, transient }, m.update);
}

function enqueue(m: Pending): void {
  if (!inFlight) return deliver(m);
  if (m.update) {
    const same = queue.findIndex((q) => q.update && q.displayId === m.displayId);
    if (same >= 0) {
      queue[same] = m;
      return;
    }
  }
  queue.push(m);
}

/** The default sink: the tslab kernel when this process is one, else stdout. */
const kernelSink: OutputSink = {
  get rich() {
    return tslabWriter() !== undefined;
  },
  write(bundle, metadata, displayId, update) {
    const send = tslabWriter();
    if (send === undefined) {
      if (!update) console.log(bundle["text/plain"]);
      return;
    }
    enqueue({ send, bundle, metadata, displayId, update });
  },
};

let sink: OutputSink = kernelSink;

/** Replaces the output sink (tests); returns the previous one. */
export function setOutputSink(next: OutputSink): OutputSink {
  const prev = sink;
  sink = next;
  return prev;
}

/** Whether outputs are rich (a Jupyter kernel) or plain text. */
export function isRich(): boolean {
  return sink.rich;
}

function safeWrite(
  bundle: MimeBundle,
  metadata: Record<string, unknown>,
  id: string | undefined,
  update: boolean,
): void {
  try {
    sink.write(bundle, metadata, id, update);
  } catch {
    // a display must never throw into user code (tslab drops messages it cannot send)
  }
}

/** Shows one output holding every MIME type of `bundle`. */
export function show(bundle: MimeBundle, metadata: Record<string, unknown> = {}): void {
  safeWrite(bundle, metadata, undefined, false);
}

/** An output that can be replaced in place later (Jupyter update_display_data). */
export interface LiveOutput {
  update(bundle: MimeBundle): void;
}

/** Shows `bundle` now and returns a handle that replaces it in place. */
export function showLive(bundle: MimeBundle): LiveOutput {
  const id = randomBytes(8).toString("hex");
  safeWrite(bundle, {}, id, false);
  return { update: (next) => safeWrite(next, {}, id, true) };
}

/** Escapes text for HTML element content and attribute values. */
export function escapeHtml(s: string): string {
  return s.replace(
    /[&<>"']/g,
    (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c] as string,
  );
}

/** JSON safe to put inside a <script> element (no `</script`, no `<!--`). */
export function scriptJson(value: unknown): string {
  return JSON.stringify(value)
    .replace(/</g, "\\u003c")
    .replace(/\u2028/g, "\\u2028")
    .replace(/\u2029/g, "\\u2029");
}

/**
 * Resolves once every queued output has been handed to the kernel. Await it now and then in
 * long synchronous loops (`await rnn.flushOutputs()` once per epoch) so progress shows live.
 */
export function flushOutputs(): Promise<void> {
  return new Promise((resolve) => {
    const check = (): void => {
      if (!inFlight && queue.length === 0) resolve();
      else setImmediate(check);
    };
    setImmediate(check);
  });
}
