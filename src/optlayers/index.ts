/**
 * @file Differentiable optimisation layers: `solveQp` (batched convex QPs, interior point +
 * implicit KKT derivatives) and ready-made projection layers. See docs/optlayers.md.
 */
export { solveQp, type QpProblem, type QpOptions, type QpSolution, type QpStatus, type QpWarmStart, type QpDerivativeReport } from './qp.js';
export { projectSimplex, sparsemax, projectL1Ball, projectL2Ball, projectSoc, type ProjectionOptions } from './projections.js';
export { tvDenoise1d, type TvOptions } from './tv.js';
