/**
 * Every lpfax setting in one table: its lpfax.conf key, built-in default, value parser, and the
 * names under which a queue (device URI query, PPD `*Default…`) or a job (`lp -o`) may set it.
 *
 * Only settings a user may sensibly choose per job have job option names: paper, resolution,
 * ECM, cover page, sender name and a lower speed. The modem, the identity the fax carries (TSI,
 * tagline), the dial rules and the dial policy are the administrator's: a print job cannot
 * change them.
 */

import type { BackendLogLevel } from '../cups/backend.js';
import type { Paper, Resolution } from '../itu/page.js';
import type { DialPolicy } from '../recipient/policy.js';
import type { DialRules } from '../recipient/dialrules.js';
import {
  absolutePath,
  atCommand,
  boolean,
  byteSize,
  callerPatterns,
  dialPatterns,
  digits,
  firstOfList,
  hostAddress,
  integerIn,
  integerRange,
  mailList,
  oneOf,
  outsidePrefix,
  pathList,
  queueName,
  stationId,
  taglineFormat,
  text,
  type Parser,
} from './values.js';

export const FAX_SPEEDS = [2400, 4800, 7200, 9600, 12000, 14400] as const;
export type FaxSpeed = (typeof FAX_SPEEDS)[number];
export type CoverPageMode = 'on' | 'off' | 'auto';
export type RtnHandling = 'retransmit' | 'ignore' | 'giveup';
/** LogLevel: which message lines the backend writes (lib/cups/backend atLogLevel). */
export type ConfigLogLevel = BackendLogLevel;
export type SubaddressFallback = 'fail' | 'send-without';

export interface SettingSpec<T> {
  /** The lpfax.conf key (matched case-insensitively). */
  readonly key: string;
  /** Other spellings accepted in lpfax.conf. */
  readonly aliases?: readonly string[];
  /** The built-in default, as text, parsed like any other value. */
  readonly default: string;
  readonly parse: Parser<T>;
  /** Device URI query names besides the key itself (`fax:/dev/ttyS0?speed=9600`). */
  readonly uri?: readonly string[];
  /** Job option names (`lp -o name=value`), highest priority first; also the PPD keyword. */
  readonly job?: readonly string[];
  /** A list: a repeated key adds to it instead of being an error. */
  readonly list?: boolean;
}

const spec = <T>(s: SettingSpec<T>): SettingSpec<T> => s;

