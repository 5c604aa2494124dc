export * from './domain-error.js';
export * from './problem.js';
