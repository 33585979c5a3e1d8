#!/usr/bin/env bash
# The kernel checked with Jupyter's own clients (issue 13), after `npm test` has written the
# runner's executed copies to reports/notebooks/. Needs Debian's python3-jupyter-kernel-test,
# jupyter-client, python3-nbclient, jupyter-nbconvert, python3-nbformat (.ci/run installs them).
#   scripts/ci/jupyter-checks.sh        from the project root
# Each step prints what it checked; the first failure stops the script with exit 1.
set -euo pipefail
cd "$(dirname "$0")/../.."
ROOT=$PWD
PY=/usr/bin/python3
for tool in "$PY" jupyter jupyter-nbconvert; do
  command -v "$tool" >/dev/null || { echo "jupyter-checks: $tool not found (install Debian's jupyter packages, see .ci/run)" >&2; exit 1; }
done
"$PY" -c "import jupyter_kernel_test, nbclient, nbformat" || {
  echo "jupyter-checks: python3-jupyter-kernel-test / python3-nbclient / python3-nbformat missing" >&2
  exit 1
}

WORK=$(mktemp -d)
KNAME=rnnwb-ci-$$
cleanup() {
  rm -rf "$WORK"
  rm -f notebooks/zz-ci-rebuild.ipynb
}
trap cleanup EXIT
fail() {
  echo "jupyter-checks: FAIL: $*" >&2
  exit 1
}

# The kernelspec, registered with --prefix and --name (also checks those options).
node scripts/kernel.mjs --prefix "$WORK/prefix" --name "$KNAME" >/dev/null
export JUPYTER_PATH="$WORK/prefix/share/jupyter"
jupyter kernelspec list | grep -q "$KNAME" || fail "kernelspec $KNAME not found by jupyter"
export RNN_REPORTS_DIR="$WORK/reports" # metrics of these runs stay out of reports/
NBC=(jupyter nbconvert --to notebook --execute "--ExecutePreprocessor.kernel_name=$KNAME"
  --ExecutePreprocessor.timeout=900)

echo "== (a) jupyter_kernel_test against kernel $KNAME"
RNNWB_KERNEL_NAME=$KNAME "$PY" scripts/ci/kernel_conformance.py 2>&1 | tail -25
[ "${PIPESTATUS[0]}" -eq 0 ] || fail "jupyter_kernel_test"

