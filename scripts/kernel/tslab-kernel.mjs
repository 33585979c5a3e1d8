#!/usr/bin/env node
// The project's Jupyter kernel: tslab's TypeScript converter and executor (unchanged, from
// node_modules/tslab) behind a protocol layer of our own on zeromq.
//   node scripts/kernel/tslab-kernel.mjs [--config-path] CONNECTION_FILE
// Why not tslab's own layer (tslab 1.0.22, dist/jupyter.js): it sends without waiting, so bursts
// are dropped ("Socket is busy writing"); it sends no execute_result and no error message, answers
// `abort`, has no history, and its TypeScript watch program dies when files it read change
// ("Unexpected pending rebuildTimer", e.g. `npm run build` while a notebook runs). See README.
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { format, inspect, TextDecoder } from "node:util";
import * as zmq from "zeromq";
import { Sender, parseFrames, encodeFrames, newHeader, PROTOCOL_VERSION } from "./wire.mjs";
import {
  CellSources,
  cellScriptName,
  thrownToError,
  diagnosticsToError,
  globToRegExp,
} from "./errors.mjs";

const root = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
const tslabRequire = createRequire(join(root, "node_modules", "tslab", "dist", "main.js"));
const realStderr = process.stderr.write.bind(process.stderr);
const realStdout = process.stdout.write.bind(process.stdout);
const klog = (line) => realStderr(`[rnn-workbook kernel] ${line}\n`);

/** Coalesced stream text is sent at least this often, and in pieces of at most this size. */
const STREAM_FLUSH_MS = 30;
const STREAM_MAX_CHARS = 512 * 1024;
/** Fault injection for the runner's tests: drop (but count) the first stream message of a cell. */
const TEST_DROP_STREAM = process.env.RNNWB_KERNEL_TEST_DROP_STREAM === "1";

function parseArgs(argv) {
  const i = argv.indexOf("--config-path");
  const path = i >= 0 ? argv[i + 1] : argv.find((a) => !a.startsWith("--"));
  if (!path)
    throw new Error(
      "usage: tslab-kernel.mjs [--config-path] CONNECTION_FILE (a Jupyter connection file)",
    );
  return { configPath: path };
}

// TypeScript's watch program (inside tslab's converter) polls every file it read and, when one
// changes, schedules rebuilds on timers that tslab's converter cannot have two of at once:
// rebuilding dist/ under a running kernel then throws "Unexpected pending rebuildTimer" and kills
// it. The kernel compiles against the files as they were when first read (and node's require
// cache runs the code as first loaded): restart the kernel to pick up a rebuilt library.
function disableFileWatching() {
  const ts = tslabRequire("@tslab/typescript-for-tslab");
  const none = () => ({ close() {} });
  ts.sys.watchFile = none;
  ts.sys.watchDirectory = none;
  return ts;
}

class Kernel {
  #conn;
  #key;
  #session = newHeader("", "").msg_id;
  #sockets = {};
  #senders = {};
  #executor;
  #handler; // tslab's JupyterHandlerImpl, for is_complete / inspect / complete
  #ts;
  #parent = null; // the execute_request whose outputs are being published
  #stream = null; // { name, parent, text, since }
  #streamTimer = null;
  #counts = new Map(); // parent msg_id -> iopub messages published for it (status excluded)
  #queue = []; // execute requests waiting: { msg, sender, aborted }
  #running = false;
  #abortWindow = false;
  #count = 0;
  #runId = 0;
  #cell = null; // { id, label } of the cell being compiled/run
  #log = null; // what the executor reported for the running cell
  #cells = new CellSources();
  #history = []; // { line, input, output }
  #closing = false;

