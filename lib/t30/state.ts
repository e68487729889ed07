/**
 * The T.30 sender's state machine, as tables.
 *
 * Theory of operation
 * -------------------
 * A G3 fax call is a half-duplex conversation of commands and responses (T.30 §5, Figure 5-2).
 * The sender (the caller, here) drives it:
 *
 *   Phase B  wait for the far end's NSF/CSI/DIS (timer T1, 35 s); answer with TSI + DCS, 75 ms
 *            of silence, then TCF (1.5 s of zeros) at the chosen message speed; the far end says
 *            CFR (trained) or FTT (try a lower speed).
 *   Phase C  the page at the message speed: one coded page (non-ECM), or ECM partial pages of
 *            up to 256 numbered FCD frames closed by three RCP frames (T.4 Annex A).
 *   Phase D  the post-page command — MPS (another page follows), EOP (last page); with ECM, PPS
 *            carrying that command — answered by MCF, RTP, RTN, PIP, PIN, or with ECM PPR
 *            (frames to send again), RNR (wait), ERR (answer to EOR); a DIS there means the far
 *            end missed the page: phase B again, then the page (or partial page) once more.
 *   Phase E  DCN, then hang up. Every path, including errors and cancellation, ends here.
 *
 * Each command goes out after 75 ms of silence and waits for its response (T4, 3 s); without
 * one, or on CRP, or after a frame with a bad FCS, the command is sent again, three
 * transmissions in all (T.30 §5.3.2). V.17 page data uses short training after an accepted TCF
 * at the same speed, long training after CTC/CTR.
 *
 * The core is a pure state machine (like h11): `T30Sender.handle(event)` returns the actions for
 * the caller to perform, in order. Every batch ends in an action that produces the next event:
 * receiveFrame (→ frameReceived / receiveTimeout / timerExpired), preparePage (→ pageReady /
 * pageFailed), or hangup (the end). The tables below say which response leads where; the
 * handlers in sender.ts (and ecm-sender.ts for ECM pages) carry out the reactions. Frames and
 * DIS/DCS bits (frames.ts, dis.ts) and the modulations (modulation.ts) are shared with the
 * receiving side to come; nothing here knows Class 1 or T.38.
 */

import type { FcfName } from './fcf.js';

export type SenderState =
  /** Not started: waiting for 'connected'. */
  | 'idle'
  /** Phase B: receiving NSF/CSI/DIS, T1 running. */
  | 'awaitDis'
  /** Phase B: TSI/DCS/TCF sent, waiting for CFR/FTT. */
  | 'awaitTrainingResponse'
  /** Phase C: waiting for the caller to code the next page. */
  | 'awaitPage'
  /** Phase D (non-ECM): MPS/EOP sent. */
  | 'awaitPostPageResponse'
  /** Phase D (ECM): PPS sent. */
  | 'awaitPpsResponse'
  /** Phase D (ECM): RR sent after RNR, T5 running. */
  | 'awaitRrResponse'
  /** Phase D (ECM): CTC sent after the fourth PPR. */
  | 'awaitCtr'
  /** Phase D (ECM): EOR sent. */
  | 'awaitEorResponse'
  /** Phase E done: hung up. */
  | 'done';

/** What a response makes the sender do; each is a handler in sender.ts. */
export type Reaction =
  | 'remoteCapabilities'
  | 'capabilitiesAgain'
  | 'trained'
  | 'trainingFailed'
  | 'repeatCommand'
  | 'pageConfirmed'
  | 'pageConfirmedRetrain'
  | 'pageRejected'
  | 'pageMissed'
  | 'blockConfirmed'
  | 'framesRejected'
  | 'receiverNotReady'
  | 'speedChanged'
  | 'blockAbandoned'
  | 'remoteDisconnected';

type ResponseTable = Partial<Record<FcfName, Reaction>>;