echo "== (b) nbconvert --execute of every notebook (quick mode), compared with the runner's copies"
ls reports/notebooks/*.ipynb >/dev/null 2>&1 || fail "reports/notebooks/ is empty: run npm test first"
mkdir -p "$WORK/nbconvert"
start=$(date +%s)
RNN_QUICK=1 "${NBC[@]}" --output-dir "$WORK/nbconvert" notebooks/*.ipynb 2>&1 | grep -v "^\[NbConvertApp\] Writing" || true
[ "${PIPESTATUS[0]}" -eq 0 ] || fail "nbconvert --execute of the notebooks"
echo "nbconvert: $(ls notebooks/*.ipynb | wc -l) notebooks in $(($(date +%s) - start)) s"
node scripts/ci/compare-outputs.mjs reports/notebooks "$WORK/nbconvert" || fail "outputs differ"

echo "== (b2) a failing cell: nbconvert exits non-zero and prints the error's message"
mkdir -p "$WORK/bad"
node -e '
const [dir] = process.argv.slice(1);
const cell = (id, source) => ({ cell_type: "code", id, metadata: {}, source, outputs: [], execution_count: null });
require("fs").writeFileSync(dir + "/bad.ipynb", JSON.stringify({ nbformat: 4, nbformat_minor: 5, metadata: {},
  cells: [cell("a", "const lr = -0.1;"), cell("b", "if (lr < 0)\n  throw new RangeError(`learning rate must be positive, got ${lr}`);"),
          cell("c", "console.log(\"never\");")] }));' "$WORK/bad"
set +e
"${NBC[@]}" --output-dir "$WORK/bad/out" "$WORK/bad/bad.ipynb" >"$WORK/bad/log" 2>&1
code=$?
set -e
[ $code -ne 0 ] || fail "nbconvert exited 0 on a failing cell"
grep -q "RangeError: learning rate must be positive, got -0.1" "$WORK/bad/log" ||
  { cat "$WORK/bad/log"; fail "nbconvert did not print the error's message"; }
grep -q "Cell In\[2\], line 2" "$WORK/bad/log" || fail "nbconvert's traceback does not name the cell and line"
echo "nbconvert exit $code; printed: $(grep -m1 "RangeError:" "$WORK/bad/log")"
set +e
"${NBC[@]}" --allow-errors --output-dir "$WORK/bad/out" "$WORK/bad/bad.ipynb" >"$WORK/bad/log2" 2>&1 || fail "nbconvert --allow-errors"
set -e
"$PY" - "$WORK/bad/out/bad.ipynb" <<'EOF' || fail "--allow-errors: cells after an error must run"
import json, sys
nb = json.load(open(sys.argv[1]))
c = [x for x in nb["cells"] if x["cell_type"] == "code"]
err = [o for o in c[1]["outputs"] if o["output_type"] == "error"]
assert err and err[0]["ename"] == "RangeError", c[1]["outputs"]
text = lambda o: "".join(o.get("text", ""))
assert c[2]["outputs"] and text(c[2]["outputs"][0]) == "never\n", c[2]["outputs"]
print("--allow-errors: error output", err[0]["ename"], "then the next cell ran")
EOF

echo "== (c) 50,000 lines from one cell arrive complete and in order through nbconvert and the runner"
mkdir -p "$WORK/lines"
node -e '
const cell = { cell_type: "code", id: "a", metadata: {}, outputs: [], execution_count: null,
  source: "for (let i = 0; i < 50000; i++) console.log(\"line \" + i);" };
require("fs").writeFileSync(process.argv[1] + "/lines.ipynb", JSON.stringify({ nbformat: 4, nbformat_minor: 5, metadata: {}, cells: [cell] }));' "$WORK/lines"
t0=$(date +%s.%N)
"${NBC[@]}" --output-dir "$WORK/lines/nbc" "$WORK/lines/lines.ipynb" 2>/dev/null
t1=$(date +%s.%N)
node scripts/run-notebooks.mjs --dir "$WORK/lines" --out "$WORK/lines/runner" >/dev/null
t2=$(date +%s.%N)
for f in "$WORK/lines/nbc/lines.ipynb" "$WORK/lines/runner/lines.ipynb"; do
  "$PY" - "$f" <<'EOF' || fail "50,000 lines incomplete in $f"
import json, sys
nb = json.load(open(sys.argv[1]))
text = "".join("".join(o["text"]) if isinstance(o["text"], list) else o["text"]
               for o in nb["cells"][0]["outputs"] if o["output_type"] == "stream")
want = "".join(f"line {i}\n" for i in range(50000))
assert text == want, f"{text.count(chr(10))} lines, expected 50000 in order"
EOF
done
echo "50,000 lines complete: nbconvert $(echo "$t1 - $t0" | bc) s, runner $(echo "$t2 - $t1" | bc) s (each with kernel start)"

echo "== (d) npm run build while a notebook runs: the notebook finishes"
mkdir -p "$WORK/build"
node -e '
const cell = (id, source) => ({ cell_type: "code", id, metadata: {}, source, outputs: [], execution_count: null });
require("fs").writeFileSync(process.argv[1] + "/rebuild.ipynb", JSON.stringify({ nbformat: 4, nbformat_minor: 5, metadata: {}, cells: [
  cell("a", "import * as rnn from \"rnn-workbook\";\nconst env = await rnn.setup();"),
  cell("b", "// runs until the rebuild is over (a marker file), printing as it goes\nconst fs = require(\"fs\");\n" +
    "fs.writeFileSync(process.env.MARK_DIR + \"/started-\" + process.pid, \"\");\n" +
    "for (let i = 0; i < 240 && !fs.existsSync(process.env.MARK_DIR + \"/built\"); i++) {\n" +
    "  console.log(\"tick \" + i);\n  await new Promise((r) => setTimeout(r, 500));\n}"),
  cell("c", "const p = rnn.progress({ total: 3 });\nfor (let i = 0; i < 3; i++) p.tick();\np.done();\nconsole.log(\"after the rebuild\");")] }));' "$WORK/build"
cp "$WORK/build/rebuild.ipynb" notebooks/zz-ci-rebuild.ipynb # in notebooks/ so "rnn-workbook" resolves
set +e
export MARK_DIR="$WORK/build"
RNN_QUICK=1 "${NBC[@]}" --output-dir "$WORK/build/nbc" notebooks/zz-ci-rebuild.ipynb >"$WORK/build/nbc.log" 2>&1 &
nbc_pid=$!
node scripts/run-notebooks.mjs --quick --dir notebooks --out "$WORK/build/runner" zz-ci-rebuild >"$WORK/build/runner.log" 2>&1 &
runner_pid=$!
for _ in $(seq 1 300); do # both notebooks are in their second cell
  [ "$(ls "$WORK/build" | grep -c '^started-')" -ge 2 ] && break
  sleep 0.5
done
npm run build >"$WORK/build/build.log" 2>&1
build=$?
touch "$WORK/build/built" # the running cell ends; the next one compiles and runs after the rebuild
wait $nbc_pid
nbc=$?
wait $runner_pid
runner=$?
set -e
rm -f notebooks/zz-ci-rebuild.ipynb
[ $build -eq 0 ] || { cat "$WORK/build/build.log"; fail "npm run build"; }
[ $nbc -eq 0 ] || { cat "$WORK/build/nbc.log"; fail "nbconvert's notebook did not finish across npm run build"; }
[ $runner -eq 0 ] || { cat "$WORK/build/runner.log"; fail "the runner's notebook did not finish across npm run build"; }
grep -q "after the rebuild" "$WORK/build/nbc/zz-ci-rebuild.ipynb" || fail "last cell's output missing (nbconvert)"
grep -q "after the rebuild" "$WORK/build/runner/zz-ci-rebuild.ipynb" || fail "last cell's output missing (runner)"
echo "npm run build during a running notebook: both clients finished it"

echo "== (e) kill -TERM of npm run notebooks mid-cell: no kernel process, no connection file"
mkdir -p "$WORK/term/tmp"
node -e '
const cell = { cell_type: "code", id: "a", metadata: {}, outputs: [], execution_count: null,
  source: "console.log(\"spinning\");\nconst t0 = Date.now();\nwhile (Date.now() - t0 < 300000) {}" };
require("fs").writeFileSync(process.argv[1] + "/spin.ipynb", JSON.stringify({ nbformat: 4, nbformat_minor: 5, metadata: {}, cells: [cell] }));' "$WORK/term"
TMPDIR="$WORK/term/tmp" setsid npm run notebooks -- --dir "$WORK/term" --out "$WORK/term/out" >"$WORK/term/log" 2>&1 &
npm_pid=$!
for _ in $(seq 1 100); do
  pgrep -f "tslab-kernel.mjs --config-path $WORK/term/tmp" >/dev/null && break
  sleep 0.2
done
pgrep -f "tslab-kernel.mjs --config-path $WORK/term/tmp" >/dev/null || { cat "$WORK/term/log"; fail "kernel did not start"; }
sleep 3
kill -TERM $npm_pid
set +e
wait $npm_pid
code=$?
set -e
# the runner sees its parent go, asks the kernel to shut down, kills it after 3 s if it is busy
for _ in $(seq 1 40); do
  pgrep -f "tslab-kernel.mjs --config-path $WORK/term/tmp" >/dev/null || break
  sleep 0.5
done
[ $code -ne 0 ] || fail "npm run notebooks exited 0 after SIGTERM"
if pgrep -f "tslab-kernel.mjs --config-path $WORK/term/tmp" >/dev/null; then
  ps -ef | grep tslab-kernel | grep -v grep
  fail "a kernel process is left after kill -TERM"
fi
[ -z "$(ls -A "$WORK/term/tmp")" ] || { ls -la "$WORK/term/tmp"; cat "$WORK/term/log"; fail "connection files left in TMPDIR"; }
echo "kill -TERM: npm exited $code, no kernel process, no connection file ($(grep run-notebooks: "$WORK/term/log" | tail -1))"

echo "jupyter-checks: all passed"
