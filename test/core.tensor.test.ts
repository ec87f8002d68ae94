/**
 * @file Core validation and printing: bad shapes, values and arguments are typed errors naming the
 * public function, the argument and the problem; tensors print as NumPy-like nested arrays.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { inspect } from 'node:util';
import {
  tensor, scalar, zeros, ones, eye, arange, linspace, rng, add, mul, matmul, sum, mean, mse, relu, max, norm, clip, grad, jacobian,
  hessian, valueAndGrad, vjp, jvp, hvp, cumsum, softmax, Tensor, ShapeError, InvalidArgumentError,
} from '../src/index.js';

function throwsWith(fn: () => unknown, cls: new (...a: never[]) => Error, ...parts: string[]): void {
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof cls, `expected ${cls.name}, got ${(e as Error)?.constructor?.name}: ${(e as Error)?.message}`);
    for (const p of parts) assert.ok((e as Error).message.includes(p), `message ${JSON.stringify((e as Error).message)} should include ${JSON.stringify(p)}`);
    return true;
  });
}

test('shapes: negative, fractional or huge shapes are typed errors naming the function', () => {
  throwsWith(() => tensor([1, 2], [-1, -2]), ShapeError, 'tensor()', 'shape', '-1');
  throwsWith(() => zeros([2, 1.5]), ShapeError, 'zeros()', '1.5');
  throwsWith(() => zeros([1e6, 1e6]), InvalidArgumentError, 'zeros(): shape [1000000, 1000000] has 1e12 elements, more than a Float64Array can hold');
  throwsWith(() => ones([-3]), ShapeError, 'ones()');
  throwsWith(() => eye(-1), ShapeError, 'eye()');
  throwsWith(() => linspace(0, 1, 2.5), InvalidArgumentError, 'linspace()', 'num');
  throwsWith(() => arange(0, 1, 0), InvalidArgumentError, 'arange()', 'step');
  throwsWith(() => tensor([[1, 2], [3]]), ShapeError, 'tensor()', 'ragged', 'values[1]');
  throwsWith(() => tensor([1, 'a' as unknown as number]), InvalidArgumentError, 'tensor()', 'values[1]', "the string 'a'");
  throwsWith(() => tensor(undefined as unknown as number), InvalidArgumentError, 'tensor()', 'undefined');
  throwsWith(() => scalar('1' as unknown as number), InvalidArgumentError, 'scalar()');
  throwsWith(() => rng(1).normal(undefined as unknown as number[]), InvalidArgumentError, 'rng().normal()', 'shape', 'undefined');
  throwsWith(() => rng(1).uniform([2], 'a' as unknown as number), InvalidArgumentError, 'rng().uniform()', 'low');
});

test('op arguments: anything but a Tensor, a number or nested number arrays is an InvalidArgumentError naming function and argument', () => {
  const x = tensor([1, 2]);
  throwsWith(() => matmul(x, undefined as unknown as Tensor), InvalidArgumentError, 'matmul(): argument b must be a Tensor, number or nested number array, got undefined');
  throwsWith(() => add(x, 'abc' as unknown as number), InvalidArgumentError, "add(): argument b must be a Tensor, number or nested number array, got the string 'abc'");
  throwsWith(() => relu({} as unknown as Tensor), InvalidArgumentError, 'relu(): argument x', 'an object');
  throwsWith(() => sum(null as unknown as Tensor), InvalidArgumentError, 'sum(): argument x', 'null');
  throwsWith(() => mul(x, [[1], [2, 3]]), ShapeError, 'mul(): argument b', 'ragged');
  // nested arrays and numbers are accepted everywhere, like tensors
  assert.deepEqual(sum([[1, 2], [3, 4]], { axis: 0 }).toArray(), [4, 6]);
  assert.equal(mean([1, 2, 3]).item(), 2);
  assert.equal(mse([1, 2], [0, 0]).item(), 2.5);
  assert.deepEqual(matmul([[1, 0], [0, 2]], [1, 1]).toArray(), [1, 2]);
});

test('options objects: unknown keys throw with a suggestion, wrong types are typed errors', () => {
  const x = tensor([[1, 2], [3, 4]]);
  throwsWith(() => sum(x, { axes: 0 } as never), InvalidArgumentError, "sum(): unknown option 'axes' (did you mean 'axis'?)");
  throwsWith(() => max(x, { keepDims: true } as never), InvalidArgumentError, "max(): unknown option 'keepDims' (did you mean 'keepdims'?)");
  throwsWith(() => norm(x, { order: 1 } as never), InvalidArgumentError, "norm(): unknown option 'order'");
  throwsWith(() => relu(x, { knik: 'left' } as never), InvalidArgumentError, "relu(): unknown option 'knik' (did you mean 'kink'?)");
  throwsWith(() => clip(x, 0, 1, { knik: 'left' } as never), InvalidArgumentError, "clip(): unknown option 'knik'");
  throwsWith(() => cumsum(x, { revers: true } as never), InvalidArgumentError, "cumsum(): unknown option 'revers'");
  throwsWith(() => softmax(x, { axes: 0 } as never), InvalidArgumentError, "softmax(): unknown option 'axes'");
  throwsWith(() => matmul(x, x, { transposeA: true } as never), InvalidArgumentError, "matmul(): unknown option 'transposeA'");
  throwsWith(() => sum(x, { keepdims: 1 } as never), InvalidArgumentError, 'sum(): option keepdims must be a boolean');
  throwsWith(() => grad((v: Tensor) => sum(v), { argnum: 0 } as never), InvalidArgumentError, "grad(): unknown option 'argnum' (did you mean 'argnums'?)");
  throwsWith(() => jacobian((v: Tensor) => v, { mode: 'fwd' as never }), InvalidArgumentError, "jacobian(): mode must be 'forward' or 'reverse'");
  throwsWith(() => hessian((v: Tensor) => sum(v), { argnums: [0] as never }), InvalidArgumentError, 'hessian(): argnums must be one argument index');
  throwsWith(() => grad((v: Tensor) => sum(v), { argnums: 2 })(x), InvalidArgumentError, 'grad(): argnums 2 is out of range for 1 argument');
});

test('differentiated arguments must hold tensors only: the error names the argument and the leaf path', () => {
  const f = (p: unknown) => sum(p as Tensor);
  throwsWith(() => grad(f)([1, 2]), InvalidArgumentError, 'grad(): argument 0', 'leaf [0]', 'the number 1');
  throwsWith(() => valueAndGrad((p: { w: Tensor; b: number }) => sum(p.w))({ w: tensor([1]), b: 0 }), InvalidArgumentError, 'valueAndGrad(): argument 0', 'leaf .b');
  throwsWith(() => grad((a: Tensor, b: unknown) => sum(a), { argnums: [0, 1] })(tensor([1]), { layers: [tensor([1]), 'x'] }), InvalidArgumentError, 'argument 1', '.layers[1]');
  throwsWith(() => vjp((a: number) => tensor([a]), 3), InvalidArgumentError, 'vjp(): argument 0');
  throwsWith(() => jvp((a: Tensor) => a, tensor([1]) as never, tensor([1]) as never), InvalidArgumentError, 'jvp(): primals and tangents must be argument lists');
  throwsWith(() => hvp((a: Tensor) => sum(a), tensor([1]) as never, tensor([1]) as never), InvalidArgumentError, 'hvp(): primals and tangents must be argument lists');
  // a non-differentiated argument may hold anything
  assert.deepEqual(grad((a: Tensor, cfg: { scale: number }) => sum(mul(a, cfg.scale)))(tensor([1, 2]), { scale: 3 }).toArray(), [3, 3]);
});

test('printing: NumPy-like nested arrays, shape where the brackets do not show it', () => {
  assert.equal(String(tensor([0, 0, 1])), 'tensor([0, 0, 1])');
  assert.equal(String(tensor([[1, 2], [3, 4]])), 'tensor([[1, 2], [3, 4]])');
  assert.equal(String(scalar(2.5)), 'tensor(2.5)');
  assert.equal(String(tensor([1 / 3, -0, NaN, -Infinity])), 'tensor([0.33333333, 0, NaN, -Infinity])');
  assert.equal(String(zeros([0, 3])), 'tensor([], shape=[0, 3])');
  assert.equal(inspect(tensor([1, 2])), 'tensor([1, 2])');
  assert.equal(inspect({ g: tensor([1]) }), '{ g: tensor([1]) }');
  const big = String(arange(2000));
  assert.equal(big, 'tensor([0, 1, 2, ..., 1997, 1998, 1999], shape=[2000])');
  assert.equal(String(arange(3000).data.length), '3000');
  const bigM = String(zeros([1000, 2]));
  assert.ok(bigM.startsWith('tensor([[0, 0], [0, 0], [0, 0], ..., [0, 0]') && bigM.endsWith('shape=[1000, 2])'), bigM);
  // inside a transformation the tracer says so
  let seen = '';
  grad((v: Tensor) => {
    seen = String(v);
    return sum(v);
  })(tensor([1, 2]));
  assert.equal(seen, 'tensor([1, 2], traced)');
});
