/*
 * modems.c - the tester's own modems, built from spandsp's lower layers:
 * out: CED (ANS), silence, V.21 channel 2 HDLC (T.30 clause 5) with a
 * settable number of flags and optionally a bad FCS, and (calling: the DUT receives) one
 * V.27ter / V.29 / V.17 transmitter for TCF and page data; in: CNG, CED, V.21 HDLC, and
 * one V.27ter / V.29 / V.17 receiver for TCF, page data or ECM frames.
 *
 * Completion of each output unit is reported through tx_done from outside
 * spandsp's generators, so the step machine may start the next unit at once.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tester.h"

typedef enum { TX_NONE, TX_SILENCE, TX_CED, TX_V21, TX_FAST } tx_kind_t;
typedef enum { WAIT_NOTHING, WAIT_UNDERFLOW, WAIT_END } tx_wait_t;

struct modems_s {
    modem_events_t ev;
    /* out */
    tx_kind_t tx;
    tx_wait_t wait;
    bool done_pending;
    int silence_left;
    modem_connect_tones_tx_state_t *ced;
    fsk_tx_state_t *fsk_tx;
    hdlc_tx_state_t *hdlc_tx;
    /* out, fast: V.27ter / V.29 / V.17 sending a buffer of bits (TCF, non-ECM page data) */
    int fast_tx_kind;
    v27ter_tx_state_t *v27_tx;
    v29_tx_state_t *v29_tx;
    v17_tx_state_t *v17_tx;
    uint8_t *fast_data;
    long fast_len, fast_bit; /* bits sent so far, first bit = least significant of octet 0 */
    /* ECM (T.4 Annex A): FCD frames of one block of fast_data, then RCP, as HDLC on the fast modem */
    hdlc_tx_state_t *ecm_hdlc;
    bool ecm_on;
    int ecm_frame_size, ecm_corrupt, ecm_rcp_left;
    long ecm_next, ecm_end; /* octet offsets into fast_data */
    /* in */
    fsk_rx_state_t *v21_rx;
    hdlc_rx_state_t *v21_hdlc;
    modem_connect_tones_rx_state_t *cng;
    bool cng_on;
    modem_connect_tones_rx_state_t *ced_rx; /* ANS (2100 Hz), heard when a caller awaits CED */
    bool ced_on;
    int fast_kind;
    bool fast_hdlc_on;
    v27ter_rx_state_t *v27;
    v29_rx_state_t *v29;
    v17_rx_state_t *v17;
    hdlc_rx_state_t *fast_hdlc;
    double power;
};

static void underflow(void *user)
{
    modems_t *m = user;
    if (m->wait == WAIT_UNDERFLOW) {
        m->wait = WAIT_NOTHING;
        m->done_pending = true;
    }
}

static void v21_frame(void *user, const uint8_t *msg, int len, int ok)
{
    modems_t *m = user;
    if (len >= 0)
        m->ev.frame(m->ev.user, msg, len, ok != 0, false);
}

static void fast_frame(void *user, const uint8_t *msg, int len, int ok)
{
    modems_t *m = user;
    if (len >= 0)
        m->ev.frame(m->ev.user, msg, len, ok != 0, true);
}

static void fast_put_bit(void *user, int bit)
{
    modems_t *m = user;
    if (bit < 0)
        m->ev.fast_status(m->ev.user, bit);
    else
        m->ev.fast_bit(m->ev.user, bit);
    if (m->fast_hdlc_on && bit >= 0)
        hdlc_rx_put_bit(m->fast_hdlc, bit);
}

static void tone(void *user, int code, int level, int delay)
{
    modems_t *m = user;
    (void) level;
    (void) delay;
    if (m->cng_on || m->ced_on)
        m->ev.tone(m->ev.user, code);
}

/* The bits of a fast-modem transmission, least significant bit of each octet first (T.4
   page data as t4_tx gives it; TCF's zeros). */
static int fast_get_bit(void *user)
{
    modems_t *m = user;
    if (m->fast_bit >= m->fast_len * 8)
        return SIG_STATUS_END_OF_DATA;
    int bit = (m->fast_data[m->fast_bit >> 3] >> (m->fast_bit & 7)) & 1;
    m->fast_bit++;
    return bit;
}

