// A minimal Jupyter client (messaging protocol 5.3 over zeromq) for the project's kernel
// (scripts/kernel/tslab-kernel.mjs): start it, execute code, collect outputs as nbformat 4
// outputs, shut it down. Every wait has a deadline. A cell is done at its `status: idle`; the
// kernel says in the execute_reply's metadata how many iopub messages it published for the
// cell, and a cell that received fewer is reported as "lost" instead of passing.
import { spawn } from "node:child_process";
import { createHmac, randomUUID } from "node:crypto";
import { mkdtempSync, writeFileSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join, dirname } from "node:path";
import { fileURLToPath } from "node:url";
import * as zmq from "zeromq";

const DELIM = "<IDS|MSG>";
const root = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
export const KERNEL_ENTRY = join(root, "scripts", "kernel", "tslab-kernel.mjs");

/** Kernels started by this process and not yet shut down (for signal handlers). */
const live = new Set();

/** Shuts down every kernel this process started (a runner interrupted or timed out). */
export async function shutdownAll() {
  await Promise.all([...live].map((k) => k.shutdown()));
}

async function freePort() {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** Appends one iopub message to a cell's nbformat outputs; `displays` maps display_id → outputs. */
export function applyIopub(outputs, displays, msgType, content, executionCount) {
  switch (msgType) {
    case "stream": {
      const last = outputs[outputs.length - 1];
      if (last && last.output_type === "stream" && last.name === content.name)
        last.text += content.text;
      else outputs.push({ output_type: "stream", name: content.name, text: content.text });
      break;
    }
    case "display_data":
    case "execute_result": {
      const out =
        msgType === "display_data"
          ? {
              output_type: "display_data",
              data: content.data ?? {},
              metadata: content.metadata ?? {},
            }
          : {
              output_type: "execute_result",
              execution_count: content.execution_count ?? executionCount ?? null,
              data: content.data ?? {},
              metadata: content.metadata ?? {},
            };
      outputs.push(out);
      const id = content.transient?.display_id;
      if (id) (displays.get(id) ?? displays.set(id, []).get(id)).push(out);
      break;
    }
    case "update_display_data": {
      const id = content.transient?.display_id;
      for (const out of displays.get(id) ?? []) {
        out.data = content.data ?? {};
        out.metadata = content.metadata ?? {};
      }
      break;
    }
    case "error":
      outputs.push({
        output_type: "error",
        ename: content.ename,
        evalue: content.evalue,
        traceback: content.traceback ?? [],
      });
      break;
    case "clear_output":
      outputs.length = 0;
      break;
    default:
      break;
  }
}

export class Kernel {
  /**
   * Starts a fresh tslab kernel in `cwd` and waits for its kernel_info_reply.
   * @param {{cwd: string, env?: Record<string,string>, startTimeoutMs?: number}} options
   */
  static async start({ cwd, env = {}, startTimeoutMs = 60_000 }) {
    const k = new Kernel();
    live.add(k);
    try {
      await k.#start(cwd, env, startTimeoutMs);
    } catch (e) {
      await k.shutdown();
      throw e;
    }
    return k;
  }

  #key = randomUUID();
  #session = randomUUID();
  #dir;
  #proc;
  #shell;
  #iopub;
  #control;
  #handlers = new Map(); // msg_id -> { onShell, onIopub }
  #exited = null; // { code, signal }
  #stderr = "";
  #closing = null;

  async #start(cwd, env, startTimeoutMs) {
    this.#dir = mkdtempSync(join(tmpdir(), "rnnwb-kernel-"));
    const ports = {};
    for (const name of ["shell", "iopub", "stdin", "control", "hb"]) ports[name] = await freePort();
    const conn = {
      transport: "tcp",
      ip: "127.0.0.1",
      shell_port: ports.shell,
      iopub_port: ports.iopub,
      stdin_port: ports.stdin,
      control_port: ports.control,
      hb_port: ports.hb,
      signature_scheme: "hmac-sha256",
      key: this.#key,
    };
    const connFile = join(this.#dir, "connection.json");
    writeFileSync(connFile, JSON.stringify(conn));
    this.#proc = spawn(process.execPath, [KERNEL_ENTRY, "--config-path", connFile], {
      cwd,
      env: { ...process.env, ...env, JPY_PARENT_PID: String(process.pid) },
      stdio: ["ignore", "pipe", "pipe"],
    });
    this.#proc.stdout.on("data", () => {});
    this.#proc.stderr.on("data", (d) => (this.#stderr = (this.#stderr + d).slice(-4000)));
    this.#proc.on("exit", (code, signal) => {
      this.#exited = { code, signal };
      for (const h of this.#handlers.values()) h.onExit?.();
    });
    const addr = (p) => `tcp://127.0.0.1:${p}`;
    this.#shell = new zmq.Dealer({ linger: 0 });
    this.#shell.connect(addr(ports.shell));
    this.#control = new zmq.Dealer({ linger: 0 });
    this.#control.connect(addr(ports.control));
    this.#iopub = new zmq.Subscriber({ linger: 0 });
    this.#iopub.connect(addr(ports.iopub));
    this.#iopub.subscribe();
    this.#pump(this.#shell, "onShell");
    this.#pump(this.#control, "onShell");
    this.#pump(this.#iopub, "onIopub");

    // kernel_info until it answers (the first request may be sent before the kernel binds).
    const deadline = Date.now() + startTimeoutMs;
    for (;;) {
      if (this.#exited)
        throw new Error(
          `kernel exited at start (code ${this.#exited.code}): ${this.#stderr.trim().split("\n").pop() ?? ""}`,
        );
      if (Date.now() > deadline)
        throw new Error(`kernel did not answer kernel_info within ${startTimeoutMs / 1000}s`);
      const reply = await this.#request(this.#shell, "kernel_info_request", {}, 2000).catch(
        () => null,
      );
      if (reply) break;
    }
    // the iopub subscription is in place once a status message for our own request arrives
    // (zeromq "slow joiner"): ask until one does
    for (let seen = false; !seen;) {
      if (Date.now() > deadline)
        throw new Error(`kernel published no status within ${startTimeoutMs / 1000}s`);
      const id = await this.#send(this.#shell, "kernel_info_request", {});
      this.#handlers.set(id, { onIopub: () => (seen = true), onShell: () => {} });
      await sleep(100);
      this.#handlers.delete(id);
    }
  }

  #lastMessageAt = Date.now();

  /** Resolves once no message has arrived for `quietMs` (at most `maxMs`): late output is in. */
  async settle(quietMs = 300, maxMs = 5000) {
    const end = Date.now() + maxMs;
    while (Date.now() - this.#lastMessageAt < quietMs && Date.now() < end) await sleep(50);
  }

  async #pump(sock, kind) {
    try {
      for await (const frames of sock) {
        const msg = this.#parse(frames);
        if (!msg) continue;
        this.#lastMessageAt = Date.now();
        const h = this.#handlers.get(msg.parent_header?.msg_id);
        h?.[kind]?.(msg);
      }
    } catch {
      // socket closed
    }
  }

  #sign(parts) {
    const h = createHmac("sha256", this.#key);
    for (const p of parts) h.update(p);
    return h.digest("hex");
  }

  #parse(frames) {
    const i = frames.findIndex((f) => f.toString() === DELIM);
    if (i < 0 || frames.length < i + 6) return null;
    const [sig, header, parent, metadata, content] = frames
      .slice(i + 1, i + 6)
      .map((f) => f.toString());
    if (this.#sign([header, parent, metadata, content]) !== sig) return null;
    return {
      header: JSON.parse(header),
      parent_header: JSON.parse(parent),
      metadata: JSON.parse(metadata),
      content: JSON.parse(content),
    };
  }

  async #send(sock, msgType, content) {
    const header = {
      msg_id: randomUUID(),
      session: this.#session,
      username: "rnn-workbook",
      date: new Date().toISOString(),
      msg_type: msgType,
      version: "5.3",
    };
    const parts = [JSON.stringify(header), "{}", "{}", JSON.stringify(content)];
    await sock.send([DELIM, this.#sign(parts), ...parts]);
    return header.msg_id;
  }

  /** Sends a request and resolves with the reply's content, or rejects after `timeoutMs`. */
  #request(sock, msgType, content, timeoutMs) {
    return new Promise((resolve, reject) => {
      let id;
      const timer = setTimeout(() => {
        this.#handlers.delete(id);
        reject(new Error(`${msgType}: no reply within ${timeoutMs} ms`));
      }, timeoutMs);
      this.#send(sock, msgType, content).then((msgId) => {
        id = msgId;
        this.#handlers.set(id, {
          onShell: (msg) => {
            clearTimeout(timer);
            this.#handlers.delete(id);
            resolve(msg.content);
          },
        });
      }, reject);
    });
  }

  /**
   * Executes code; resolves with { status: "ok"|"error"|"timeout"|"died"|"lost", executionCount,
   * outputs (nbformat), error: { ename, evalue } | null, errorText }. `displays` carries display
   * ids across cells.
   */
  execute(code, { timeoutMs = 600_000, displays = new Map() } = {}) {
    return new Promise((resolve) => {
      const outputs = [];
      const stderr = [];
      let id;
      let reply = null;
      let received = 0; // iopub messages for this cell before its idle (status excluded)
      let finished = false;
      const finish = (status, extra = {}) => {
        if (finished) return;
        finished = true;
        clearTimeout(timeout);
        // output may follow the idle (a timer in the cell; Jupyter allows it): add it to the cell
        this.#handlers.set(id, {
          onIopub: (msg) =>
            msg.header.msg_type !== "status" &&
            applyIopub(outputs, displays, msg.header.msg_type, msg.content, reply?.execution_count),
        });
        const error =
          reply?.status === "error"
            ? { ename: reply.ename ?? "Error", evalue: reply.evalue ?? "" }
            : null;
        resolve({
          status,
          executionCount: reply?.execution_count ?? null,
          outputs,
          error,
          errorText: stderr.join("").trim(),
          ...extra,
        });
      };
      const done = () => {
        const counts = reply.metadata?.["rnn-workbook"];
        if (counts && (counts.iopub !== received || counts.lost > 0))
          return finish("lost", {
            lostText: `outputs lost: the kernel published ${counts.iopub} message(s) for this cell, ${received} arrived${counts.lost ? ` (${counts.lost} failed to send)` : ""}`,
          });
        const s = reply.content.status;
        finish(s === "ok" ? "ok" : s === "aborted" ? "aborted" : "error");
      };
      let idle = false;
      const timeout = setTimeout(() => finish("timeout"), timeoutMs);
      this.#send(this.#shell, "execute_request", {
        code,
        silent: false,
        store_history: true,
        user_expressions: {},
        allow_stdin: false,
        stop_on_error: true,
      }).then((msgId) => {
        id = msgId;
        this.#handlers.set(id, {
          onShell: (msg) => {
            reply = { ...msg.content, content: msg.content, metadata: msg.metadata };
            if (idle) done();
          },
          onIopub: (msg) => {
            const t = msg.header.msg_type;
            if (t === "status") {
              if (msg.content.execution_state === "idle") {
                idle = true;
                if (reply) done();
              }
              return;
            }
            received += 1;
            if (t === "stream" && msg.content.name === "stderr") stderr.push(msg.content.text);
            applyIopub(outputs, displays, t, msg.content, reply?.execution_count);
          },
          onExit: () =>
            finish("died", {
              errorText: `kernel died (exit ${this.#exited?.code ?? this.#exited?.signal}): ${this.#deathCause()}`,
            }),
        });
        if (this.#exited) finish("died", { errorText: "kernel is not running" });
      });
    });
  }

  /** The kernel's own last words: the first error line in its stderr, else its last line. */
  #deathCause() {
    const lines = this.#stderr
      .split("\n")
      .map((l) => l.trim())
      .filter(Boolean);
    return lines.find((l) => /(Error|Exception|FATAL|Abort)/.test(l)) ?? lines.pop() ?? "no output";
  }

  /** Sends SIGINT to the kernel (what Jupyter's interrupt does for interrupt_mode "signal"). */
  interrupt() {
    if (this.#proc && !this.#exited) this.#proc.kill("SIGINT");
  }

  /** { code, signal } once the kernel process has exited, else null. */
  get exitInfo() {
    return this.#exited;
  }

  /** The kernel's process id and its connection file's folder. */
  get pid() {
    return this.#proc?.pid;
  }

  get connectionDir() {
    return this.#dir;
  }

  /** Asks the kernel to shut down, kills it if it has not exited within 2 s; removes its files. */
  shutdown() {
    // one shutdown, however many callers (the runner's cell loop and a signal handler): each
    // awaits the same one, so nobody exits before the connection files are removed
    this.#closing ??= this.#shutdownOnce().finally(() => live.delete(this));
    return this.#closing;
  }

  async #shutdownOnce() {
    if (this.#proc && !this.#exited) {
      if (this.#control)
        await this.#request(this.#control, "shutdown_request", { restart: false }, 1000).catch(
          () => null,
        );
      for (let i = 0; i < 40 && !this.#exited; i++) await sleep(50);
      if (!this.#exited) {
        this.#proc.kill("SIGKILL");
        for (let i = 0; i < 40 && !this.#exited; i++) await sleep(50);
      }
    }
    for (const s of [this.#shell, this.#iopub, this.#control]) s?.close();
    if (this.#dir) rmSync(this.#dir, { recursive: true, force: true });
  }
}
