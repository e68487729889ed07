/** Recipients: job title → recipients → dial strings, under the dial rules and the dial policy. */
export * from './title.js';
export * from './dialrules.js';
export * from './policy.js';
export * from './forjob.js';
export * from './tel.js';