  constructor(configPath) {
    this.#conn = JSON.parse(readFileSync(configPath, "utf8"));
    this.#key = this.#conn.key ?? "";
    if (this.#conn.signature_scheme && this.#conn.signature_scheme !== "hmac-sha256")
      throw new Error(`unsupported signature_scheme ${this.#conn.signature_scheme}`);
    this.#ts = disableFileWatching();
    const { createConverter } = tslabRequire("./converter");
    const { createExecutor } = tslabRequire("./executor");
    const { JupyterHandlerImpl } = tslabRequire("./jupyter");
    const convs = this.#converters(createConverter);
    void convs.node; // warm the converter (several hundred ms) before the first cell
    this.#executor = createExecutor(process.cwd(), convs, this.#executorConsole());
    this.#handler = new JupyterHandlerImpl(this.#executor, false);
  }

  /** tslab's converters, each compiled cell named `rnnwb-cell-N.js` for tracebacks. */
  #converters(createConverter) {
    const make = (isBrowser) => {
      const conv = createConverter({ isJS: false, isBrowser });
      const convert = conv.convert;
      conv.convert = (prevDecl, src) => {
        const r = convert(prevDecl, src);
        if (r.output && this.#cell) {
          this.#cells.add(this.#cell.id, src, r.output, this.#cell.label);
          r.output += `\n//# sourceURL=${cellScriptName(this.#cell.id)}`;
        }
        return r;
      };
      return conv;
    };
    const convs = {
      _node: null,
      _browser: null,
      get node() {
        return (this._node ??= make(false));
      },
      get browser() {
        return (this._browser ??= make(true));
      },
      close() {
        this._node?.close();
        this._browser?.close();
      },
    };
    return convs;
  }