/* The next ECM frame once the last has gone (hdlc_tx's underflow): FCD frames, each
   A=FF C=03 FCF=FCD, the frame's number in the page (spandsp's convention) and frame_size
   octets of page data, zero-padded at the end; then three RCP; then the end of the carrier. */
static void ecm_next_frame(void *user)
{
    modems_t *m = user;
    uint8_t buf[4 + 256];
    if (!m->ecm_on)
        return;
    if (m->ecm_next < m->ecm_end) {
        long n = m->ecm_end - m->ecm_next < m->ecm_frame_size ? m->ecm_end - m->ecm_next : m->ecm_frame_size;
        int number = (int) (m->ecm_next / m->ecm_frame_size);
        buf[0] = 0xFF;
        buf[1] = 0x03;
        buf[2] = 0x06; /* FCD, T.4 A.3.6.1 (0110 0000 sent least significant bit first) */
        buf[3] = (uint8_t) number;
        memset(buf + 4, 0, (size_t) m->ecm_frame_size);
        memcpy(buf + 4, m->fast_data + m->ecm_next, (size_t) n);
        hdlc_tx_frame(m->ecm_hdlc, buf, (size_t) (4 + m->ecm_frame_size));
        if (number == m->ecm_corrupt)
            hdlc_tx_corrupt_frame(m->ecm_hdlc);
        m->ecm_next += m->ecm_frame_size;
    } else if (m->ecm_rcp_left > 0) {
        m->ecm_rcp_left--;
        buf[0] = 0xFF;
        buf[1] = 0x03;
        buf[2] = 0x86; /* RCP, T.4 A.3.6.2 */
        hdlc_tx_frame(m->ecm_hdlc, buf, 3);
    } else {
        m->ecm_on = false;
        hdlc_tx_frame(m->ecm_hdlc, NULL, 0); /* the carrier ends once this has drained */
    }
}

modems_t *modems_create(const modem_events_t *ev)
{
    modems_t *m = calloc(1, sizeof(*m));
    if (m == NULL)
        return NULL;
    m->ev = *ev;
    m->ced = modem_connect_tones_tx_init(NULL, MODEM_CONNECT_TONES_ANS);
    m->hdlc_tx = hdlc_tx_init(NULL, false, 1, false, underflow, m);
    m->fsk_tx = fsk_tx_init(NULL, &preset_fsk_specs[FSK_V21CH2], (get_bit_func_t) hdlc_tx_get_bit, m->hdlc_tx);
    m->v21_hdlc = hdlc_rx_init(NULL, false, true, 5, v21_frame, m);
    m->v21_rx = fsk_rx_init(NULL, &preset_fsk_specs[FSK_V21CH2], FSK_FRAME_MODE_SYNC,
                            (put_bit_func_t) hdlc_rx_put_bit, m->v21_hdlc);
    m->cng = modem_connect_tones_rx_init(NULL, MODEM_CONNECT_TONES_FAX_CNG, tone, m);
    m->fast_hdlc = hdlc_rx_init(NULL, false, true, 5, fast_frame, m);
    m->v27 = v27ter_rx_init(NULL, 4800, fast_put_bit, m);
    m->v29 = v29_rx_init(NULL, 9600, fast_put_bit, m);
    m->v17 = v17_rx_init(NULL, 14400, fast_put_bit, m);
    m->ced_rx = modem_connect_tones_rx_init(NULL, MODEM_CONNECT_TONES_ANS, tone, m);
    m->v27_tx = v27ter_tx_init(NULL, 4800, true, fast_get_bit, m);
    m->v29_tx = v29_tx_init(NULL, 9600, true, fast_get_bit, m);
    m->v17_tx = v17_tx_init(NULL, 14400, true, fast_get_bit, m);
    m->ecm_hdlc = hdlc_tx_init(NULL, false, 2, false, ecm_next_frame, m);
    return m;
}

void modems_free(modems_t *m)
{
    modem_connect_tones_tx_free(m->ced);
    fsk_tx_free(m->fsk_tx);
    hdlc_tx_free(m->hdlc_tx);
    fsk_rx_free(m->v21_rx);
    hdlc_rx_free(m->v21_hdlc);
    modem_connect_tones_rx_free(m->cng);
    hdlc_rx_free(m->fast_hdlc);
    v27ter_rx_free(m->v27);
    v29_rx_free(m->v29);
    v17_rx_free(m->v17);
    modem_connect_tones_rx_free(m->ced_rx);
    v27ter_tx_free(m->v27_tx);
    v29_tx_free(m->v29_tx);
    v17_tx_free(m->v17_tx);
    hdlc_tx_free(m->ecm_hdlc);
    free(m->fast_data);
    free(m);
}

