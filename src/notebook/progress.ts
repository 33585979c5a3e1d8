/**
 * A progress display that updates one output in place: count, throughput and ETA.
 *
 * Updates are throttled (tslab drops messages sent in bursts) and never throw into the
 * training loop. Outside a kernel only the final line is printed.
 */
import { escapeHtml, isRich, MimeBundle, show, showLive, LiveOutput } from "./display";

export interface ProgressOptions {
  /** Number of steps expected. */
  total: number;
  /** What is being counted, shown before the bar. */
  label?: string;
  /** Unit for the throughput, e.g. "step" or "char". */
  unit?: string;
  /** Minimum time between two displayed updates. */
  minIntervalMs?: number;
  /** Clock in ms (tests inject one). */
  now?: () => number;
}

export interface Progress {
  /** Advances by `n` steps; `note` (e.g. "loss 1.93") is shown after the counts. */
  tick(n?: number, note?: string): void;
  /** Marks the end and shows the final state whatever the throttle says. */
  done(note?: string): void;
  /** Steps done so far. */
  readonly count: number;
  /** Updates actually sent (throttled). */
  readonly updates: number;
}

function duration(s: number): string {
  if (!Number.isFinite(s)) return "?";
  if (s < 60) return `${s.toFixed(s < 10 ? 1 : 0)}s`;
  const m = Math.floor(s / 60);
  return m < 60
    ? `${m}m${String(Math.round(s % 60)).padStart(2, "0")}s`
    : `${Math.floor(m / 60)}h${String(m % 60).padStart(2, "0")}m`;
}

/** The bundle for a given state (pure; exported for tests). */
export function progressBundle(
  label: string,
  unit: string,
  count: number,
  total: number,
  elapsedS: number,
  note: string,
  finished: boolean,
): MimeBundle {
  const frac = total > 0 ? Math.min(1, count / total) : 1;
  const rate = elapsedS > 0 ? count / elapsedS : 0;
  const eta = rate > 0 ? (total - count) / rate : Infinity;
  const timing = finished ? `${duration(elapsedS)} total` : `ETA ${duration(eta)}`;
  const rateText = rate >= 100 ? rate.toFixed(0) : rate.toPrecision(3);
  const text = `${label ? label + " " : ""}${count}/${total} (${(frac * 100).toFixed(0)}%) ${rateText} ${unit}/s ${timing}${note ? " · " + note : ""}`;
  const width = (frac * 100).toFixed(1);
  const html =
    `<div class="rnnwb-progress" style="font-family:monospace">` +
    `<div style="display:inline-block;width:240px;height:10px;border:1px solid #999;vertical-align:middle">` +
    `<div style="width:${width}%;height:100%;background:${finished ? "#4c9a2a" : "#3b7dd8"}"></div></div> ` +
    `${escapeHtml(text)}</div>`;
  return { "text/html": html, "text/plain": text };
}

/** Starts a progress display: `const p = progress({ total: epochs, unit: "epoch" }); p.tick(); p.done()`. */
export function progress({
  total,
  label = "",
  unit = "it",
  minIntervalMs = 200,
  now = () => Date.now(),
}: ProgressOptions): Progress {
  if (!Number.isFinite(total) || total < 0)
    throw new Error(`progress: total must be a non-negative number (got ${total})`);
  const start = now();
  let count = 0;
  let updates = 0;
  let last = -Infinity;
  let note = "";
  let out: LiveOutput | undefined;
  const rich = isRich();
  const render = (finished: boolean) =>
    progressBundle(label, unit, count, total, (now() - start) / 1000, note, finished);
  if (rich) out = showLive(render(false));
  return {
    tick(n = 1, nextNote?: string) {
      try {
        count += n;
        if (nextNote !== undefined) note = nextNote;
        const t = now();
        if (out && t - last >= minIntervalMs) {
          last = t;
          updates += 1;
          out.update(render(false));
        }
      } catch {
        // a progress display must never stop training
      }
    },
    done(finalNote?: string) {
      try {
        if (finalNote !== undefined) note = finalNote;
        updates += 1;
        if (out) out.update(render(true));
        else show(render(true));
      } catch {
        // never throw into user code
      }
    },
    get count() {
      return count;
    },
    get updates() {
      return updates;
    },
  };
}
