// npm run notebooks [-- --quick] [--timeout S] [names…]
// Executes notebooks headlessly with the real tslab kernel (no Python) into reports/notebooks/.
import { join, dirname } from "node:path";
import { fileURLToPath } from "node:url";
import { runNotebook, selectNotebooks } from "./lib/runner.mjs";
import { shutdownAll } from "./lib/kernel.mjs";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");

function parseArgs(argv) {
  const opts = {
    quick: /^(1|true|yes)$/i.test(process.env.RNN_QUICK ?? ""),
    timeout: Number(process.env.RNN_CELL_TIMEOUT ?? 600),
    names: [],
    dir: join(root, "notebooks"),
    out: join(process.env.RNN_REPORTS_DIR ?? join(root, "reports"), "notebooks"),
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === "--quick") opts.quick = true;
    else if (a === "--full") opts.quick = false;
    else if (a === "--timeout") opts.timeout = Number(argv[++i]);
    else if (a === "--dir") opts.dir = argv[++i];
    else if (a === "--out") opts.out = argv[++i];
    else if (a.startsWith("--"))
      throw new Error(
        `unknown option ${a}: use --quick, --full, --timeout S, --dir D, --out D, then notebook names`,
      );
    else opts.names.push(a);
  }
  if (!(opts.timeout > 0))
    throw new Error(`--timeout must be a positive number of seconds (got ${opts.timeout})`);
  return opts;
}

// Ctrl-C, kill -TERM, or the parent (npm, a shell) going away: shut the kernel down (at most a
// few seconds: it is killed if busy), remove its connection file, exit non-zero. While that runs,
// further signals are ignored (npm and the shell may each pass one on), except a second Ctrl-C,
// which exits at once.
let stopping = null; // the shutdown in progress: the main loop waits for it (it exits)
function stop(why, code) {
  if (stopping) {
    if (code === 130) process.exit(code);
    return;
  }
  console.error(`run-notebooks: ${why}: shutting the kernel down`);
  stopping = shutdownAll()
    .catch(() => {})
    .then(() => process.exit(code));
}
process.on("SIGINT", () => stop("interrupted (SIGINT)", 130));
process.on("SIGTERM", () => stop("terminated (SIGTERM)", 143));
process.on("SIGHUP", () => stop("hung up (SIGHUP)", 129));
const parentPid = process.ppid;
setInterval(() => {
  if (process.ppid !== parentPid) stop(`parent process ${parentPid} is gone`, 143);
}, 500).unref();

try {
  const opts = parseArgs(process.argv.slice(2));
  const paths = selectNotebooks(opts.dir, opts.names);
  console.log(
    `running ${paths.length} notebook(s) in ${opts.quick ? "quick" : "full"} mode → ${opts.out}`,
  );
  const t0 = Date.now();
  const failures = [];
  for (const p of paths) {
    const r = await runNotebook(p, {
      outDir: opts.out,
      quick: opts.quick,
      cellTimeoutS: opts.timeout,
    });
    // a signal's shutdown kills a busy kernel, which fails its cell: the signal's code wins
    if (stopping) await stopping;
    console.log(
      `${r.ok ? "ok  " : "FAIL"} ${r.name.padEnd(28)} ${r.seconds.toFixed(1).padStart(7)} s`,
    );
    if (!r.ok) {
      console.error(r.error);
      failures.push(r);
    }
  }
  console.log(`total ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  process.exit(failures.length ? 1 : 0);
} catch (e) {
  if (stopping) await stopping;
  console.error(`run-notebooks: ${e.message}`);
  await shutdownAll().catch(() => {});
  process.exit(2);
}