/* ---- out ---- */

void modems_tx_ced(modems_t *m)
{
    modem_connect_tones_tx_init(m->ced, MODEM_CONNECT_TONES_ANS);
    m->tx = TX_CED;
    m->wait = WAIT_END;
}

void modems_tx_silence(modems_t *m, int samples)
{
    m->tx = TX_SILENCE;
    m->silence_left = samples > 0 ? samples : 1;
    m->wait = WAIT_END;
}

static void v21_on(modems_t *m)
{
    if (m->tx == TX_V21)
        return;
    hdlc_tx_restart(m->hdlc_tx);
    fsk_tx_restart(m->fsk_tx, &preset_fsk_specs[FSK_V21CH2]);
    m->tx = TX_V21;
}

void modems_tx_v21_flags(modems_t *m, int flags)
{
    v21_on(m);
    m->wait = WAIT_UNDERFLOW;
    hdlc_tx_flags(m->hdlc_tx, flags);
}

void modems_tx_v21_frame(modems_t *m, const uint8_t *frame, int len, bool bad_crc)
{
    uint8_t buf[MAX_FRAME];
    if (m->tx != TX_V21) {
        /* A frame without a PREAMBLE step still gets T.30's preamble (1 s of flags). */
        v21_on(m);
        hdlc_tx_flags(m->hdlc_tx, 37);
    }
    for (int i = 0; i < len; i++)
        buf[i] = bit_reverse8(frame[i]); /* T.30 notation is MSB first; V.21 sends LSB first */
    m->wait = WAIT_UNDERFLOW;
    hdlc_tx_frame(m->hdlc_tx, buf, (size_t) len);
    if (bad_crc)
        hdlc_tx_corrupt_frame(m->hdlc_tx);
}

void modems_tx_v21_end(modems_t *m)
{
    if (m->tx != TX_V21) {
        m->done_pending = true;
        return;
    }
    m->wait = WAIT_END;
    hdlc_tx_frame(m->hdlc_tx, NULL, 0); /* spandsp 0.0.6: a zero-length frame ends the carrier once drained */
}

static bool fast_tx_start(modems_t *m, int kind, int bit_rate, bool short_train, const uint8_t *data, long len,
                          bool ecm)
{
    uint8_t *copy = malloc(len > 0 ? (size_t) len : 1);
    get_bit_func_t get_bit = ecm ? (get_bit_func_t) hdlc_tx_get_bit : fast_get_bit;
    void *user = ecm ? (void *) m->ecm_hdlc : (void *) m;
    if (copy == NULL)
        return false;
    memcpy(copy, data, (size_t) len);
    free(m->fast_data);
    m->fast_data = copy;
    m->fast_len = len;
    m->fast_bit = 0;
    switch (kind) {
    case 27: v27ter_tx_restart(m->v27_tx, bit_rate, true); v27ter_tx_set_get_bit(m->v27_tx, get_bit, user); break;
    case 29: v29_tx_restart(m->v29_tx, bit_rate, true); v29_tx_set_get_bit(m->v29_tx, get_bit, user); break;
    case 17:
        v17_tx_restart(m->v17_tx, bit_rate, true, short_train);
        v17_tx_set_get_bit(m->v17_tx, get_bit, user);
        break;
    default: return false;
    }
    m->fast_tx_kind = kind;
    m->tx = TX_FAST;
    m->wait = WAIT_END;
    return true;
}

bool modems_tx_fast(modems_t *m, int kind, int bit_rate, bool short_train, const uint8_t *data, long len)
{
    m->ecm_on = false;
    return fast_tx_start(m, kind, bit_rate, short_train, data, len, false);
}

