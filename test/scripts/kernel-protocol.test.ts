/**
 * The project's kernel (scripts/kernel/tslab-kernel.mjs) through the runner's own client:
 * results, errors, aborts, bursts, interrupts, shutdown, files rewritten under it.
 */
import { spawn } from "child_process";
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "fs";
import { join } from "path";
import { afterEach, describe, expect, it } from "vitest";
import { Kernel } from "../../scripts/lib/kernel.mjs";
import { projectRoot } from "../../src/project";
import { projectTempDir as tempDir } from "../helpers";
import { runnerArgs, writeNotebook } from "./nb";

interface Output {
  output_type: string;
  name?: string;
  text?: string;
  data?: Record<string, string>;
  execution_count?: number;
  ename?: string;
  evalue?: string;
  traceback?: string[];
}
interface Result {
  status: string;
  executionCount: number | null;
  outputs: Output[];
  error: { ename: string; evalue: string } | null;
  lostText?: string;
}

const kernels: Kernel[] = [];
async function start(cwd = projectRoot(), env: Record<string, string> = {}): Promise<Kernel> {
  const k = await Kernel.start({ cwd, env });
  kernels.push(k);
  return k;
}
const run = (k: Kernel, code: string, timeoutMs = 60_000): Promise<Result> =>
  k.execute(code, { timeoutMs });

afterEach(async () => {
  await Promise.all(kernels.splice(0).map((k) => k.shutdown()));
});

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

