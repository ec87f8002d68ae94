/**
 * @file The exponential cone for `solveCone`: projection and its Jacobian, on 3-vectors in SCS's
 * convention (x, y, z):
 *
 *   K_exp = closure{(x, y, z): y > 0, y·e^{x/y} ≤ z} = {y > 0, y e^{x/y} ≤ z} ∪ {x ≤ 0, y = 0, z ≥ 0},
 *   K_exp* = {(u, v, w): u < 0, −u·e^{v/u} ≤ e·w} ∪ {u = 0, v ≥ 0, w ≥ 0}.
 *
 * Projection Π(v), v = (r, s, t), by the four cases:
 *   1. v ∈ K: v.   2. −v ∈ K* (v in the polar cone): 0.   3. r ≤ 0, s ≤ 0: (r, 0, max(t, 0)).
 *   4. otherwise the projection lies on the smooth boundary, p = y·d(ρ) with d(ρ) = (ρ, 1, e^ρ), y > 0.
 * Case 4 (our own method, a 1-D search like Friberg's but on a different function): the projection
 * onto the ray of d(ρ) is max(⟨v, d⟩, 0)/‖d‖²·d, at distance² ‖v‖² − ⟨v, d⟩₊²/‖d‖², so ρ maximises
 * ψ(ρ) = ⟨v, d(ρ)⟩/‖d(ρ)‖. Every local minimum of the distance from an outside point to the
 * boundary of a convex set is the global one, so ψ has one local maximum where it is positive: a scan
 * of ρ = sinh(u) over u ∈ [−7, 7] brackets it, then bisection on the sign of
 * ψ′ ∝ ⟨v, d′⟩‖d‖² − ⟨v, d⟩⟨d, d′⟩ (d′ = (1, 0, e^ρ)) pins it to machine precision. d is scaled by
 * e^{−max(ρ, 0)} (ψ and the sign of ψ′ do not change) so nothing overflows. As a safeguard the
 * result is compared with the other feasible candidates (case 3's point, 0) and the nearest kept.
 *
 * Jacobian. Case 4: with g(p) = y e^{x/y} − z (the boundary g = 0, convex), the KKT conditions
 * p − v + μ∇g(p) = 0, g(p) = 0 (μ = ⟨v − p, ∇g⟩/‖∇g‖² > 0) differentiate to
 *   [I + μ∇²g  ∇g; ∇gᵀ  0] [dp; dμ] = [dv; 0],
 * ∇g = (e^ρ, e^ρ(1 − ρ), −1), ∇²g = (e^ρ/y)[[1, −ρ, 0], [−ρ, ρ², 0], [0, 0, 0]] (the perspective of
 * exp). Case 1: I; case 2: 0; case 3: diag(1, 0, [t > 0]). Kinks (the case boundaries): on ∂K the
 * blend wB·F + (1 − wB)·I of the case-4 formula F (at μ = 0: the projector onto the tangent
 * plane) and I; on the polar cone's boundary wP·F (+ (1 − wP)·0), F there the limit of the case-4
 * formula as y → 0⁺ (the projector d dᵀ/‖d‖² onto the ray); t = 0 in case 3 gives the
 * nonnegative cone's selection wT. The caller (cone.ts) maps the kink policy onto wB, wP, wT.
 */

/** e^ρ-scaled direction d̃ = d(ρ)·e^{−max(ρ,0)} and its derivative d̃′ (same scale). */
function dirs(rho: number, d: Float64Array, dp: Float64Array): void {
  const sc = rho > 0 ? Math.exp(-rho) : 1;
  const er = rho > 0 ? 1 : Math.exp(rho);
  d[0] = rho * sc;
  d[1] = sc;
  d[2] = er;
  dp[0] = sc;
  dp[1] = 0;
  dp[2] = er;
}

const D = new Float64Array(3);
const DP = new Float64Array(3);

function psi(r: number, s: number, t: number, rho: number): number {
  dirs(rho, D, DP);
  return (r * D[0]! + s * D[1]! + t * D[2]!) / Math.hypot(D[0]!, D[1]!, D[2]!);
}

/** Sign source of ψ′(ρ): ⟨v, d′⟩‖d‖² − ⟨v, d⟩⟨d, d′⟩ (scaled). */
function dpsi(r: number, s: number, t: number, rho: number): number {
  dirs(rho, D, DP);
  const vd = r * D[0]! + s * D[1]! + t * D[2]!;
  const vdp = r * DP[0]! + t * DP[2]!;
  const dd = D[0]! * D[0]! + D[1]! * D[1]! + D[2]! * D[2]!;
  const ddp = D[0]! * DP[0]! + D[2]! * DP[2]!;
  return vdp * dd - vd * ddp;
}

