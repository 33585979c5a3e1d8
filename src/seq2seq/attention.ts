/**
 * Global attention with the "general" score (Luong, Pham & Manning 2015), applied to every
 * decoder step at once, forward and backward side by side:
 *
 *   q_t   = s_t Wa                                   s_t decoder output [Hd], Wa [Hd, Ne]
 *   e_tj  = q_t · h̄_j   (−∞ where source step j is padding)    h̄_j encoder output [Ne]
 *   a_t   = softmax_j(e_t)                           attention weights over the source
 *   c_t   = Σ_j a_tj h̄_j                             context [Ne]
 *   s̃_t   = tanh([c_t, s_t] Wc + bc)                 attentional state [A], Wc [Ne + Hd, A]
 *
 * Backward, with ds̃ = ∂L/∂s̃_t:
 *
 *   dz = ds̃ ⊙ (1 − s̃²);  dWc = [c, s]ᵀ dz;  dbc = Σ dz;  [dc, ds] = dz Wcᵀ
 *   da_tj = dc_t · h̄_j;  dh̄_j += Σ_t a_tj dc_t
 *   de_t = a_t ⊙ (da_t − Σ_j a_tj da_tj)             through the softmax (0 at padding)
 *   dq_t = Σ_j de_tj h̄_j;  dh̄_j += Σ_t de_tj q_t
 *   ds_t += dq_t Waᵀ;  dWa = Σ_t s_tᵀ dq_t
 *
 * Why this score and not Bahdanau's additive one: the score reads the decoder's output s_t
 * *after* its step, so the decoder stays a plain cell unrolled by the scan (its fast path, the
 * whole target sequence in one pass under teacher forcing) and attention is a few batched
 * products over all steps [B, Td, Ts] — the additive score needs a tanh over [B, Td, Ts, A]
 * and, fed into the cell, would put attention inside the recurrence. No input feeding (Luong's
 * s̃_{t−1} as an extra decoder input) for the same reason.
 *
 * Without attention (`attention: "none"`) the same layer runs with the context left out,
 * s̃_t = tanh(s_t Wc + bc), so the two models differ in attention alone.
 *
 * Tensors are batch-major here: S [B, Td, Hd], Hbar [B, Ts, Ne], rows of s̃ [B·Td, A].
 * Products with a transposed 2-D operand transpose it first: tfjs-wasm's matMul with
 * transposeA runs ~13× slower than tf.transpose + matMul (measured [640,192]ᵀ[640,512]: 54 vs
 * 4 ms); the batched [B, ·, ·] products run at the same speed either way, so they keep the flags.
 */
import * as tf from "@tensorflow/tfjs";
import type { Params } from "../layer";

/** Attention's inputs: decoder outputs, encoder outputs and the source mask. */
export interface AttentionInput {
  /** Decoder outputs s_t, [B, Td, Hd]. */
  S: tf.Tensor3D;
  /** Encoder outputs h̄_j, [B, Ts, Ne] (absent without attention). */
  Hbar?: tf.Tensor3D;
  /** [B, Ts] of 1 (a letter) and 0 (padding). */
  srcMask?: tf.Tensor2D;
}

/** What the forward keeps for the backward. */
export interface AttentionCache {
  /** s̃ rows [B·Td, A]: the output. */
  St: tf.Tensor2D;
  /** Attention weights a [B, Td, Ts] (absent without attention). */
  A?: tf.Tensor3D;
  /** q = S Wa [B, Td, Ne]. */
  Q?: tf.Tensor3D;
  /** [c, s] rows [B·Td, Ne + Hd] (or s rows alone). */
  CS: tf.Tensor2D;
}

/** Gradients of one backward pass. */
export interface AttentionGrads {
  /** ∂L/∂S [B, Td, Hd]. */
  dS: tf.Tensor3D;
  /** ∂L/∂Hbar [B, Ts, Ne] (absent without attention). */
  dHbar?: tf.Tensor3D;
  /** "att.Wa", "att.Wc", "att.bc". */
  dParams: Params;
}

/** Parameter shapes: Wa only with attention; Wc reads [c, s] with it, s alone without. */
export function attentionShapes(
  withAttention: boolean,
  Hd: number,
  Ne: number,
  A: number,
): Record<string, number[]> {
  return withAttention
    ? { "att.Wa": [Hd, Ne], "att.Wc": [Ne + Hd, A], "att.bc": [A] }
    : { "att.Wc": [Hd, A], "att.bc": [A] };
}