describe("the project's kernel", () => {
  it("sends a cell's last expression as execute_result and nothing on stdout", async () => {
    const k = await start();
    const r = await run(k, "const a = 6;\na * 7");
    expect(r.status).toBe("ok");
    expect(r.outputs).toEqual([
      {
        output_type: "execute_result",
        execution_count: r.executionCount,
        data: { "text/plain": "42" },
        metadata: {},
      },
    ]);
    const s = await run(k, "({ x: [1, 2] })");
    expect(s.outputs[0].data!["text/plain"]).toBe("{ x: [ 1, 2 ] }");
    expect(s.executionCount).toBe((r.executionCount as number) + 1);
    expect((await run(k, "let u = undefined; u")).outputs).toEqual([]);
  });

  it("sends a thrown error as an error message whose traceback starts at the user's cell and line", async () => {
    const k = await start();
    await run(
      k,
      "function check(lr: number) {\n  if (lr <= 0)\n    throw new RangeError('lr must be positive');\n}",
    );
    const r = await run(k, "const lr = -1;\n\ncheck(lr);");
    expect(r.status).toBe("error");
    expect(r.error).toEqual({ ename: "RangeError", evalue: "lr must be positive" });
    expect(r.outputs.map((o) => o.output_type)).toEqual(["error"]); // no stderr copy
    const tb = r.outputs[0].traceback!;
    expect(tb[0]).toMatch(/^Cell In\[1\], line 3:\n/);
    expect(tb[0]).toContain("---->");
    expect(tb[0]).toContain("throw new RangeError('lr must be positive');");
    expect(tb.join("\n")).toContain("at check (Cell In[1], line 3)");
    expect(tb.join("\n")).toContain("Cell In[2], line 3");
    expect(tb.join("\n")).not.toMatch(/node:vm|tslab[\\/]dist|scripts[\\/]kernel|evalmachine/);
    expect(tb[tb.length - 1]).toBe("RangeError: lr must be positive");
  });

  it("reports compile errors as TSError with the diagnostics", async () => {
    const k = await start();
    const r = await run(k, "const ok = 1;\nconst n: number = 'text';");
    expect(r.status).toBe("error");
    expect(r.error!.ename).toBe("TSError");
    expect(r.error!.evalue).toBe("2:7 - Type 'string' is not assignable to type 'number'.");
    expect(r.outputs[0].traceback![0]).toMatch(/^Cell In\[1\], line 2, col 7: Type 'string'/);
  });

  it("answers cells queued behind a failing one with status aborted", async () => {
    const k = await start();
    const failing = run(
      k,
      "await new Promise((r) => setTimeout(r, 500));\nthrow new Error('first');",
    );
    const queued = run(k, "console.log('must not run');");
    expect((await failing).status).toBe("error");
    const q = await queued;
    expect(q.status).toBe("aborted");
    expect(q.outputs).toEqual([]);
    const after = await run(k, "console.log('runs again');");
    expect(after.outputs[0].text).toBe("runs again\n");
  });

  it("delivers 50,000 lines printed by a synchronous loop, all of them, in order", async () => {
    const k = await start();
    const t0 = Date.now();
    const r = await run(k, "for (let i = 0; i < 50000; i++) console.log('line ' + i);");
    const seconds = (Date.now() - t0) / 1000;
    expect(r.status).toBe("ok");
    const text = r.outputs.map((o) => o.text).join("");
    expect(r.outputs.every((o) => o.output_type === "stream" && o.name === "stdout")).toBe(true);
    expect(text).toBe(Array.from({ length: 50000 }, (_, i) => `line ${i}\n`).join(""));
    console.log(`50,000 lines through the runner's client in ${seconds.toFixed(2)} s`);
  });

  it("keeps displays and updates in order in a synchronous flood, with no queue in the library", async () => {
    const k = await start();
    await run(k, 'import * as rnn from "rnn-workbook";');
    const r = await run(
      k,
      "const live = rnn.showLive({ 'text/plain': 'start' });\n" +
        "for (let i = 0; i < 3000; i++) { rnn.show({ 'text/plain': 'out ' + i }); live.update({ 'text/plain': 'at ' + i }); }\n" +
        "console.log('end');",
    );
    expect(r.status).toBe("ok");
    const texts = r.outputs.map((o) => o.data?.["text/plain"] ?? o.text);
    expect(texts[0]).toBe("at 2999");
    expect(texts.slice(1, 3001)).toEqual(Array.from({ length: 3000 }, (_, i) => `out ${i}`));
    expect(texts[3001]).toBe("end\n");
  });

  it("sends clear_output for rnn.clearOutput()", async () => {
    const k = await start();
    const r = await run(
      k,
      'import * as rnn from "rnn-workbook";\nconsole.log("before");\nrnn.clearOutput();\nconsole.log("after");',
    );
    expect(r.outputs).toEqual([{ output_type: "stream", name: "stdout", text: "after\n" }]);
  });

  it("fails a cell whose outputs did not all arrive instead of passing it", async () => {
    const k = await start(projectRoot(), { RNNWB_KERNEL_TEST_DROP_STREAM: "1" });
    const r = await run(k, "console.log('dropped on purpose');");
    expect(r.status).toBe("lost");
    expect(r.lostText).toBe(
      "outputs lost: the kernel published 2 message(s) for this cell, 1 arrived",
    );
  });

  it("is interrupted by SIGINT in a synchronous loop and in an await, and keeps working", async () => {
    const k = await start();
    const spin = run(k, "console.log('spinning');\nwhile (true) {}");
    await new Promise((r) => setTimeout(r, 1500));
    k.interrupt();
    const r = await spin;
    expect(r.status).toBe("error");
    expect(r.error!.evalue).toMatch(/interrupted/i);
    const wait = run(k, "await new Promise(() => {});");
    await new Promise((r) => setTimeout(r, 1000));
    k.interrupt();
    expect((await wait).error!.evalue).toMatch(/interrupted/i);
    expect((await run(k, "1 + 1")).outputs[0].data!["text/plain"]).toBe("2");
  });

  it("shuts down cleanly on shutdown_request: exit code 0, connection file removed", async () => {
    const k = await start();
    await run(k, "setInterval(() => console.log('tick'), 10); 0");
    const dir = k.connectionDir as string;
    expect(existsSync(dir)).toBe(true);
    await k.shutdown();
    expect(k.exitInfo).toEqual({ code: 0, signal: null });
    expect(existsSync(dir)).toBe(false);
  });

  it("survives the files it compiled against being deleted and rewritten (a rebuild)", async () => {
    const dir = tempDir();
    const lib = join(dir, "node_modules", "mylib");
    const writeLib = (k: number) => {
      mkdirSync(lib, { recursive: true });
      writeFileSync(
        join(lib, "package.json"),
        '{"name":"mylib","main":"index.js","types":"index.d.ts"}',
      );
      writeFileSync(
        join(lib, "index.js"),
        `exports.f = (x) => x * ${k};\nexports.extra${k} = 1;\n`,
      );
      writeFileSync(
        join(lib, "index.d.ts"),
        `export declare function f(x: number): number;\nexport declare const extra${k}: number;\n`,
      );
    };
    writeLib(2);
    const k = await start(dir);
    expect((await run(k, 'import { f } from "mylib";\nf(1)')).outputs[0].data!["text/plain"]).toBe(
      "2",
    );
    for (let round = 3; round < 6; round++) {
      const r = await run(
        k,
        `const fs = require("fs");\nfs.rmSync(${JSON.stringify(lib)}, { recursive: true });\n` +
          `await new Promise((r) => setTimeout(r, 700));\n` +
          `fs.mkdirSync(${JSON.stringify(lib)}, { recursive: true });\n` +
          `fs.writeFileSync(${JSON.stringify(join(lib, "index.d.ts"))}, "export declare function f(x: number): number;\\nexport declare const extra${round}: number;\\n");\n` +
          `await new Promise((r) => setTimeout(r, 1500));\nf(10)`,
      );
      expect(r.error).toBe(null);
      expect(r.outputs[0].data!["text/plain"]).toBe("20"); // the code loaded first, until restart
    }
    writeLib(7);
    expect((await run(k, "const n: number = f(3);\nn")).outputs[0].data!["text/plain"]).toBe("6");
    expect(k.exitInfo).toBe(null);
  });
});

