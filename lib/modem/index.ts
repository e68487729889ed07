/** lib/modem: ITU-T T.31 / EIA-578 Class 1 fax modem driver over serialport. */
export { ModemError, isModemError, type ModemErrorKind, type ModemErrorDetails } from './errors.js';
export {
  AtChannel,
  type AtResponse,
  type AtTrace,
  type CommandOptions,
  type SerialPortLike,
} from './at-channel.js';
export { AtParser, parseResultCode, type AtEvent, type ResultCode } from './at-parser.js';
export { dleShield, dleFrame, dleUnshield, DleUnshielder, DLE, ETX, SUB, DLE_ETX } from './dle.js';
export {
  crc16Itu,
  fcs,
  flagsFor,
  hasValidFcs,
  hdlcBitStream,
  HdlcDeframer,
  type DeframedFrame,
  type HdlcStreamOptions,
  isFinalFrame,
  HDLC_FLAG,
} from './hdlc.js';
export { type ModemIdentity, type Class1Capabilities } from './identify.js';
export { defaultPortFactory, type PortFactory, type PortSettings, type FlowControl } from './port.js';
export {
  Class1Modem,
  type Class1OpenOptions,
  type InitOptions,
  type DialOptions,
  type ReceiveOptions,
  type HdlcOptions,
} from './class1.js';
export { T31Session, resultError, type ReceiveDataOptions, type ReceivedData } from './t31.js';
export {
  acquireUucpLock,
  lockOwner,
  lockFilePath,
  lockDirectory,
  UucpLock,
  type UucpLockOptions,
} from './uucp-lock.js';
export {
  discoverModems,
  listSerialDevices,
  probeDevice,
  type DiscoveryOptions,
  type DiscoveredDevice,
} from './discovery.js';
export { parseCallerId, type CallerId } from './caller-id.js';
export {
  LineBusyError,
  SHARE_WAIT_MS,
  markReceiving,
  openForSending,
  receivingFile,
  sendRequestFile,
  sendRequested,
  waitForLineFree,
} from './line-share.js';
