/*
 * sender.c - what the far end does when it calls in and sends (--send): several
 * documents with EOM between them, 64-octet ECM frames, dropping the line once page N
 * is out, and a caller that goes silent after the host's DIS (it never sends DCS).
 *
 * spandsp 0.0.6 has no API for the 64-octet frame size when sending (its DCS always
 * announces 256, T.30 Table 2 bit 28 = 0): the phase B handler, which runs between the
 * DIS setting the size to 256 and the first partial page being cut, sets 64, and the DCS is
 * amended on its way out (the real-time frame handler sees the frame before it is handed to
 * the HDLC transmitter).
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "linesim.h"

/* T.30 Table 2: DCS bit 27 = ECM, bit 28 = 64-octet frames (only valid with ECM). */
#define DCS_OCTET_ECM 6 /* frame[3 + (27 - 1) / 8]: address, control, FCF, then the FIF */
#define DCS_BIT_ECM 0x04
#define DCS_BIT_64_OCTETS 0x08

struct sender_s {
    const linesim_options_t *opt;
    t30_state_t *t30;
    int document;      /* index into opt->send_files of the document being sent */
    bool next_pending; /* the document handler announced the next one (EOM) */
    bool dis_heard;    /* --no-dcs: silent from the first DIS on */
    int page_out;      /* post-page command queued for this page (1-based), 0 = none */
    bool page_sounding;/* ... and its audio has started */
    int pages_sent;    /* pages whose data and post-page command have gone out */
    int ecm_frame_size;/* announced in the last DCS with ECM, 0 = no ECM DCS yet */
};

static bool post_page_command(const uint8_t *msg, int len)
{
    int fcf, fcf2;
    if (len < 3)
        return false;
    fcf = msg[2] & 0xFE; /* spandsp's FCF notation: the X bit is the lowest */
    if (fcf == T30_MPS || fcf == T30_EOP || fcf == T30_EOM || fcf == T30_PRI_MPS
        || fcf == T30_PRI_EOP || fcf == T30_PRI_EOM)
        return true;
    if (fcf != T30_PPS || len < 4)
        return false;
    fcf2 = msg[3] & 0xFE; /* T.30 §5.3.6.1.7: PPS-NULL ends a partial page, not the page */
    return fcf2 == T30_MPS || fcf2 == T30_EOP || fcf2 == T30_EOM || fcf2 == T30_PRI_MPS
           || fcf2 == T30_PRI_EOP || fcf2 == T30_PRI_EOM;
}

/* Every frame spandsp sends or receives, before it reaches the HDLC transmitter. */
static void frame_seen(t30_state_t *s, void *user_data, int incoming, const uint8_t msg[], int len)
{
    sender_t *d = user_data;
    if (incoming || len < 3)
        return;
    if ((msg[2] & 0xFE) == T30_DCS && msg == s->dcs_frame && len > DCS_OCTET_ECM
        && (s->dcs_frame[DCS_OCTET_ECM] & DCS_BIT_ECM)) {
        if (d->opt->ecm_frame_size == 64)
            s->dcs_frame[DCS_OCTET_ECM] |= DCS_BIT_64_OCTETS;
        d->ecm_frame_size = (s->dcs_frame[DCS_OCTET_ECM] & DCS_BIT_64_OCTETS) ? 64 : 256;
    }
    if (post_page_command(msg, len)) {
        d->page_out = s->tx_page_number + 1; /* tx_page_number counts confirmed pages */
        d->page_sounding = false;
    }
}

/* T.30 phase B: a DIS or DTC came in. With --no-dcs the caller goes silent from here. */
static int phase_b(t30_state_t *s, void *user_data, int result)
{
    sender_t *d = user_data;
    (void) result;
    d->dis_heard = true;
    /* spandsp has just set 256 from the DIS and builds the first partial page next, before
       its DCS: the frame size must be in place now (the DCS bit follows in frame_seen). */
    if (d->opt->ecm_frame_size == 64)
        s->octets_per_ecm_frame = 64;
    if (d->next_pending) {
        /* The DIS after EOM: spandsp opens the next document now (t30_set_tx_file below). */
        d->next_pending = false;
        d->document++;
    }
    return T30_ERR_OK;
}

/* Asked at the end of each page's data (or ECM block) whether another document follows. */
static int next_document(t30_state_t *s, void *user_data, int status)
{
    sender_t *d = user_data;
    (void) status;
    if (d->document + 1 >= d->opt->send_count)
        return false;
    t30_set_tx_file(s, d->opt->send_files[d->document + 1], -1, -1);
    d->next_pending = true;
    return true;
}

sender_t *sender_attach(const linesim_options_t *opt, t30_state_t *t30)
{
    sender_t *d = calloc(1, sizeof(*d));
    if (d == NULL)
        return NULL;
    d->opt = opt;
    d->t30 = t30;
    t30_set_tx_file(t30, opt->send_files[0], -1, -1);
    t30_set_real_time_frame_handler(t30, frame_seen, d);
    t30_set_phase_b_handler(t30, phase_b, d);
    t30_set_document_handler(t30, next_document, d);
    return d;
}

void sender_free(sender_t *d) { free(d); }

/* After fax_tx(): mute a silent caller, and count a page as sent once its post-page
   command has sounded and the transmitter has fallen silent again. */
void sender_audio(sender_t *d, int16_t *out, int len)
{
    bool silent = true;
    if (d->opt->no_dcs && d->dis_heard)
        memset(out, 0, sizeof(int16_t) * (size_t) len);
    if (d->page_out == 0)
        return;
    for (int i = 0; i < len && silent; i++)
        silent = out[i] == 0;
    if (!silent) {
        d->page_sounding = true;
    } else if (d->page_sounding) {
        if (d->page_out > d->pages_sent)
            d->pages_sent = d->page_out;
        d->page_out = 0;
    }
}

int sender_pages_sent(const sender_t *d) { return d->pages_sent; }

void sender_report(const sender_t *d, FILE *out)
{
    fprintf(out, ",\"pagesSent\":%d,\"documents\":%d,\"ecmFrameSize\":", d->pages_sent, d->document + 1);
    if (d->ecm_frame_size)
        fprintf(out, "%d", d->ecm_frame_size);
    else
        fputs("null", out);
}
