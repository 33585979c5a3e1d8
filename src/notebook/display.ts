/**
 * One output with several MIME types, shown in the Jupyter kernel or, outside it, as text.
 *
 * tslab's public `display.raw` sends one MIME type per output; a bundle (text/html plus
 * application/vnd.plotly.v1+json plus text/plain) goes through the kernel's own
 * `lastWriteDisplayData`, which is what `display.raw` calls. The project's kernel
 * (scripts/kernel/tslab-kernel.mjs) sends every message in order and at once, so displays are
 * handed to it directly. Display calls never throw into user code.
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

/** The project kernel's clear_output, when this process is that kernel. */
function kernelClearOutput(): ((wait: boolean) => void) | undefined {
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const jupyter = require("tslab/dist/jupyter") as {
      rnnWorkbookClearOutput?: (wait: boolean) => void;
    };
    return jupyter.rnnWorkbookClearOutput ?? undefined;
  } catch {
    return undefined;
  }
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
    const transient = displayId ? { display_id: displayId } : {};
    send({ data: bundle, metadata, transient }, update);
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
    // a display must never throw into user code
  }
}

/** Shows one output holding every MIME type of `bundle`. */
export function show(bundle: MimeBundle, metadata: Record<string, unknown> = {}): void {
  safeWrite(bundle, metadata, undefined, false);
}

/** Shows a sentence or paragraph written from results, as Markdown (and as plain text). */
export function showMarkdown(text: string): void {
  if (typeof text !== "string")
    throw new Error(`showMarkdown: expected Markdown text as a string (got ${typeof text})`);
  show({ "text/markdown": text, "text/plain": text });
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
 * Clears the cell's outputs so far (Jupyter clear_output); with `wait`, the client clears only
 * when the next output arrives (no flicker). Does nothing outside the project's kernel.
 */
export function clearOutput(wait = false): void {
  try {
    kernelClearOutput()?.(wait);
  } catch {
    // never throw into user code
  }
}

/**
 * Kept for notebooks written for the old display queue: resolves at once. The kernel now sends
 * every output as it is made, so no loop needs to wait for its outputs to leave.
 */
export function flushOutputs(): Promise<void> {
  return Promise.resolve();
}
