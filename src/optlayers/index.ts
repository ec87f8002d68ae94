/**
 * @file Differentiable optimisation layers: `solveQp` (batched convex QPs, interior point +
 * implicit KKT derivatives), `solveCone` (cone programs), ready-made projection layers and 1-D TV
 * denoising. See docs/optlayers.md.
 */
export { solveQp, type QpProblem, type QpOptions, type QpSolution, type QpStatus, type QpWarmStart, type QpDerivativeReport, type QpAdmmReport } from './qp.js';
export { projectSimplex, sparsemax, projectL1Ball, projectL2Ball, projectSoc, projectPsd, type ProjectionOptions } from './projections.js';
export { tvDenoise1d, type TvOptions } from './tv.js';
export { constrainedLstsq, type ConstrainedLstsqProblem, type ConstrainedLstsqOptions } from './least_squares.js';
export { solveCone, type ConeProblem, type ConeOptions, type ConeSolution, type ConeSpec, type ConeStatus, type ConeRunReport } from './cone.js';