const ECM_BLOCK_RESPONSES: ResponseTable = {
  // T.30 §A.4: MCF confirms the partial page; PIP is a positive answer with an interrupt request,
  // which an unattended sender treats as MCF.
  MCF: 'blockConfirmed',
  PIP: 'blockConfirmed',
  PPR: 'framesRejected',
  RNR: 'receiverNotReady',
  CRP: 'repeatCommand',
  // DIS: the far end never received the partial page and went back to phase B (see below).
  DIS: 'pageMissed',
  DCN: 'remoteDisconnected',
};

/**
 * Final frames that end a wait, by state. NSF and CSI before DIS are collected, not listed. A
 * final frame not in its state's table, an FCF T.30 does not define included, is an invalid
 * response: we disconnect (TSB-85 MTGX20). A frame that is not one (bad FCS, address or control
 * field) is no response at all: it is ignored and the wait goes on, as after silence (the T.30
 * flow diagrams ask "response received?", which only a valid frame answers; MTGX21).
 */
export const RESPONSES: Record<SenderState, ResponseTable> = {
  idle: {},
  awaitDis: { DIS: 'remoteCapabilities', DCN: 'remoteDisconnected' },
  awaitTrainingResponse: {
    CFR: 'trained',
    FTT: 'trainingFailed',
    // A DIS instead of CFR means the far end did not get our DCS (T.30 Figure 5-2): answer the
    // DIS as it is now (its capabilities may have changed), a repetition of the command.
    DIS: 'capabilitiesAgain',
    CRP: 'repeatCommand',
    DCN: 'remoteDisconnected',
  },
  awaitPage: {},
  awaitPostPageResponse: {
    MCF: 'pageConfirmed',
    // PIP: page good, operator wanted; an unattended sender continues as after MCF.
    PIP: 'pageConfirmed',
    RTP: 'pageConfirmedRetrain',
    RTN: 'pageRejected',
    PIN: 'pageRejected',
    CRP: 'repeatCommand',
    // DIS instead of a response to the post-message command: the far end did not receive the
    // page (its T2 ran out in phase C) and is back in phase B. The transmitter goes back to
    // phase B too (T.30 Figure 5-2: a DIS received is answered with DCS), trains, and sends
    // the page again.
    DIS: 'pageMissed',
    DCN: 'remoteDisconnected',
  },
  awaitPpsResponse: ECM_BLOCK_RESPONSES,
  awaitRrResponse: { ...ECM_BLOCK_RESPONSES, ERR: 'blockAbandoned' },
  awaitCtr: { CTR: 'speedChanged', CRP: 'repeatCommand', DCN: 'remoteDisconnected' },
  awaitEorResponse: {
    ERR: 'blockAbandoned',
    RNR: 'receiverNotReady',
    CRP: 'repeatCommand',
    DCN: 'remoteDisconnected',
  },
  done: {},
};

/** T.30 §5.4.3: T1, the wait for the far end to identify itself. */
export const T1_MS = 35_000;
/** T.30 §5.4.3: T4, the wait for a response (3 s ± 15 %, automatic units). */
export const T4_MS = 3_000;
/**
 * T.30 §5.4.3 and Annex A: T5, how long a sender keeps asking RR while the far end says RNR:
 * 60 ± 5 s. The upper end, as spandsp: TSB-85 OTEN03 wants at least 23 RR before DCN.
 */
export const T5_MS = 65_000;
/** T.30 §5.3.2: silence between the end of one signal and the start of the next. */
export const INTER_SIGNAL_SILENCE_MS = 75;
/** T.30 §5.3.2 (training check, TCF): 1.5 s of zeros. */
export const TCF_MS = 1_500;
/** T.30 §5.3.2: a command goes out at most three times when no valid response comes. */
export const COMMAND_TRANSMISSIONS = 3;
/**
 * Frames that cannot be understood, in a row, before a wait counts as unanswered (so a line
 * producing garbage cannot hold a call forever; T1 bounds the wait for DIS instead).
 */
export const IGNORED_FRAMES_PER_WAIT = 4;
/** T.30 §A.4.4: after the fourth PPR for a block the sender sends CTC or EOR. */
export const PPRS_BEFORE_CTC = 4;