/**
 * Is (x, y, z) in K_exp (with relative slack tol)?
 * @example
 * inExpCone(0, 1, 1); // true: 1·e⁰ ≤ 1
 */
export function inExpCone(x: number, y: number, z: number, tol = 0): boolean {
  const sc = tol * Math.max(1, Math.abs(x), Math.abs(y), Math.abs(z));
  if (y > sc) return y * Math.exp(x / y) <= z + sc;
  return x <= sc && y >= -sc && z >= -sc;
}

/**
 * Is (u, v, w) in K_exp* (with relative slack tol)?
 * @example
 * inExpDual(-1, 0, 1); // true: 1·e⁰ ≤ e
 */
export function inExpDual(u: number, v: number, w: number, tol = 0): boolean {
  const sc = tol * Math.max(1, Math.abs(u), Math.abs(v), Math.abs(w));
  if (u < -sc) return -u * Math.exp(v / u) <= Math.E * w + sc;
  return u <= sc && v >= -sc && w >= -sc;
}

/** Which case of the file header v = (r, s, t) falls in (1–4), and for case 4 the ray parameter ρ and the point. */
export interface ExpProjection {
  kind: 1 | 2 | 3 | 4;
  p: [number, number, number];
  rho: number;
}

/**
 * Projection of (r, s, t) onto K_exp.
 *
 * @example
 * projectExpCone(1, 1, 1).p; // the nearest point of {y e^{x/y} ≤ z}
 */
export function projectExpCone(r: number, s: number, t: number): ExpProjection {
  if (inExpCone(r, s, t)) return { kind: 1, p: [r, s, t], rho: NaN };
  if (inExpDual(-r, -s, -t)) return { kind: 2, p: [0, 0, 0], rho: NaN };
  if (r <= 0 && s <= 0) return { kind: 3, p: [r, 0, Math.max(t, 0)], rho: NaN };
  // scan ρ = sinh(u)
  const U = 7;
  const steps = 56;
  let best = -Infinity;
  let bi = 0;
  for (let i = 0; i <= steps; i++) {
    const val = psi(r, s, t, Math.sinh(-U + (2 * U * i) / steps));
    if (val > best) {
      best = val;
      bi = i;
    }
  }
  let lo = Math.sinh(-U + (2 * U * Math.max(bi - 1, 0)) / steps);
  let hi = Math.sinh(-U + (2 * U * Math.min(bi + 1, steps)) / steps);
  // ψ′ > 0 left of the maximum, < 0 right of it
  for (let k = 0; k < 200 && hi - lo > 1e-15 * Math.max(1, Math.abs(lo), Math.abs(hi)); k++) {
    const mid = 0.5 * (lo + hi);
    if (dpsi(r, s, t, mid) > 0) lo = mid;
    else hi = mid;
  }
  const rho = 0.5 * (lo + hi);
  const er = Math.exp(rho);
  const dd = rho * rho + 1 + er * er;
  const y = Math.max(r * rho + s + t * er, 0) / dd;
  const p: [number, number, number] = [y * rho, y, y * er];
  // safeguard: the nearest feasible candidate
  const dist = (q: readonly number[]) => (q[0]! - r) ** 2 + (q[1]! - s) ** 2 + (q[2]! - t) ** 2;
  const c3: [number, number, number] = [Math.min(r, 0), 0, Math.max(t, 0)];
  if (!(y > 0) || !Number.isFinite(p[2]) || dist(c3) < dist(p)) {
    return dist(c3) <= r * r + s * s + t * t ? { kind: 3, p: c3, rho: NaN } : { kind: 2, p: [0, 0, 0], rho: NaN };
  }
  return { kind: 4, p, rho };
}

