import { spawnSync } from "child_process";
import { existsSync, readFileSync } from "fs";
import { join, resolve } from "path";
import { describe, expect, it } from "vitest";
import { installKernel, parseKernelArgs } from "../../scripts/kernel.mjs";
import { projectRoot } from "../../src/project";
import { tempDir } from "../helpers";

const cli = (args: string[], env: Record<string, string | undefined> = {}, cwd = tempDir()) =>
  spawnSync(process.execPath, [join(projectRoot(), "scripts", "kernel.mjs"), ...args], {
    encoding: "utf8",
    cwd,
    env: { ...process.env, PATH: "/nonexistent", ...env },
  });

describe("npm run kernel", () => {
  it("writes a kernelspec that runs this project's kernel with this node", () => {
    const dir = installKernel(tempDir());
    expect(dir.endsWith("rnn-workbook")).toBe(true);
    const spec = JSON.parse(readFileSync(join(dir, "kernel.json"), "utf8"));
    expect(spec.display_name).toBe("TypeScript (rnn-workbook)");
    expect(spec.argv[0]).toBe(process.execPath);
    expect(existsSync(spec.argv[1])).toBe(true);
    expect(spec.argv[1]).toMatch(/scripts\/kernel\/tslab-kernel\.mjs$/);
    expect(spec.argv.slice(2)).toEqual(["--config-path", "{connection_file}"]);
    expect(spec.interrupt_mode).toBe("signal");
  });

  it("honours --prefix and --name, so two checkouts can coexist", () => {
    const prefix = tempDir();
    const r = cli(["--prefix", prefix, "--name", "second"]);
    expect(r.status, r.stderr).toBe(0);
    const spec = JSON.parse(
      readFileSync(join(prefix, "share", "jupyter", "kernels", "second", "kernel.json"), "utf8"),
    );
    expect(spec.display_name).toBe("TypeScript (rnn-workbook: second)");
    expect(r.stdout).toContain(join(prefix, "share", "jupyter", "kernels", "second"));
  });

  it("treats an empty JUPYTER_DATA_DIR as unset and uses a set one", () => {
    const home = "/home/someone";
    expect(parseKernelArgs([], { JUPYTER_DATA_DIR: "" }, home).kernelsDir).toBe(
      join(home, ".local", "share", "jupyter", "kernels"),
    );
    expect(parseKernelArgs([], {}, home).kernelsDir).toBe(
      join(home, ".local", "share", "jupyter", "kernels"),
    );
    expect(parseKernelArgs([], { JUPYTER_DATA_DIR: "/data/j" }, home)).toEqual({
      kernelsDir: "/data/j/kernels",
      name: "rnn-workbook",
    });
    expect(parseKernelArgs(["--prefix", "rel"], {}, home).kernelsDir).toBe(
      resolve("rel", "share", "jupyter", "kernels"),
    );
    // the CLI with JUPYTER_DATA_DIR="" writes nothing into its working directory
    const cwd = tempDir();
    const home2 = tempDir();
    const r = cli([], { JUPYTER_DATA_DIR: "", HOME: home2 }, cwd);
    expect(r.status, r.stderr).toBe(0);
    expect(existsSync(join(cwd, "kernels"))).toBe(false);
    expect(existsSync(join(home2, ".local/share/jupyter/kernels/rnn-workbook/kernel.json"))).toBe(
      true,
    );
  });

  it("gives one-line errors for a missing value, an unknown argument, a bad name", () => {
    for (const [args, msg] of [
      [["--prefix"], "npm run kernel: --prefix needs a value: npm run kernel -- --prefix DIR\n"],
      [["--name"], "npm run kernel: --name needs a value: npm run kernel -- --name NAME\n"],
      [
        ["--bogus"],
        "npm run kernel: unknown argument --bogus: use --prefix DIR and/or --name NAME\n",
      ],
      [
        ["--name", "a/b"],
        `npm run kernel: --name "a/b": use letters, digits, '.', '_' and '-' only\n`,
      ],
    ] as const) {
      const r = cli([...args]);
      expect(r.status).toBe(2);
      expect(r.stderr).toBe(msg);
    }
  });
});
