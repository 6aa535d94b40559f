/**
 * What the claims test's worker threads load (through Vite's module runner, figure-worker.mjs):
 * the in-process harness and this study, from one module graph.
 */
export { runLocal } from '../../kit/harness'
export { default as study } from './study'