bool modems_tx_ecm(modems_t *m, int kind, int bit_rate, const uint8_t *data, long len, int block, int frame_size,
                   int corrupt)
{
    if (frame_size != 64 && frame_size != 256)
        return false;
    if (!fast_tx_start(m, kind, bit_rate, true, data, len, true))
        return false;
    m->ecm_frame_size = frame_size;
    m->ecm_corrupt = corrupt;
    m->ecm_rcp_left = 3;
    m->ecm_next = (long) block * 256 * frame_size;
    m->ecm_end = m->ecm_next + 256L * frame_size < len ? m->ecm_next + 256L * frame_size : len;
    m->ecm_on = true;
    hdlc_tx_restart(m->ecm_hdlc);
    hdlc_tx_flags(m->ecm_hdlc, bit_rate / 8 / 5); /* 200 ms of flags after the training */
    ecm_next_frame(m);
    return true;
}

void modems_tx_stop(modems_t *m)
{
    m->tx = TX_NONE;
    m->wait = WAIT_NOTHING;
    m->done_pending = false;
}

bool modems_tx_busy(modems_t *m) { return m->tx != TX_NONE; }

void modems_tx(modems_t *m, int16_t *amp, int len)
{
    int done = 0, idle_rounds = 0;
    while (done < len) {
        int want = len - done, n = 0;
        switch (m->tx) {
        case TX_NONE:
            n = want;
            memset(amp + done, 0, sizeof(int16_t) * (size_t) n);
            break;
        case TX_SILENCE:
            n = want < m->silence_left ? want : m->silence_left;
            memset(amp + done, 0, sizeof(int16_t) * (size_t) n);
            if ((m->silence_left -= n) <= 0) {
                m->tx = TX_NONE;
                m->done_pending = true;
            }
            break;
        case TX_CED:
            n = modem_connect_tones_tx(m->ced, amp + done, want);
            if (n < want) {
                m->tx = TX_NONE;
                m->done_pending = true;
            }
            break;
        case TX_FAST:
            n = m->fast_tx_kind == 27   ? v27ter_tx(m->v27_tx, amp + done, want)
                : m->fast_tx_kind == 29 ? v29_tx(m->v29_tx, amp + done, want)
                                        : v17_tx(m->v17_tx, amp + done, want);
            if (n < want) { /* the data and the modem's trailer have gone out */
                m->tx = TX_NONE;
                m->wait = WAIT_NOTHING;
                m->done_pending = true;
            }
            break;
        case TX_V21:
            n = fsk_tx(m->fsk_tx, amp + done, want);
            if (n < want) {
                m->tx = TX_NONE;
                if (m->wait == WAIT_END)
                    m->done_pending = true;
                m->wait = WAIT_NOTHING;
            }
            break;
        }
        done += n;
        if (m->done_pending) {
            m->done_pending = false;
            m->ev.tx_done(m->ev.user); /* may start the next unit */
        } else if (n == 0 && ++idle_rounds > 4) {
            memset(amp + done, 0, sizeof(int16_t) * (size_t) (len - done));
            break;
        }
    }
}

/* ---- in ---- */

void modems_rx_cng(modems_t *m, bool on) { m->cng_on = on; }
void modems_rx_ced(modems_t *m, bool on) { m->ced_on = on; }

void modems_rx_fast(modems_t *m, int kind, int bit_rate, bool hdlc, bool short_train)
{
    m->fast_kind = kind;
    m->fast_hdlc_on = hdlc;
    hdlc_rx_restart(m->fast_hdlc);
    switch (kind) {
    case 27: v27ter_rx_restart(m->v27, bit_rate, false); break;
    case 29: v29_rx_restart(m->v29, bit_rate, false); break;
    case 17: v17_rx_restart(m->v17, bit_rate, short_train); break;
    default: m->fast_kind = 0; break;
    }
}

void modems_rx_fast_off(modems_t *m) { m->fast_kind = 0; }

void modems_rx(modems_t *m, const int16_t *amp, int len)
{
    double sum = 0;
    for (int i = 0; i < len; i++)
        sum += (double) amp[i] * amp[i];
    m->power = len > 0 ? sum / len : 0;
    fsk_rx(m->v21_rx, amp, len);
    modem_connect_tones_rx(m->cng, amp, len);
    if (m->ced_on)
        modem_connect_tones_rx(m->ced_rx, amp, len);
    switch (m->fast_kind) {
    case 27: v27ter_rx(m->v27, amp, len); break;
    case 29: v29_rx(m->v29, amp, len); break;
    case 17: v17_rx(m->v17, amp, len); break;
    default: break;
    }
}

double modems_rx_power(modems_t *m) { return m->power; }
