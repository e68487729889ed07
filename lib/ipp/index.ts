export * from './encoding.js';
export {
  CupsClient,
  IppError,
  Operation,
  type CupsJob,
  type CupsServer,
  type JobStateName,
} from './client.js';