export const SETTINGS = {
  // Modem.
  modemDevice: spec({ key: 'ModemDevice', default: '/dev/ttyS0', parse: absolutePath(), uri: ['device'] }),
  modemBaud: spec({
    key: 'ModemBaud',
    default: '19200',
    parse: integerIn([9600, 19200, 38400, 57600, 115200] as const),
    uri: ['baud'],
  }),
  modemClass: spec({
    key: 'ModemClass',
    aliases: ['Class'],
    default: '1',
    parse: oneOf(['1', '1.0'] as const),
    uri: ['class'],
  }),
  modemInit: spec({ key: 'ModemInit', default: 'AT&F', parse: atCommand, uri: ['init'] }),
  maxSpeed: spec({
    key: 'MaxSpeed',
    default: '14400',
    parse: integerIn(FAX_SPEEDS),
    uri: ['speed'],
    job: ['MaxSpeed', 'speed'],
  }),
  lockDir: spec({ key: 'LockDir', default: '/var/lock', parse: absolutePath(), uri: ['lockdir'] }),
  // Identity.
  localIdentifier: spec({ key: 'LocalIdentifier', aliases: ['StationId'], default: '', parse: stationId }),
  senderName: spec({ key: 'SenderName', default: '', parse: text(100), job: ['SenderName'] }),
  organisation: spec({ key: 'Organisation', aliases: ['Organization'], default: '', parse: text(100) }),
  faxNumber: spec({ key: 'FaxNumber', default: '', parse: text(40) }),
  voiceNumber: spec({ key: 'VoiceNumber', default: '', parse: text(40) }),
  // Dial rules.
  countryCode: spec({ key: 'CountryCode', default: '', parse: digits(3) }),
  areaCode: spec({ key: 'AreaCode', default: '', parse: digits(6) }),
  longDistancePrefix: spec({ key: 'LongDistancePrefix', default: '', parse: digits(4) }),
  internationalPrefix: spec({ key: 'InternationalPrefix', default: '00', parse: digits(5) }),
  outsideLinePrefix: spec({ key: 'OutsideLinePrefix', default: '', parse: outsidePrefix, uri: ['prefix'] }),
  dialMode: spec({
    key: 'DialMode',
    default: 'tone',
    parse: oneOf(['tone', 'pulse'] as const),
    uri: ['dial'],
  }),
  // T.30 subaddress (SUB) of a `number#subaddress` the far end does not accept (no DIS bit 49).
  subaddressFallback: spec({
    key: 'SubaddressFallback',
    default: 'fail',
    parse: oneOf(['fail', 'send-without'] as const),
  }),
  // Dial policy.
  dialAllow: spec({ key: 'DialAllow', default: '', parse: dialPatterns, list: true }),
  dialDeny: spec({ key: 'DialDeny', default: '', parse: dialPatterns, list: true }),
  // Cover page.
  coverPage: spec({
    key: 'CoverPage',
    default: 'auto',
    parse: oneOf(['on', 'off', 'auto'] as const, {
      true: 'on',
      yes: 'on',
      false: 'off',
      no: 'off',
      none: 'off',
    }),
    job: ['CoverPage', 'cover'],
  }),
  coverTemplate: spec({ key: 'CoverTemplate', default: '', parse: absolutePath(true) }),
  coverNotice: spec({ key: 'CoverNotice', default: '', parse: text(400) }),
  // Tagline (T.30 does not require one; 47 CFR 68.318(d) does in the US).
  tagline: spec({ key: 'Tagline', default: 'on', parse: boolean }),
  taglineFormat: spec({
    key: 'TaglineFormat',
    default: 'From %%s %%n|%c|Page %%P of %%T',
    parse: taglineFormat,
  }),
  // Pages.
  pageSize: spec({
    key: 'PageSize',
    default: 'a4',
    parse: firstOfList(
      oneOf(['a4', 'letter', 'legal'] as const, {
        iso_a4_210x297mm: 'a4',
        'na_letter_8.5x11in': 'letter',
        'na_legal_8.5x14in': 'legal',
      }),
    ),
    uri: ['paper'],
    job: ['PageSize', 'media'],
  }),
  resolution: spec({
    key: 'Resolution',
    default: 'fine',
    parse: oneOf(['standard', 'fine', 'superfine'] as const, {
      '204x98dpi': 'standard',
      '204x196dpi': 'fine',
      '204x391dpi': 'superfine',
      normal: 'standard',
      '3': 'standard',
      '4': 'fine',
      '5': 'superfine',
    }),
    uri: ['resolution'],
    job: ['Resolution', 'print-quality'],
  }),
  ecm: spec({ key: 'ECM', default: 'on', parse: boolean, uri: ['ecm'], job: ['ECM'] }),
  // T.30 Annex A.1.3: the sender chooses 256- or 64-octet ECM frames in its DCS.
  ecmFrameSize: spec({ key: 'ECMFrameSize', default: '256', parse: oneOf(['256', '64'] as const) }),
  // T.85 (JBIG) pages with ECM when the far end offers them, sent and offered (T.30 DIS bits 78, 79).
  jbig: spec({ key: 'JBIG', default: 'on', parse: boolean }),
  // Retries within one call.
  rtnHandling: spec({
    key: 'RTNHandling',
    default: 'retransmit',
    parse: oneOf(['retransmit', 'ignore', 'giveup'] as const),
  }),
  maxRetrains: spec({ key: 'MaxRetrains', default: '3', parse: integerRange(0, 10) }),
  logLevel: spec({
    key: 'LogLevel',
    default: 'info',
    parse: oneOf(['error', 'warning', 'info', 'debug'] as const),
  }),
  // The fax service (`lpfax serve`, lib/service): receiving and delivery.
  receiveDevices: spec({ key: 'ReceiveDevices', default: '', parse: pathList, list: true }),
  answerRings: spec({ key: 'AnswerRings', default: '1', parse: integerRange(1, 20) }),
  spoolDir: spec({ key: 'SpoolDir', default: '/var/spool/lpfax', parse: absolutePath() }),
  deliverMail: spec({ key: 'DeliverMail', default: '', parse: mailList, list: true }),
  deliverFolder: spec({ key: 'DeliverFolder', default: '', parse: absolutePath(true) }),
  deliverPrint: spec({ key: 'DeliverPrint', default: '', parse: queueName }),
  // Where a job's confirmation sheet is printed when its IPP client asks (confirmation-sheet-print).
  confirmationPrinter: spec({ key: 'ConfirmationPrinter', default: '', parse: queueName }),
  deliverHook: spec({ key: 'DeliverHook', default: '', parse: absolutePath(true) }),
  rejectCallers: spec({ key: 'RejectCallers', default: '', parse: callerPatterns, list: true }),
  minFreeSpace: spec({ key: 'MinFreeSpace', default: '20MB', parse: byteSize }),
  // The web page (issue 16, web/): started by `lpfax serve` once the users file exists.
  usersFile: spec({ key: 'UsersFile', default: '/etc/lpfax/users', parse: absolutePath() }),
  webAddress: spec({ key: 'WebAddress', default: '127.0.0.1', parse: hostAddress }),
  webPort: spec({ key: 'WebPort', default: '8631', parse: integerRange(0, 65535) }),
  webInbox: spec({ key: 'WebInbox', default: 'all', parse: oneOf(['all', 'admins'] as const) }),
  webUploadLimit: spec({ key: 'WebUploadLimit', default: '20', parse: integerRange(1, 200) }),
  webTlsCertificate: spec({ key: 'WebTlsCertificate', default: '', parse: absolutePath(true) }),
  webTlsKey: spec({ key: 'WebTlsKey', default: '', parse: absolutePath(true) }),
};

