/** lib/fax: one fax call — the T.30 core, a transport (Class 1 modem today) and the page codec. */
export { sendFax, type SendFaxOptions, type FaxResult, type FaxProgress } from './send.js';
export { Class1Transport } from './class1.js';
export { FaxTransportError, type FaxTransport, type ReceivedFrame } from './transport.js';
export { PageSource, codePage, fitWidth } from './pages.js';
export { failureKindOf, modemFailure, type ModemStage } from './modem-failure.js';
export {
  receiveFax,
  type ReceiveFaxOptions,
  type ReceivedFaxPage,
  type ReceiveResult,
  type ReceiveProgress,
  type FaxReception,
} from './receive.js';
export { Class1ReceiveTransport } from './class1-receive.js';
export type { FaxReceiveTransport, AnswerOptions, RingInfo } from './receive-transport.js';
export { ReceivedFaxWriter, ReceivedFaxStoreError, type ReceivedFaxFiles, type StoredPage } from './store.js';
