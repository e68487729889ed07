export { servicePlan, type ServicePlan } from './plan.js';
export { rebuildPdf, resultOf, runFaxService, type FaxServiceOptions } from './serve.js';
