export { FaxArchive, type FaxArchiveOptions } from './archive.js';
export type * from './records.js';
export { recoverReceives, tiffPageCount, pdfIsComplete, type RecoverOptions } from './recover.js';
export {
  DEFAULT_SPOOL,
  DIR_MODE,
  FILE_MODE,
  SpoolLayout,
  privateDir,
  privateFile,
  writePrivateFile,
} from './spool.js';
export { receivedJson, sentJson } from './json.js';