export type SettingName = keyof typeof SETTINGS;

/** The settings only the fax service reads (FaxSettings.service); a print job ignores them. */
export const SERVICE_SETTINGS: readonly SettingName[] = [
  'receiveDevices',
  'answerRings',
  'spoolDir',
  'deliverMail',
  'deliverFolder',
  'deliverPrint',
  'deliverHook',
  'rejectCallers',
  'minFreeSpace',
];

/** The settings only the web page reads (FaxSettings.web); test/web/config-keys.test.ts has a row each. */
export const WEB_SETTINGS: readonly SettingName[] = [
  'usersFile',
  'webAddress',
  'webPort',
  'webInbox',
  'webUploadLimit',
  'webTlsCertificate',
  'webTlsKey',
];
type ValueOf<S> = S extends SettingSpec<infer T> ? T : never;
/** Every setting by its name in the table, typed. */
export type FlatSettings = { -readonly [N in SettingName]: ValueOf<(typeof SETTINGS)[N]> };

export interface FaxSettings {
  readonly modem: {
    readonly device: string;
    /** Serial port speed (DTE rate), bit/s. */
    readonly baud: number;
    readonly modemClass: '1' | '1.0';
    readonly init: string;
    /** Highest fax signalling rate to offer, bit/s. */
    readonly maxSpeed: FaxSpeed;
    readonly lockDirectory: string;
  };
  readonly identity: {
    /** TSI, T.30 §5.3.6.2.4. */
    readonly stationId: string;
    readonly senderName: string;
    readonly organisation: string;
    readonly faxNumber: string;
    readonly voiceNumber: string;
  };
  readonly dialRules: DialRules & { readonly dialMode: 'tone' | 'pulse' };
  readonly dialPolicy: DialPolicy;
  /** A subaddress the far end cannot take: hold the job ('fail') or send without it. */
  readonly subaddressFallback: SubaddressFallback;
  readonly coverPage: { readonly mode: CoverPageMode; readonly template: string; readonly notice: string };
  readonly tagline: { readonly enabled: boolean; readonly format: string };
  readonly page: {
    readonly paper: Paper;
    readonly resolution: Resolution;
    readonly ecm: boolean;
    readonly ecmFrameSize: 256 | 64;
    /** Send and accept T.85 (JBIG) pages. */
    readonly jbig: boolean;
  };
  readonly retry: { readonly rtn: RtnHandling; readonly maxRetrains: number };
  readonly logLevel: ConfigLogLevel;
  /** The CUPS queue for confirmation sheets ('' none). */
  readonly confirmationPrinter: string;
  /** The fax service: where it answers and what it does with a received fax. */
  readonly service: {
    /** Modems the service answers on (none: it does not answer). */
    readonly receiveDevices: readonly string[];
    readonly answerRings: number;
    readonly spoolDir: string;
    readonly deliverMail: readonly string[];
    readonly deliverFolder: string;
    readonly deliverPrint: string;
    /** A program run with the fax's facts in LPFAX_* variables. */
    readonly deliverHook: string;
    /** Patterns of TSIs and caller IDs whose calls are refused. */
    readonly rejectCallers: readonly string[];
    /** Below this many free bytes in the spool the service does not answer. */
    readonly minFreeSpace: number;
  };
  /** The web page (web/) and its users. */
  readonly web: {
    readonly usersFile: string;
    readonly address: string;
    /** 0: no web page. */
    readonly port: number;
    /** Who sees received faxes: every user, or admins only. */
    readonly inbox: 'all' | 'admins';
    /** Largest upload, MB. */
    readonly uploadLimitMb: number;
    readonly tlsCertificate: string;
    readonly tlsKey: string;
  };
}

