// `credly-microcredentials/testing`: helpers for testing code that uses this library.
// The fake Credly server lands here (issue #4).
export { VERSION } from '../version.js';
