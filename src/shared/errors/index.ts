export * from './domain-error.js';
export * from './problem.js';
export * from './provider-failure.js';
