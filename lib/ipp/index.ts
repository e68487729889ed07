export * from './encoding.js';
export {
  CupsClient,
  IppError,
  Operation,
  getJobAttributes,
  getJobAttributesRequest,
  ippRequest,
  ippServer,
  localScheduler,
  type CupsJob,
  type CupsServer,
  type IppServer,
  type JobStateName,
} from './client.js';