export function toFaxSettings(s: FlatSettings): FaxSettings {
  return {
    modem: {
      device: s.modemDevice,
      baud: s.modemBaud,
      modemClass: s.modemClass,
      init: s.modemInit,
      maxSpeed: s.maxSpeed,
      lockDirectory: s.lockDir,
    },
    identity: {
      stationId: s.localIdentifier,
      senderName: s.senderName,
      organisation: s.organisation,
      faxNumber: s.faxNumber,
      voiceNumber: s.voiceNumber,
    },
    dialRules: {
      countryCode: s.countryCode,
      areaCode: s.areaCode,
      longDistancePrefix: s.longDistancePrefix,
      internationalPrefix: s.internationalPrefix,
      outsideLinePrefix: s.outsideLinePrefix,
      dialMode: s.dialMode,
    },
    dialPolicy: { allow: s.dialAllow, deny: s.dialDeny },
    subaddressFallback: s.subaddressFallback,
    coverPage: { mode: s.coverPage, template: s.coverTemplate, notice: s.coverNotice },
    tagline: { enabled: s.tagline, format: s.taglineFormat },
    page: {
      paper: s.pageSize,
      resolution: s.resolution,
      ecm: s.ecm,
      ecmFrameSize: s.ecmFrameSize === '64' ? 64 : 256,
      jbig: s.jbig,
    },
    retry: { rtn: s.rtnHandling, maxRetrains: s.maxRetrains },
    logLevel: s.logLevel,
    confirmationPrinter: s.confirmationPrinter,
    service: {
      receiveDevices: s.receiveDevices,
      answerRings: s.answerRings,
      spoolDir: s.spoolDir,
      deliverMail: s.deliverMail,
      deliverFolder: s.deliverFolder,
      deliverPrint: s.deliverPrint,
      deliverHook: s.deliverHook,
      rejectCallers: s.rejectCallers,
      minFreeSpace: s.minFreeSpace,
    },
    web: {
      usersFile: s.usersFile,
      address: s.webAddress,
      port: s.webPort,
      inbox: s.webInbox,
      uploadLimitMb: s.webUploadLimit,
      tlsCertificate: s.webTlsCertificate,
      tlsKey: s.webTlsKey,
    },
  };
}

/** lpfax.conf keys and aliases, lower-cased, to setting names. */
export const KEY_INDEX: ReadonlyMap<string, SettingName> = new Map(
  (Object.entries(SETTINGS) as Array<[SettingName, SettingSpec<unknown>]>).flatMap(([name, s]) =>
    [s.key, ...(s.aliases ?? [])].map((k) => [k.toLowerCase(), name] as const),
  ),
);
