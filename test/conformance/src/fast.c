/*
 * fast.c - what the tester's fast modem (V.27ter, V.29, V.17) receives in an R TCF, MSG
 * or PP step: the bits (TCF's run of zeros, page data for page.c) and ECM's HDLC frames,
 * and the step's verdict when the carrier ends.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <string.h>

#include "machine.h"

/* The ECM frame size the session's DCS announced: T.30 Table 2 bit 28 (the FIF's fourth octet,
   bit 1 first as received: 0x10) set is 64 octets, clear is 256. T.30 A.1.3 lets the sender
   choose; a PP step's frame_size attribute describes the frames spandsp's tester sends itself
   (T steps), not what it must accept. */
static int dcs_ecm_frame_size(const uint8_t *dcs, int len)
{
    return len > 6 && (dcs[6] & 0x10) ? 64 : 256;
}

/* An HDLC frame from the fast modem: ECM's FCD and RCP frames, counted for the R PP step. */
void fast_frame(far_end_t *f, const uint8_t *msg, int len, bool ok)
{
    if (f->waiting != W_FAST)
        return;
    if (!ok || len < 3) {
        f->fast_bad++;
        return;
    }
    uint8_t fcf = bit_reverse8(msg[2]);
    int size = dcs_ecm_frame_size(f->session_dcs, f->session_dcs_len);
    if (fcf == FCF_FCD) {
        f->fcd++;
        if (len - 4 > size)
            f->fcd_oversize++;
    } else if (fcf == FCF_RCP) {
        f->rcp++;
    }
}

static void end_of_fast(far_end_t *f)
{
    const step_t *st = &f->sc->steps[f->pc];
    double seconds = (double) f->bits / f->fast_rate;
    modems_rx_fast_off(f->m);
    logf_(f, "%s at %s: %.3f s of data, %ld bits, %ld ones, %d FCD, %d RCP, %d bad frames", st->type, f->modem,
          seconds, f->bits, f->ones, f->fcd, f->rcp, f->fast_bad);
    if (strcmp(st->type, "TCF") == 0) {
        /* T.30, TCF: zeros for 1.5 s +-10%. The receiver's own bits around the
           carrier's ends are not the sender's, so the longest run of zeros is what counts. */
        double zeros = (double) f->longest_zero_run / f->fast_rate;
        logf_(f, "TCF: longest run of zeros %.3f s", zeros);
        if (zeros < 1.35 || zeros > 1.65)
            fail(f, "TCF held %.3f s of unbroken zeros, T.30 wants 1.5 s +-10%%", zeros);
        else
            step_done(f);
    } else if (strcmp(st->type, "MSG") == 0) {
        int rows, bad;
        page_check_end(f->page, &rows, &bad);
        f->page = NULL;
        logf_(f, "page: %d rows decoded, %d bad", rows, bad);
        if (f->bits < 8 * 100)
            fail(f, "page data at %s held only %ld bits", f->modem, f->bits);
        else if (rows <= 0)
            fail(f, "page data at %s did not decode as the T.4 coding the DCS announced", f->modem);
        else if (bad > 0)
            fail(f, "page data at %s: %d of %d rows did not decode", f->modem, bad, rows);
        else
            step_done(f);
    } else {
        if (f->fcd == 0 || f->rcp == 0)
            fail(f, "ECM partial page at %s: %d FCD and %d RCP frames (T.4 A.3.6 wants both)", f->modem, f->fcd,
                 f->rcp);
        else if (f->fcd_oversize)
            fail(f, "%d FCD frames longer than the %d octets the DCS announced", f->fcd_oversize,
                 dcs_ecm_frame_size(f->session_dcs, f->session_dcs_len));
        else
            step_done(f);
    }
}

void on_fast_status(void *user, int status)
{
    far_end_t *f = user;
    if (f->waiting != W_FAST)
        return;
    switch (status) {
    case SIG_STATUS_TRAINING_SUCCEEDED:
        logf_(f, "trained at %s", f->modem);
        f->trained = true;
        break;
    case SIG_STATUS_TRAINING_FAILED:
        logf_(f, "training failed at %s", f->modem);
        break;
    case SIG_STATUS_CARRIER_DOWN:
        if (f->trained)
            end_of_fast(f);
        break;
    default:
        break;
    }
}

void on_fast_bit(void *user, int bit)
{
    far_end_t *f = user;
    if (f->waiting == W_FAST && f->trained) {
        f->bits++;
        f->ones += bit & 1;
        page_check_bit(f->page, bit);
        f->zero_run = (bit & 1) ? 0 : f->zero_run + 1;
        if (f->zero_run > f->longest_zero_run)
            f->longest_zero_run = f->zero_run;
    }
}

