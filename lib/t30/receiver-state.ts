/**
 * The T.30 receiver's state machine, as tables: the called terminal's half of state.ts.
 *
 * Theory of operation
 * -------------------
 * The receiver answers; the sender commands, the receiver responds (T.30 §5, Figure 5-2):
 *
 *   Phase B  send CSI + DIS (what we can receive and store), repeated every T4 until a command
 *            comes, for at most T1 (35 s). TSI, SUB, NSS … then DCS name the session; TCF
 *            follows at the message speed: its longest run of zeros decides CFR (trained) or FTT
 *            (the sender steps down and sends DCS again).
 *   Phase C  non-ECM: the page data, decoded by the caller as it arrives, bad rows counted.
 *            ECM: partial pages of numbered FCD frames closed by RCP (T.4 Annex A).
 *   Phase D  non-ECM: MPS/EOM/EOP, answered MCF, RTP or RTN from the share of bad rows.
 *            ECM: PPS names the frames sent: MCF when all arrived, else PPR listing the
 *            missing ones (they come again); CTC (new speed) → CTR; EOR → ERR; RR → the last
 *            answer again. EOM returns to phase B (DIS again).
 *            Storage: a page is confirmed only once it is stored (storePage, then awaitStored;
 *            the caller stores it meanwhile and says pageStored). With ECM a store that takes
 *            longer than STORE_WAIT_MS is answered RNR (receiver not ready, T.30 §A.4.5);
 *            the sender asks again with RR (its T5, 60 s) and gets RNR until the page is stored,
 *            then MCF (or ERR after EOR). Without ECM there is no RNR: MCF waits for the
 *            store. A store longer than the sender's T4 (3 s) makes it repeat its command, up
 *            to three times in all; our MCF still answers it (+FRS waits for the repetition to
 *            end). Measured with spandsp 0.0.6 over linesim: a 12 s store (line time) got MCF
 *            during the sender's third T4. Longer than that, the sender (T.30 §5.3.2, three
 *            transmissions) gives up: not measured. The store is a few ms of write and fsync
 *            in practice.
 *   Phase E  DCN from the sender after EOP ends the call; every other path hangs up too, with
 *            the pages received so far already handed over (storePage) and a failure kind.
 *
 * Each response goes out after the line has been silent for 75 ms (T.30 §5.3.2). A command
 * that comes again (our response was lost) is answered again, never counted twice.
 */

import type { FcfName } from './fcf.js';

export type ReceiverState =
  /** Not started: waiting for 'connected' (the call is answered, V.21 flags going out). */
  | 'idle'
  /** Phase B: CSI/DIS (or FTT, or RTN/RTP) sent; waiting for DCS. */
  | 'awaitDcs'
  /** Phase B: receiving TCF. */
  | 'awaitTraining'
  /** Phase C, non-ECM: receiving page data. */
  | 'awaitPage'
  /** Phase C, ECM: receiving a partial page of frames. */
  | 'awaitBlock'
  /** Phase D, non-ECM: waiting for MPS/EOM/EOP. */
  | 'awaitPostPage'
  /** Phase D, ECM: waiting for PPS, EOR, CTC or RR. */
  | 'awaitPps'
  /** Phase D: a page handed over for storage; waiting for the store (pageStored, storePending). */
  | 'awaitStore'
  /** Phase D, ECM: RNR sent (the page is still being stored); waiting for RR. */
  | 'awaitRr'
  /** Phase E: EOP answered; waiting for DCN. */
  | 'awaitDcn'
  | 'done';

/** What a command makes the receiver do; each is a handler in receiver.ts. */
export type ReceiverReaction =
  | 'command'
  | 'postPage'
  | 'partialPage'
  | 'endOfRetransmission'
  | 'continueToCorrect'
  | 'repeatResponse'
  | 'receiverReady'
  | 'callEnded'
  | 'remoteDisconnected';

type CommandTable = Partial<Record<FcfName, ReceiverReaction>>;