/** The case-4 Jacobian F (3×3 row-major) at the boundary point p = y·(ρ, 1, e^ρ) with multiplier μ. */
function boundaryJacobian(rho: number, y: number, mu: number, out: Float64Array): void {
  const er = Math.exp(rho);
  const g = [er, er * (1 - rho), -1];
  const c = y > 0 ? (mu * er) / y : 0;
  // K = [[I + μH, g], [gᵀ, 0]] (4×4); F = first 3 columns of K⁻¹ restricted to rows 0..2
  const K = new Float64Array(16);
  for (let i = 0; i < 3; i++) K[i * 4 + i] = 1;
  K[0] += c;
  K[1] += -c * rho;
  K[4] += -c * rho;
  K[5] += c * rho * rho;
  for (let i = 0; i < 3; i++) {
    K[i * 4 + 3] = g[i]!;
    K[3 * 4 + i] = g[i]!;
  }
  // invert the 4×4 by Gauss–Jordan with partial pivoting (symmetric indefinite, tiny)
  const M = new Float64Array(32);
  for (let i = 0; i < 4; i++) {
    for (let j = 0; j < 4; j++) M[i * 8 + j] = K[i * 4 + j]!;
    M[i * 8 + 4 + i] = 1;
  }
  for (let col = 0; col < 4; col++) {
    let piv = col;
    for (let i = col + 1; i < 4; i++) if (Math.abs(M[i * 8 + col]!) > Math.abs(M[piv * 8 + col]!)) piv = i;
    if (piv !== col) for (let j = 0; j < 8; j++) [M[col * 8 + j], M[piv * 8 + j]] = [M[piv * 8 + j]!, M[col * 8 + j]!];
    const d = M[col * 8 + col]!;
    for (let j = 0; j < 8; j++) M[col * 8 + j] /= d;
    for (let i = 0; i < 4; i++) {
      if (i === col) continue;
      const f = M[i * 8 + col]!;
      if (f !== 0) for (let j = 0; j < 8; j++) M[i * 8 + j] -= f * M[col * 8 + j]!;
    }
  }
  for (let i = 0; i < 3; i++) for (let j = 0; j < 3; j++) out[i * 3 + j] = M[i * 8 + 4 + j]!;
}

/**
 * Jacobian of Π_K at v = (r, s, t) into out (3×3 row-major), with the kink weights of the file
 * header (wB on ∂K, wP on the polar boundary, wT at t = 0 in case 3) for points within `ktol`
 * (relative) of a case boundary. Returns whether v was treated as on a kink.
 *
 * @example
 * const J = new Float64Array(9);
 * expConeJacobian(0, 1, 2, J, 1e-12, { wB: 0, wP: 0, wT: 0 }); // interior point: J = I
 */
export function expConeJacobian(r: number, s: number, t: number, out: Float64Array, ktol: number, weights: { wB: number; wP: number; wT: number }): boolean {
  out.fill(0);
  const pr = projectExpCone(r, s, t);
  const scale = Math.max(1, Math.abs(r), Math.abs(s), Math.abs(t));
  const F = new Float64Array(9);
  if (pr.kind === 4) {
    const [px, py, pz] = pr.p;
    const er = Math.exp(pr.rho);
    const g = [er, er * (1 - pr.rho), -1];
    const mu = ((r - px) * g[0]! + (s - py) * g[1]! + (t - pz) * g[2]!) / (g[0]! ** 2 + g[1]! ** 2 + 1);
    boundaryJacobian(pr.rho, py, Math.max(mu, 0), out);
    return false;
  }
  if (pr.kind === 1) {
    // on ∂K (g(v) ≈ 0 with s > 0)? blend with the tangent projector
    if (s > ktol * scale && Math.abs(s * Math.exp(r / s) - t) <= ktol * scale) {
      boundaryJacobian(r / s, s, 0, F);
      for (let i = 0; i < 9; i++) out[i] = weights.wB * F[i]!;
      for (let i = 0; i < 3; i++) out[i * 3 + i] += 1 - weights.wB;
      return true;
    }
    for (let i = 0; i < 3; i++) out[i * 3 + i] = 1;
    return false;
  }
  if (pr.kind === 2) {
    // on the polar cone's boundary: −v on ∂K*, u = −r < 0 with −u e^{v/u} = e·w, i.e. r e^{s/r − 1} = −t
    if (r > ktol * scale && Math.abs(r * Math.exp(s / r - 1) + t) <= ktol * scale) {
      // v = μ∇g at the ray ρ = 1 − s/r; the case-4 formula's limit there (y → 0⁺, μ∇²g → ∞ on
      // (1, −ρ, 0)) moves p along the ray only: F = d dᵀ/‖d‖², d = (ρ, 1, e^ρ)
      const rho = 1 - s / r;
      const d = [rho, 1, Math.exp(rho)];
      const dd = d[0]! ** 2 + 1 + d[2]! ** 2;
      for (let i = 0; i < 3; i++) for (let j = 0; j < 3; j++) out[i * 3 + j] = (weights.wP * d[i]! * d[j]!) / dd;
      return true;
    }
    return false;
  }
  // case 3: (min(r, 0), 0, max(t, 0)) (r > 0 only from the safeguard, at the edge of case 4)
  out[0] = r < 0 ? 1 : 0;
  if (Math.abs(t) <= ktol * scale) {
    out[8] = weights.wT;
    return true;
  }
  out[8] = t > 0 ? 1 : 0;
  return false;
}
