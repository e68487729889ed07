export type * from './actions.js';
export { actionLabel } from './actions.js';
export { expandPattern, factsEnvironment, faxSubject, fileNamePart, senderOf } from './facts.js';
export { buildMail, encodeHeaderText, type MailAttachment, type MailMessage } from './mime.js';
export {
  DEFAULT_FOLDER_PATTERN,
  copyFaxToFolder,
  mailFax,
  printFax,
  printFile,
  runAction,
  runHook,
  sendMail,
} from './run-action.js';
export {
  DEFAULT_RETRY_DELAYS_SECONDS,
  DeliveryRunner,
  type DeliveryDetail,
  type DeliveryRunnerOptions,
} from './runner.js';
