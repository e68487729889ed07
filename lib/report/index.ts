export { fillTemplate, psBytes, psNumber, psText } from './postscript.js';
export {
  A4_POINTS,
  resultSentenceOf,
  transmissionFactsOf,
  transmissionReportPostScript,
  writeTransmissionReport,
  type FirstPage,
  type TransmissionFacts,
  type TransmissionReportOptions,
} from './transmission.js';