describe("npm run notebooks on a signal", () => {
  it("kill -TERM mid-cell shuts the kernel down: no kernel process, no connection file", async () => {
    const dir = tempDir();
    const tmp = join(dir, "tmp");
    mkdirSync(tmp);
    writeNotebook(dir, "spin", [
      "console.log('started');\nconst t0 = Date.now();\nwhile (Date.now() - t0 < 120000) {}",
    ]);
    const child = spawn(process.execPath, runnerArgs(dir), {
      env: { ...process.env, TMPDIR: tmp },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stderr = "";
    child.stderr.on("data", (d) => (stderr += d));
    // wait for the kernel's connection folder and process to exist
    let kernelPid = 0;
    for (let i = 0; i < 200 && !kernelPid; i++) {
      await new Promise((r) => setTimeout(r, 100));
      const conn = readdirSync(tmp).find((f) => f.startsWith("rnnwb-kernel-"));
      if (conn) kernelPid = findKernelPid(join(tmp, conn));
    }
    expect(kernelPid).toBeGreaterThan(0);
    await new Promise((r) => setTimeout(r, 2500)); // mid-cell
    child.kill("SIGTERM");
    const code = await new Promise((r) => child.on("exit", (c) => r(c)));
    expect(code, stderr).toBe(143);
    expect(stderr).toContain("terminated (SIGTERM): shutting the kernel down");
    expect(alive(kernelPid)).toBe(false);
    expect(readdirSync(tmp)).toEqual([]);
  }, 60_000);
});

/** The pid of the kernel process whose command line names `connDir`, or 0. */
function findKernelPid(connDir: string): number {
  for (const p of readdirSync("/proc").filter((f) => /^\d+$/.test(f))) {
    try {
      const cmd = readFileSync(`/proc/${p}/cmdline`, "utf8");
      if (cmd.includes("tslab-kernel.mjs") && cmd.includes(connDir)) return Number(p);
    } catch {
      // gone
    }
  }
  return 0;
}
