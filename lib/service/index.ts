export { servicePlan, type ServicePlan } from './plan.js';
export { rebuildPdf, resultOf, runFaxService, type FaxServiceOptions } from './serve.js';
export { rejectedBy } from './screen.js';
export { freeBytes, SpaceWatch, type StatFs } from './space.js';
