/**
 * Registering our kernels with tfjs for the wasm backend (its public `registerKernel`).
 *
 * On wasm every op costs 10–20 µs of overhead and an LSTM step is ~20 small elementwise ops,
 * so a step's elementwise math costs more than its matMul. A kernel here reads its inputs and
 * writes its outputs in place on the wasm heap: either a JS loop over Float32Array views
 * (`fused`, `stepKernel`) or a function of our own WebAssembly SIMD module (`simd`,
 * `simdKernel`; sources src/fast/*.wat), instantiated on the backend's memory and given the
 * tensors' byte offsets. Kernels have no autodiff rule; policy.ts decides when they run.
 */
import * as tf from "@tensorflow/tfjs";
import { readFileSync } from "fs";
import { join } from "path";

/** Float32 views of a kernel's inputs (by name) and outputs (in order), and its attributes. */
export interface KernelViews<I extends string> {
  ins: Record<I, Float32Array>;
  outs: Float32Array[];
  attrs: Record<string, number>;
}

/** A fused kernel: inputs by name, output shapes, numeric attributes → the output tensors. */
export type Fused<I extends string> = (
  inputs: Record<I, tf.Tensor>,
  outShapes: number[][],
  attrs?: Record<string, number>,
) => tf.Tensor[];

interface WasmBackend {
  makeOutput(shape: number[], dtype: "float32"): tf.TensorInfo;
  typedArrayFromHeap(t: tf.TensorInfo): Float32Array;
  dataIdMap: { get(id: tf.DataId): { memoryOffset: number } };
  wasm: { asm?: { memory?: object } };
}

/** What the SIMD loader uses of the WebAssembly global (the ES2022 lib does not declare it). */
interface WebAssemblyApi {
  Memory: abstract new (...a: never[]) => object;
  Module: new (bytes: Uint8Array) => object;
  Instance: new (m: object, imports: object) => { exports: SimdExports };
}
type SimdExports = Record<string, (...args: number[]) => void>;
const WASM = (globalThis as unknown as { WebAssembly: WebAssemblyApi }).WebAssembly;

/**
 * A wasm kernel `name` whose outputs (of the shapes given at each call, all allocated before
 * `body` runs) `body` fills from the inputs. Registered on first use.
 */
function wasmKernel<I extends string>(
  name: string,
  body: (
    be: WasmBackend,
    ins: Record<I, tf.TensorInfo>,
    outs: tf.TensorInfo[],
    attrs: Record<string, number>,
  ) => void,
): Fused<I> {
  let registered = false;
  return (inputs, outShapes, attrs = {}) => {
    if (!registered && tf.getKernel(name, "wasm") === undefined) {
      tf.registerKernel({
        kernelName: name,
        backendName: "wasm",
        kernelFunc: ({ inputs: ti, attrs: ta, backend }) => {
          const be = backend as unknown as WasmBackend;
          const { shapes, ...numeric } = ta as { shapes: number[][] } & Record<string, number>;
          const outs = shapes.map((s) => be.makeOutput(s, "float32"));
          body(be, ti as Record<I, tf.TensorInfo>, outs, numeric);
          return outs;
        },
      });
    }
    registered = true;
    const r = tf.engine().runKernel(
      name,
      inputs as unknown as tf.NamedTensorMap,
      {
        ...attrs,
        shapes: outShapes,
      } as unknown as tf.NamedAttrMap,
    );
    return r as tf.Tensor[];
  };
}

/**
 * Defines a kernel `name` whose body is the JS loop `run`: it reads `ins`, writes every
 * element of `outs` (Float32Array views of the wasm heap, taken after all outputs exist: an
 * allocation may grow the heap and detach earlier views).
 */
export function fused<I extends string>(name: string, run: (v: KernelViews<I>) => void): Fused<I> {
  return wasmKernel<I>(name, (be, ti, outs, attrs) => {
    const view = (t: tf.TensorInfo) => be.typedArrayFromHeap(t);
    run({ ins: mapInputs(ti, view), outs: outs.map(view), attrs });
  });
}

/** A kernel's named inputs, each mapped by `f` (to a heap view, a byte offset). */
function mapInputs<I extends string, V>(
  ins: Record<I, tf.TensorInfo>,
  f: (t: tf.TensorInfo) => V,
): Record<I, V> {
  return Object.fromEntries(
    Object.entries(ins).map(([k, t]) => [k, f(t as tf.TensorInfo)]),
  ) as Record<I, V>;
}

/**
 * Our SIMD module `src/fast/<file>.wasm` instantiated on `memory`, the wasm backend's own
 * (so its functions read and write tensors in place, by byte offset).
 */
function instantiate(file: string, memory: object): SimdExports {
  let mod = compiled.get(file);
  if (!mod)
    compiled.set(file, (mod = new WASM.Module(readFileSync(join(__dirname, `${file}.wasm`)))));
  return new WASM.Instance(mod, { env: { memory } }).exports;
}
const compiled = new Map<string, object>(); //                  compiled modules by file name

/**
 * A kernel whose body is the function `func` of our SIMD module `file` (src/fast/<file>.wat).
 * `args` turns the byte offsets of the inputs and outputs, and the attrs, into its arguments.
 * The module is instantiated on first use and again only if the backend's memory changes.
 */
export function simd<I extends string>(
  name: string,
  file: string,
  func: string,
  args: (ins: Record<I, number>, outs: number[], attrs: Record<string, number>) => number[],
): Fused<I> {
  let bound: { memory: object; f: (...a: number[]) => void } | null = null;
  return wasmKernel<I>(name, (be, ti, outs, attrs) => {
    const memory = be.wasm.asm?.memory;
    if (bound === null || bound.memory !== memory) {
      if (!(memory instanceof WASM.Memory))
        throw new Error(
          "fused kernels: cannot reach the wasm backend's memory (expected tfjs-backend-wasm 4.22); set RNN_FUSED=0 to run without them",
        );
      bound = { memory, f: instantiate(file, memory)[func] };
    }
    const f = bound.f;
    const at = (t: tf.TensorInfo) => be.dataIdMap.get(t.dataId).memoryOffset;
    f(...args(mapInputs(ti, at), outs.map(at), attrs));
  });
}

/** A step kernel (below) whose body is a SIMD function, as `simd`. */
export function simdKernel<I extends string>(
  name: string,
  file: string,
  func: string,
  widths: number[],
  args: (ins: Record<I, number>, outs: number[], attrs: Record<string, number>) => number[],
): StepKernel<I> {
  return stepShapes(simd<I>(name, file, func, args), widths);
}

/** A fused step kernel: called with the batch size B and width H of a cell's carry. */
export type StepKernel<I extends string> = (
  inputs: Record<I, tf.Tensor>,
  B: number,
  H: number,
  attrs?: Record<string, number>,
) => tf.Tensor2D[];

/**
 * A kernel of one recurrent step whose outputs are [B, w·H] for the widths `w` (in units of
 * H), e.g. [1, 3, 1] for a GRU's h, gates, u_n. The loop gets B and H as attrs.
 */
export function stepKernel<I extends string>(
  name: string,
  widths: number[],
  run: (v: KernelViews<I>) => void,
): StepKernel<I> {
  return stepShapes(fused<I>(name, run), widths);
}

/** A kernel called as a step kernel: outputs [B, w·H], B and H passed as attrs. */
function stepShapes<I extends string>(kernel: Fused<I>, widths: number[]): StepKernel<I> {
  return (inputs, B, H, attrs = {}) =>
    kernel(
      inputs,
      widths.map((w) => [B, w * H]),
      { ...attrs, B, H },
    ) as tf.Tensor2D[];
}
