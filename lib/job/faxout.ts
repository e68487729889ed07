/**
 * The FaxOut job attributes (PWG 5100.15 §6.2) of the job being sent. CUPS 2.4.2 passes a
 * backend the integer and boolean ones in its options (`number-of-retries=2`,
 * `noconfirmation-sheet-print`) but leaves the collections out, so `destination-uris` and
 * `cover-sheet-info` are read from the local cupsd (lib/ipp, Get-Job-Attributes).
 */
import { getJobAttributes, ippCollection, type IppServer, type IppValue } from '../ipp/index.js';
import type { FaxDestination } from '../recipient/index.js';

/** PWG 5100.15 cover-sheet-info members lpfax puts on its cover page. */
export interface CoverSheetInfo {
  fromName?: string;
  toName?: string;
  organizationName?: string;
  subject?: string;
  message?: string;
}

export interface FaxOutAttributes {
  /** Every destination-uris value, in order (tel: or not). */
  destinations: FaxDestination[];
  /** Present when the client asked for a cover sheet. */
  coverSheet?: CoverSheetInfo;
  numberOfRetries?: number;
  /** Seconds. */
  retryInterval?: number;
  /** Seconds. */
  retryTimeOut?: number;
  confirmationSheetPrint?: boolean;
}

/** The attributes the backend asks cupsd for. */
export const FAXOUT_ATTRIBUTES = [
  'destination-uris',
  'cover-sheet-info',
  'number-of-retries',
  'retry-interval',
  'retry-time-out',
  'confirmation-sheet-print',
] as const;

function text(values: IppValue[] | undefined): string | undefined {
  const v = values?.[0];
  if (typeof v === 'string') return v;
  if (typeof v === 'number') return String(v);
  return undefined;
}

function integer(value: IppValue | string | undefined): number | undefined {
  const n = typeof value === 'string' ? (/^\d{1,9}$/.test(value.trim()) ? Number(value) : NaN) : value;
  return typeof n === 'number' && Number.isInteger(n) && n >= 0 ? n : undefined;
}

/**
 * The FaxOut attributes from the job's IPP attributes (`attributes`, when cupsd could be asked)
 * and its options (argv[5], `option`), the IPP ones first.
 */
export function faxOutAttributes(
  attributes: ReadonlyMap<string, IppValue[]>,
  option: (name: string) => string | undefined,
): FaxOutAttributes {
  const destinations: FaxDestination[] = [];
  for (const value of attributes.get('destination-uris') ?? []) {
    const c = ippCollection(value);
    const uri = c && text(c['destination-uri']);
    if (!c || uri === undefined) continue;
    destinations.push({
      uri,
      preDialString: text(c['pre-dial-string']),
      postDialString: text(c['post-dial-string']),
      t33Subaddress: text(c['t33-subaddress']),
    });
  }
  const cover = ippCollection(attributes.get('cover-sheet-info')?.[0]);
  const number = (name: string) => integer(attributes.get(name)?.[0] ?? option(name));
  const confirmation = attributes.get('confirmation-sheet-print')?.[0] ?? option('confirmation-sheet-print');
  return {
    destinations,
    coverSheet: cover && {
      fromName: text(cover['from-name']),
      toName: text(cover['to-name']),
      organizationName: text(cover['organization-name']),
      subject: text(cover.subject),
      message: text(cover.message),
    },
    numberOfRetries: number('number-of-retries'),
    retryInterval: number('retry-interval'),
    retryTimeOut: number('retry-time-out'),
    confirmationSheetPrint:
      typeof confirmation === 'boolean'
        ? confirmation
        : confirmation === undefined
          ? undefined
          : confirmation === 'true',
  };
}

/**
 * The job's FaxOut attributes, asking the local cupsd for the collections. When cupsd cannot be
 * asked (the backend run by hand, or cupsd refuses), only the options count; `warn` says why.
 */
export async function readFaxOutAttributes(
  scheduler: IppServer | undefined,
  jobId: number,
  user: string,
  option: (name: string) => string | undefined,
  warn: (text: string) => void,
): Promise<FaxOutAttributes> {
  let attributes: ReadonlyMap<string, IppValue[]> = new Map();
  if (scheduler) {
    try {
      attributes = await getJobAttributes(scheduler, jobId, user, FAXOUT_ATTRIBUTES);
    } catch (e) {
      warn(
        `could not read the job's FaxOut attributes from cupsd: ${e instanceof Error ? e.message : String(e)}`,
      );
    }
  }
  return faxOutAttributes(attributes, option);
}
