/**
 * @file Compile-time tests of the transform types (checked by `npm run typecheck` and by
 * test/autodiff.types.test.ts): gradients carry the parameters' type, argnums select argument types,
 * tree utilities keep the tree type, and misuse — a typo in a parameter name, a wrong argnums, a
 * positional axis — does not compile. Nothing here runs.
 */
import { grad, valueAndGrad, vjp, jvp, hvp, jacobian, hessian, treeMap, flatten, sum, mul, max, norm, tensor, type Tensor } from '../../src/index.js';

type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
function expectType<T extends true>(): T | void {}

interface Params {
  W1: Tensor;
  b1: Tensor;
  layers: { w: Tensor; b: Tensor }[];
}
declare const params: Params;
declare const x: Tensor;
const loss = (p: Params, data: Tensor): Tensor => sum(mul(p.W1, data));

// grad: the gradient has the parameters' type
const g = grad(loss)(params, x);
expectType<Equal<typeof g, Params>>();
g.W1.shape;
g.layers[0]!.w.shape;
// @ts-expect-error a typo in a parameter name does not compile
g.W3;

// argnums: a single index gives that argument's type, a tuple gives a tuple
const gData = grad(loss, { argnums: 1 })(params, x);
expectType<Equal<typeof gData, Tensor>>();
const both = grad(loss, { argnums: [0, 1] })(params, x);
expectType<Equal<typeof both, [Params, Tensor]>>();
// @ts-expect-error the gradient of argument 1 is a Tensor, not Params
grad(loss, { argnums: 1 })(params, x).W1;
// @ts-expect-error argnums is an options object, not a positional number
grad(loss, 1);
// @ts-expect-error unknown option
grad(loss, { argnum: 0 });

// valueAndGrad
const [value, gp] = valueAndGrad(loss)(params, x);
expectType<Equal<typeof value, Tensor>>();
expectType<Equal<typeof gp, Params>>();

// vjp / jvp / hvp keep argument and output types
const [out, pullback] = vjp((p: Params) => ({ y: sum(p.W1) }), params);
expectType<Equal<typeof out, { y: Tensor }>>();
const [ct] = pullback({ y: tensor(1) });
expectType<Equal<typeof ct, Params>>();
// @ts-expect-error the cotangent has the output's structure
pullback(tensor(1));
const [, tangentOut] = jvp((p: Params) => p.W1, [params], [params]);
expectType<Equal<typeof tangentOut, Tensor>>();
const hv = hvp((p: Params) => sum(p.W1), [params], [params]);
expectType<Equal<typeof hv, Params>>();
// @ts-expect-error hvp takes argument lists
hvp((v: Tensor) => sum(v), x, x);

// jacobian / hessian
expectType<Equal<ReturnType<ReturnType<typeof jacobian<[Tensor], 0>>>, Tensor>>();
const jj = jacobian((a: Tensor, b: Tensor) => mul(a, b), { argnums: [0, 1] })(x, x);
expectType<Equal<typeof jj, [Tensor, Tensor]>>();
expectType<Equal<ReturnType<ReturnType<typeof hessian<[Tensor]>>>, Tensor>>();
// @ts-expect-error mode is 'forward' or 'reverse'
jacobian((a: Tensor) => a, { mode: 'fwd' });

// tree utilities keep the tree type
const halved = treeMap(params, (t) => mul(t, 0.5));
expectType<Equal<typeof halved, Params>>();
const flat = flatten(params);
expectType<Equal<ReturnType<typeof flat.rebuild>, Params>>();

// reductions take options objects
max(x, { axis: 0, keepdims: true, kink: 'left' });
norm(x, { ord: 1, axis: [0] });
// @ts-expect-error a positional axis does not compile
sum(x, 0);
// @ts-expect-error a positional keepdims does not compile
max(x, { axis: 0 }, true);