/** Commands valid whenever the sender has the line: a new DCS, CRP, DCN. */
const ANY: CommandTable = { DCS: 'command', CRP: 'repeatResponse', DCN: 'remoteDisconnected' };
const POST_PAGE: CommandTable = {
  MPS: 'postPage',
  EOM: 'postPage',
  EOP: 'postPage',
  // T.30 §5.3.6.1.5: the procedure-interrupt forms; an unattended receiver treats them alike.
  PRI_MPS: 'postPage',
  PRI_EOM: 'postPage',
  PRI_EOP: 'postPage',
};

/**
 * Final frames that end a wait, by state. Non-final frames (TSI, SUB, NSS, PWD …) are
 * collected for the command they precede. A final frame not listed is an invalid command: the
 * receiver disconnects. A frame with a bad FCS is no command: the wait goes on.
 */
export const COMMANDS: Record<ReceiverState, CommandTable> = {
  idle: {},
  awaitDcs: { ...ANY, ...POST_PAGE },
  awaitTraining: {},
  awaitPage: {},
  awaitBlock: {},
  awaitPostPage: { ...ANY, ...POST_PAGE },
  awaitPps: {
    ...ANY,
    PPS: 'partialPage',
    EOR: 'endOfRetransmission',
    CTC: 'continueToCorrect',
    RR: 'receiverReady',
  },
  awaitStore: {},
  // T.30 §A.4.5: the sender asks RR after our RNR; a repeated PPS means it missed the RNR.
  awaitRr: { ...ANY, RR: 'receiverReady', PPS: 'partialPage' },
  // RR here: our MCF to RR (after RNR) was lost and the sender asks again.
  awaitDcn: { ...ANY, ...POST_PAGE, PPS: 'partialPage', RR: 'receiverReady', DCN: 'callEnded' },
  done: {},
};

/**
 * T.30 §5.4.3: T2, the wait for a command after a response: 6 s ± 1 s. The upper end: TSB-85
 * MRGN14 repeats a DCS 6.1 s after the first (spoiled) one began.
 */
export const T2_MS = 7_000;
/**
 * After a frame that was no command (bad FCS), the wait for the sender's repetition: it comes
 * once the sender's own timer ran out without a response, up to 7.1 s later (TSB-85 MRGN17).
 */
export const T2_AFTER_BAD_FRAME_MS = 10_000;
/**
 * After our DCN, the line is held this long before going on hook (TSB-85: the DUT clears 0.8 to
 * 1.2 s after its DCN), so the DCN is out of the modem and off the line.
 */
export const DCN_HOLD_MS = 1_000;
/**
 * ECM (T.30 §A.4.5, Figure 5-2): how long a page's storing may hold the response
 * to PPS (or RR) before the receiver answers RNR instead. The sender waits T4 (3 s) for the
 * response, and RNR itself takes about 1.2 s at V.21 (preamble and frame) after the 75 ms gap, so
 * 1 s leaves room. A store that is done sooner is answered MCF at once.
 */
export const STORE_WAIT_MS = 1_000;
/** T.30 §5.3.2 (TCF): 1.5 s of zeros. */
export const TCF_DURATION_MS = 1_500;
/**
 * The zeros a TCF must hold in one run to be accepted: two thirds of its 1.5 s, as HylaFAX's
 * Class1TCFMinRun; a modem that trains late or ends early still passes.
 */
export const TCF_MIN_ZERO_RUN_MS = 1_000;
/**
 * Copy quality (non-ECM pages): MCF when at most 5 % of the rows are bad and no more than 5 in a
 * row (HylaFAX's PercentGoodLines 95 and MaxConsecutiveBadLines 5; TSB-85 MRGN04 wants MCF at
 * 4.9 %); RTN when more than 10 % are bad (MRGN04 wants RTN at 15.1 %); RTP in between: the page
 * is kept and the sender retrains.
 */
export const DEFAULT_COPY_QUALITY = {
  goodMaxBadShare: 0.05,
  goodMaxConsecutiveBadRows: 5,
  rejectBadShare: 0.1,
} as const;