  /**
   * The `console` tslab's executor reports through: log(value) is a cell's last expression,
   * error(e) a thrown value, error("%s%d:%d - %s", file, line, col, text) a diagnostic.
   */
  #executorConsole() {
    return {
      log: (value) => {
        if (this.#log) {
          this.#log.hasValue = true;
          this.#log.value = value;
        } else this.#writeStream("stdout", format(value) + "\n");
      },
      error: (...args) => {
        if (this.#log && args[0] === "%s%d:%d - %s" && args.length === 5)
          this.#log.diags.push({
            file: String(args[1]).trim() || null,
            line: args[2],
            col: args[3],
            message: args[4],
          });
        else if (this.#log && args.length === 1) this.#log.thrown.push(args[0]);
        else this.#writeStream("stderr", format(...args) + "\n");
      },
    };
  }

  async start() {
    const c = this.#conn;
    const opts = { sendHighWaterMark: 0, sendTimeout: 0, linger: 2000 };
    const s = (this.#sockets = {
      iopub: new zmq.Publisher(opts),
      shell: new zmq.Router(opts),
      control: new zmq.Router(opts),
      stdin: new zmq.Router(opts),
      hb: new zmq.Reply({ linger: 0 }),
    });
    for (const name of ["iopub", "shell", "control"])
      this.#senders[name] = new Sender(s[name], name, klog);
    const addr = (port) =>
      c.transport === "ipc" ? `ipc://${c.ip}-${port}` : `${c.transport}://${c.ip}:${port}`;
    await Promise.all([
      s.iopub.bind(addr(c.iopub_port)),
      s.shell.bind(addr(c.shell_port)),
      s.control.bind(addr(c.control_port)),
      s.stdin.bind(addr(c.stdin_port)),
      s.hb.bind(addr(c.hb_port)),
    ]);
    this.#installOutputHooks();
    this.#listen(s.shell, "shell");
    this.#listen(s.control, "control");
    (async () => {
      try {
        for await (const frames of s.hb) await s.hb.send(frames);
      } catch {
        // closed at shutdown
      }
    })();
  }

  #installOutputHooks() {
    const decoder = new TextDecoder();
    const hook = (name) => (chunk, encoding, cb) => {
      const text = typeof chunk === "string" ? chunk : decoder.decode(chunk);
      this.#writeStream(name, text);
      const done = typeof encoding === "function" ? encoding : cb;
      if (typeof done === "function") process.nextTick(done);
      return true;
    };
    process.stdout.write = hook("stdout");
    process.stderr.write = hook("stderr");
    const jupyter = tslabRequire("./jupyter");
    // tslab's display API (and the library's rnn.show/plot/progress) send through this
    jupyter.lastWriteDisplayData = (d, update) => {
      const content = {
        data: d?.data ?? {},
        metadata: d?.metadata ?? {},
        transient: d?.transient ?? {},
      };
      this.#publish(update ? "update_display_data" : "display_data", content);
    };
    // clear_output, used by the library's rnn.clearOutput()
    jupyter.rnnWorkbookClearOutput = (wait = false) => this.#publish("clear_output", { wait });
  }

  async #listen(sock, channel) {
    try {
      for await (const frames of sock) {
        let msg;
        try {
          msg = parseFrames(this.#key, frames);
        } catch (e) {
          klog(`dropped a ${channel} message: ${e.message}`);
          continue;
        }
        this.#dispatch(channel, msg).catch((e) => klog(`${msg.header.msg_type}: ${e.stack ?? e}`));
      }
    } catch (e) {
      if (!this.#closing) klog(`${channel} socket failed: ${e.message}`);
    }
  }

  // --- sending ---------------------------------------------------------------------------

  #dropped = new Set();

  #send(channel, parent, msgType, content, metadata = {}) {
    if (this.#closing && channel === "iopub" && msgType !== "status") return;
    if (TEST_DROP_STREAM && msgType === "stream" && !this.#dropped.has(parent.header.msg_id))
      return void this.#dropped.add(parent.header.msg_id);
    const frames = encodeFrames(this.#key, {
      identities: channel === "iopub" ? [Buffer.from(msgType)] : parent.identities,
      header: newHeader(msgType, this.#session),
      parent: parent?.header ?? {},
      metadata,
      content,
    });
    this.#senders[channel].send(frames);
  }

  /** Publishes one output (or clear_output) for the current cell, after any pending stream text. */
  #publish(msgType, content, parent = this.#parent) {
    if (parent === null) {
      if (msgType === "display_data") realStdout(`${content.data?.["text/plain"] ?? ""}\n`);
      return;
    }
    this.#flushStream();
    this.#count1(parent);
    this.#send("iopub", parent, msgType, content);
  }

  #count1(parent) {
    const id = parent.header.msg_id;
    this.#counts.set(id, (this.#counts.get(id) ?? 0) + 1);
  }

  #status(state, parent) {
    this.#flushStream();
    this.#send("iopub", parent, "status", { execution_state: state });
  }

  #writeStream(name, text) {
    if (text === "") return;
    const parent = this.#parent;
    if (parent === null || this.#closing) {
      (name === "stdout" ? realStdout : realStderr)(text);
      return;
    }
    if (this.#stream && (this.#stream.name !== name || this.#stream.parent !== parent))
      this.#flushStream();
    if (!this.#stream) {
      this.#stream = { name, parent, text: "", since: Date.now() };
      this.#streamTimer = setTimeout(() => this.#flushStream(), STREAM_FLUSH_MS);
    }
    this.#stream.text += text;
    // checked here too, so text leaves while a synchronous loop prints (timers cannot fire then)
    if (
      this.#stream.text.length >= STREAM_MAX_CHARS ||
      Date.now() - this.#stream.since >= STREAM_FLUSH_MS
    )
      this.#flushStream();
  }

  #flushStream() {
    const s = this.#stream;
    if (!s) return;
    this.#stream = null;
    clearTimeout(this.#streamTimer);
    this.#streamTimer = null;
    for (let i = 0; i < s.text.length; i += STREAM_MAX_CHARS) {
      this.#count1(s.parent);
      this.#send("iopub", s.parent, "stream", {
        name: s.name,
        text: s.text.slice(i, i + STREAM_MAX_CHARS),
      });
    }
  }

  // --- requests --------------------------------------------------------------------------

  async #dispatch(channel, msg) {
    const type = msg.header.msg_type;
    if (type === "execute_request" && channel === "shell") {
      this.#queue.push({ msg, aborted: this.#abortWindow });
      return this.#drainQueue();
    }
    this.#status("busy", msg);
    try {
      this.#handleOther(channel, msg, type);
    } finally {
      this.#status("idle", msg);
    }
    if (type === "shutdown_request") await this.shutdown(0);
  }

  #reply(channel, msg, content, metadata = {}) {
    this.#send(channel, msg, msg.header.msg_type.replace(/_request$/, "_reply"), content, metadata);
  }

  #handleOther(channel, msg, type) {
    const c = msg.content ?? {};
    switch (type) {
      case "kernel_info_request":
        return this.#reply(channel, msg, this.#kernelInfo());
      case "is_complete_request":
        return this.#reply(channel, msg, this.#handler.handleIsComplete(c));
      case "inspect_request":
        return this.#reply(channel, msg, this.#handler.handleInspect(c));
      case "complete_request":
        return this.#reply(channel, msg, this.#handler.handleComplete(c));
      case "history_request":
        return this.#reply(channel, msg, { status: "ok", history: this.#historyFor(c) });
      case "comm_info_request":
        return this.#reply(channel, msg, { status: "ok", comms: {} });
      case "interrupt_request":
        this.#executor.interrupt();
        return this.#reply(channel, msg, { status: "ok" });
      case "shutdown_request":
        return this.#reply(channel, msg, { status: "ok", restart: Boolean(c.restart) });
      case "comm_open":
      case "comm_msg":
      case "comm_close":
        return undefined; // no comms (widgets) in this kernel
      default:
        klog(`unsupported request ${type} on ${channel}`);
        if (type.endsWith("_request"))
          this.#reply(channel, msg, {
            status: "error",
            ename: "NotImplementedError",
            evalue: `${type} is not supported by this kernel`,
            traceback: [],
          });
        return undefined;
    }
  }

  #kernelInfo() {
    const pkg = JSON.parse(readFileSync(join(root, "package.json"), "utf8"));
    return {
      status: "ok",
      protocol_version: PROTOCOL_VERSION,
      implementation: "rnn-workbook-tslab",
      implementation_version: pkg.version,
      language_info: {
        name: "typescript",
        version: this.#ts.version,
        mimetype: "text/typescript",
        file_extension: ".ts",
        codemirror_mode: { mode: "typescript", name: "javascript", typescript: true },
      },
      banner: `TypeScript ${this.#ts.version} (tslab ${tslabRequire("../package.json").version}, node ${process.version}) — rnn-workbook kernel`,
      help_links: [],
      debugger: false,
    };
  }

  /** history_reply entries: [session, line, input] or [session, line, [input, output]]. */
  #historyFor({
    hist_access_type: kind,
    output = false,
    n,
    start = 0,
    stop,
    session,
    pattern,
    unique,
  }) {
    const SESSION = 1;
    const entry = (h) => [SESSION, h.line, output ? [h.input, h.output] : h.input];
    let items = this.#history;
    if (kind === "range") {
      if (session !== undefined && session !== 0 && session !== SESSION) return [];
      const end = stop ?? Infinity;
      items = items.filter((h) => h.line >= start && h.line < end);
    } else if (kind === "search") {
      const re = globToRegExp(pattern ?? "*");
      items = items.filter((h) => re.test(h.input));
      if (unique) {
        // the latest occurrence of each input, in history order
        const last = new Map(items.map((h) => [h.input, h]));
        items = items.filter((h) => last.get(h.input) === h);
      }
      if (n !== undefined && n !== null && n > 0) items = items.slice(-n);
    } else if (kind === "tail") {
      items = n ? items.slice(-n) : items;
    } else return [];
    return items.map(entry);
  }

  // --- execution -------------------------------------------------------------------------

  async #drainQueue() {
    if (this.#running) return;
    this.#running = true;
    try {
      while (this.#queue.length > 0) {
        const item = this.#queue.shift();
        if (item.aborted) this.#abort(item.msg);
        else await this.#execute(item.msg);
      }
    } finally {
      this.#running = false;
    }
  }

  #abort(msg) {
    this.#status("busy", msg);
    this.#reply("shell", msg, { status: "aborted" });
    this.#status("idle", msg);
  }

  async #execute(msg) {
    const { code = "", silent = false, store_history = true, stop_on_error = true } = msg.content;
    const store = store_history && !silent;
    if (store) this.#count += 1;
    const label = this.#count;
    this.#parent = msg;
    this.#counts.set(msg.header.msg_id, 0);
    this.#status("busy", msg);
    if (!silent) this.#publish("execute_input", { code, execution_count: label });
    const log = (this.#log = { thrown: [], diags: [], hasValue: false, value: undefined });
    this.#cell = { id: ++this.#runId, label };
    let ok;
    try {
      ok = await this.#executor.execute(code);
    } catch (e) {
      ok = false;
      log.thrown.push(e);
    } finally {
      this.#log = null;
      this.#cell = null;
      rearmSigint(); // node's breakOnSigint can leave the SIGINT listener disarmed
    }
    let error = null;
    let resultText = null;
    if (!ok) {
      error =
        log.thrown.length > 0
          ? thrownToError(log.thrown[0], this.#cells)
          : log.diags.length > 0
            ? diagnosticsToError(log.diags, label, code)
            : { ename: "Error", evalue: "the cell failed without a message", traceback: [] };
      this.#publish("error", error);
    } else {
      for (const d of log.diags)
        // a %module cell: registered despite errors, as tslab does
        this.#writeStream(
          "stderr",
          `${d.file ? d.file + " " : ""}${d.line}:${d.col} - ${d.message}\n`,
        );
      if (log.hasValue && !silent) {
        const data = resultBundle(log.value);
        resultText = data["text/plain"];
        this.#publish("execute_result", { execution_count: label, data, metadata: {} });
      }
    }
    if (store) this.#history.push({ line: label, input: code, output: resultText });
    this.#flushStream();
    const counts = {
      iopub: this.#counts.get(msg.header.msg_id) ?? 0,
      lost: this.#senders.iopub.lost,
    };
    this.#counts.delete(msg.header.msg_id);
    const content = error
      ? { status: "error", execution_count: label, ...error }
      : { status: "ok", execution_count: label, payload: [], user_expressions: {} };
    this.#reply("shell", msg, content, { "rnn-workbook": counts });
    this.#status("idle", msg);
    if (error && stop_on_error) {
      for (const item of this.#queue) item.aborted = true;
      // requests that zeromq already holds (read in this turn of the event loop) are skipped too
      this.#abortWindow = true;
      setImmediate(() => (this.#abortWindow = false));
    }
  }

  /** Sends what is queued, closes the sockets and exits. */
  async shutdown(code = 0) {
    if (this.#closing) return;
    this.#flushStream();
    this.#closing = true;
    const timer = setTimeout(() => process.exit(code), 3000);
    try {
      await Promise.all(Object.values(this.#senders).map((s) => s.flush()));
      try {
        this.#executor.close();
      } catch {
        // the converter may already be gone
      }
      for (const s of Object.values(this.#sockets)) s.close();
    } finally {
      clearTimeout(timer);
      process.exit(code);
    }
  }

  /** Routes an error that escaped a cell (a callback, a promise) to the current cell's stderr. */
  reportStray(kind, e) {
    try {
      this.#writeStream(
        "stderr",
        `${kind}: ${e instanceof Error ? (e.stack ?? e.message) : inspect(e)}\n`,
      );
    } catch {
      // never let the reporter itself fail
    }
  }

  interrupt() {
    this.#executor.interrupt();
  }
}

let onSigint = null;
function rearmSigint() {
  if (!onSigint) return;
  process.removeListener("SIGINT", onSigint);
  process.on("SIGINT", onSigint);
}

/** A cell's last value as a MIME bundle: a string as itself (as tslab printed it), else inspect. */
function resultBundle(value) {
  return { "text/plain": typeof value === "string" ? value : inspect(value) };
}

try {
  const { configPath } = parseArgs(process.argv.slice(2));
  const kernel = new Kernel(configPath);
  onSigint = () => kernel.interrupt();
  process.on("SIGINT", onSigint);
  process.on("SIGTERM", () => kernel.shutdown(0));
  process.on("uncaughtException", (e) => kernel.reportStray("Uncaught exception", e));
  process.on("unhandledRejection", (e) => kernel.reportStray("Unhandled promise rejection", e));
  // Jupyter clients and our runner set JPY_PARENT_PID: exit when that parent is gone.
  const parent = Number(process.env.JPY_PARENT_PID);
  if (parent > 1)
    setInterval(() => {
      try {
        process.kill(parent, 0);
      } catch {
        kernel.shutdown(0);
      }
    }, 1000).unref();
  await kernel.start();
} catch (e) {
  klog(`cannot start: ${e.message}`);
  process.exit(1);
}
