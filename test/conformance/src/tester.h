/*
 * tsb85tester - a scripted far end for the simulated line: the answering side
 * of the call executes one TIA TSB-85 test case step by step instead of a fax
 * terminal. linesim's host_port.c (the pty Class 1 modem, spandsp T.31) and
 * line.c (the call and the audio path) are compiled in unchanged; this program
 * supplies the far_end_* functions line.c calls (linesim.h) and its own main.
 *
 * Files:
 *   script.c   the case file written by runner.ts (one step a line)
 *   modems.c   the tester's modems: CED, V.21 HDLC out; CNG, V.21 HDLC, V.27ter/V.29/V.17 in
 *   rates.c    T.30 Table 2 rates: what a DIS offers, what a DCS chooses
 *   page.c     T.4 decoding of page data (spandsp t4_rx)
 *   tester.c   the step machine (machine.h: its state), alternative branches
 *   fast.c     the fast modem's receive events: TCF, page data, ECM frames
 *   far_end.c  the far_end_* functions and the JSON verdict
 *   main.c     options and the event loop
 */
#ifndef TESTER_H
#define TESTER_H

#include "../../linesim/src/linesim.h"

#define MAX_STEPS 512
#define MAX_FRAME 300

/* K_BRANCH .. K_END_BRANCH: an alternative the sender may take at one step of the main
   script (deviations.ts): entered when a frame matches the branch's first step instead of
   that step; when the branch ends, the main script goes on at that step. */
typedef enum { K_STEP, K_REPEAT, K_END_REPEAT, K_BRANCH, K_END_BRANCH } step_kind_t;

typedef struct {
    step_kind_t kind;
    int xml_index;      /* 1-based position of the step in the case (for reports) */
    char dir;           /* 'T', 'R' or 0 */
    char type[16];      /* CED, CNG, HDLC, PREAMBLE, POSTAMBLE, TCF, MSG, PP, SILENCE, CLEAR, WAIT, ... */
    char modem[64];     /* "V.21", "V.29/9600"; alternatives separated by '|' */
    char tag[32];
    char value[700];    /* raw value text */
    uint8_t frame[MAX_FRAME]; /* HDLC: octets as written (T.30 notation, MSB first) */
    int frame_len;
    bool wildcard;      /* "..." after the octets */
    int timein, timeout; /* ms, -1 = not given */
    int crc_error;      /* -1 = none */
    int frame_size;     /* PP: ECM frame size, 0 = not given */
    int number;         /* WAIT ms, PREAMBLE flags; -1 = not given */
    int repeat_min, repeat_max;
    int branch_at;      /* K_BRANCH: xml_index of the main-script step it is an alternative to */
    /* T TCF / MSG / PP (the tester calls and sends, the DUT receives) */
    char compression[16]; /* MSG/PP: "T.4 2D", "T.6", else T.4 1D */
    int min_bits;       /* MSG/PP: minimum bits per row, -1 = not given */
    int block;          /* PP: ECM block, -1 = not given */
    int pattern;        /* TCF: octets of 0x55 before the zeros, -1 = not given */
    char bad_rows[700]; /* MSG: rows to corrupt, "79, 85, ..." (1 = the row after the first EOL) */
    uint8_t alt_frame[MAX_FRAME]; /* R HDLC: another frame the step accepts (the XML's `xxx`, */
    int alt_frame_len;            /* MRGN04's "MCF or RTP"); 0 = none */
} step_t;

typedef struct {
    char name[64];
    step_t steps[MAX_STEPS];
    int n;
    int main_n; /* steps[0..main_n) are the main script; the branches follow */
} script_t;

/* ---- script.c ---- */
int script_load(script_t *s, const char *path, char *err, size_t errlen);
void step_describe(const step_t *st, char *buf, size_t len);
bool modem_parse(const char *text, int *kind, int *bit_rate);

/* ---- send.c: what a calling tester sends (T TCF, T MSG) ---- */
/* The octets of a T TCF or T MSG step into *data (malloc'd); -1 and a reason if it cannot. */
long send_octets(const step_t *st, uint8_t **data, char *why, size_t whylen);

/* ---- tester.c ---- */
/* The case every far end started by line.c executes. */
void tester_set_script(const script_t *s);
/* Print a failed verdict when no call reached the tester (main.c's overall timeout). */
void tester_report_no_call(const char *reason, double sim_seconds);

/* ---- rates.c ---- */
const char *dcs_modem(const uint8_t *frame, int len);
int modem_rate(const char *modem);
bool dis_offers(const uint8_t *frame, int len, const char *modem);
void dis_modems_up_to(const uint8_t *frame, int len, int max_rate, char *buf, size_t buflen);

/* ---- page.c ---- */
typedef struct page_check_s page_check_t;
page_check_t *page_check_start(const uint8_t *dcs, int dcs_len);
void page_check_bit(page_check_t *p, int bit); /* returns nothing; stops at RTC itself */
void page_check_end(page_check_t *p, int *rows, int *bad_rows);

/* ---- modems.c ---- */
typedef struct modems_s modems_t;

typedef struct {
    void (*frame)(void *user, const uint8_t *msg, int len, bool ok, bool fast);
    void (*tone)(void *user, int tone);
    void (*fast_status)(void *user, int status);
    void (*fast_bit)(void *user, int bit);
    void (*tx_done)(void *user);
    void *user;
} modem_events_t;

modems_t *modems_create(const modem_events_t *ev);
void modems_free(modems_t *m);
/* Transmit side: each starts one unit of output; tx_done fires when it has all gone out. */
void modems_tx_ced(modems_t *m);
void modems_tx_silence(modems_t *m, int samples);
void modems_tx_v21_flags(modems_t *m, int flags);
void modems_tx_v21_frame(modems_t *m, const uint8_t *frame, int len, bool bad_crc);
void modems_tx_v21_end(modems_t *m);
/* Calling side: TCF or non-ECM page data, bits LSB first; false for an unknown modem. */
bool modems_tx_fast(modems_t *m, int kind, int bit_rate, bool short_train, const uint8_t *data, long len);
/* Calling side, T PP: one ECM block (256 frames of frame_size octets from block * 256 *
   frame_size on) as FCD frames, then RCP; the frame numbered `corrupt` gets a bad FCS. */
bool modems_tx_ecm(modems_t *m, int kind, int bit_rate, const uint8_t *data, long len, int block, int frame_size,
                   int corrupt);
void modems_tx_stop(modems_t *m);
bool modems_tx_busy(modems_t *m);
/* Receive side: V.21 HDLC is always heard; these add CNG or a fast modem. */
void modems_rx_cng(modems_t *m, bool on);
void modems_rx_ced(modems_t *m, bool on); /* ANS/CED, reported through tone() */
void modems_rx_fast(modems_t *m, int kind, int bit_rate, bool hdlc, bool short_train);
void modems_rx_fast_off(modems_t *m);
void modems_rx(modems_t *m, const int16_t *amp, int len);
void modems_tx(modems_t *m, int16_t *amp, int len);
double modems_rx_power(modems_t *m); /* mean square of the last block */

#endif