/** a_t = softmax_j(e_tj) over real source steps only: padding gets −∞ (weight 0). */
function maskedSoftmax(e: tf.Tensor3D, srcMask: tf.Tensor2D | undefined): tf.Tensor3D {
  if (!srcMask) return tf.softmax(e) as tf.Tensor3D;
  const [B, , Ts] = e.shape;
  const pad = tf.mul(tf.sub(1, tf.reshape(srcMask, [B, 1, Ts])), -1e9); //        [B, 1, Ts]
  return tf.softmax(tf.add(e, pad)) as tf.Tensor3D;
}

/** s̃ for every decoder step, and what the backward needs. Call inside a tidy. */
export function attend(p: Params, { S, Hbar, srcMask }: AttentionInput): AttentionCache {
  const [B, Td] = S.shape;
  const rows = (x: tf.Tensor) => tf.reshape(x, [B * Td, -1]) as tf.Tensor2D;
  if (!Hbar) {
    const CS = rows(S); //                                                           s  [B·Td, Hd]
    return { CS, St: tf.tanh(tf.add(tf.matMul(CS, p["att.Wc"]), p["att.bc"])) as tf.Tensor2D };
  }
  const Q = tf.reshape(tf.matMul(rows(S), p["att.Wa"]), [B, Td, -1]) as tf.Tensor3D; // q = s Wa
  const E = tf.matMul(Q, Hbar, false, true) as tf.Tensor3D; //               e = q h̄ᵀ [B, Td, Ts]
  const A = maskedSoftmax(E, srcMask); //                                    a = softmax_j(e)
  const C = tf.matMul(A, Hbar); //                                           c = a h̄ [B, Td, Ne]
  const CS = rows(tf.concat([C, S], 2)); //                                  [c, s] [B·Td, Ne+Hd]
  const St = tf.tanh(tf.add(tf.matMul(CS, p["att.Wc"]), p["att.bc"])) as tf.Tensor2D; //    s̃
  return { St, A, Q, CS };
}

/** The backward of `attend`, given ∂L/∂s̃ rows [B·Td, A]. Call inside a tidy. */
export function attendBackward(
  p: Params,
  { S, Hbar }: AttentionInput,
  { St, A, Q, CS }: AttentionCache,
  dSt: tf.Tensor2D,
): AttentionGrads {
  const [B, Td, Hd] = S.shape;
  const dz = tf.mul(dSt, tf.sub(1, tf.square(St))) as tf.Tensor2D; //            ds̃ ⊙ (1 − s̃²)
  const dWc = tf.matMul(tf.transpose(CS), dz); //                                 [c, s]ᵀ dz
  const dbc = tf.sum(dz, 0); //                                                  Σ dz
  const dCS = tf.matMul(dz, tf.transpose(p["att.Wc"])); //                        dz Wcᵀ
  if (!Hbar || !A || !Q) {
    const dS = tf.reshape(dCS, [B, Td, Hd]) as tf.Tensor3D;
    return { dS, dParams: { "att.Wc": dWc, "att.bc": dbc } };
  }
  const Ne = Hbar.shape[2];
  const [dCrows, dSrows] = tf.split(dCS, [Ne, Hd], 1);
  const dC = tf.reshape(dCrows, [B, Td, Ne]) as tf.Tensor3D; //                  ∂L/∂c
  const dA = tf.matMul(dC, Hbar, false, true); //                                da = dc h̄ᵀ
  const dHbarC = tf.matMul(A, dC, true, false); //                          dh̄ += aᵀ dc
  const dE = tf.mul(A, tf.sub(dA, tf.sum(tf.mul(dA, A), 2, true))); //           through softmax
  const dQ = tf.matMul(dE, Hbar) as tf.Tensor3D; //                              dq = de h̄
  const dHbar = tf.add(dHbarC, tf.matMul(dE, Q, true, false)) as tf.Tensor3D; // dh̄ += deᵀ q
  const dQrows = tf.reshape(dQ, [B * Td, Ne]) as tf.Tensor2D;
  const Srows = tf.reshape(S, [B * Td, Hd]) as tf.Tensor2D;
  const dS = tf.reshape(
    tf.add(dSrows, tf.matMul(dQrows, tf.transpose(p["att.Wa"]))), //              ds += dq Waᵀ
    [B, Td, Hd],
  ) as tf.Tensor3D;
  const dWa = tf.matMul(tf.transpose(Srows), dQrows); //                          Σ_t sᵀ dq
  return { dS, dHbar, dParams: { "att.Wa": dWa, "att.Wc": dWc, "att.bc": dbc } };
}
