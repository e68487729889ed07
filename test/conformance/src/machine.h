/*
 * machine.h - the state of one case's far end, shared by tester.c (the step machine)
 * and far_end.c (the far_end_* functions line.c calls).
 */
#ifndef MACHINE_H
#define MACHINE_H

#include "tester.h"

#define MS(x) ((int64_t) (x) * SAMPLE_RATE / 1000)
#define DEFAULT_R_TIMEOUT_MS 7000
#define SILENCE_MEAN_SQUARE 10000.0 /* about -50 dBFS */
#define FCF_FCD 0x60                /* T.4 A.3.6.1 */
#define FCF_RCP 0x61

typedef enum { W_NONE, W_TX, W_CNG, W_FRAME, W_FAST, W_SILENCE, W_CLEAR, W_CED } waiting_t;
typedef enum { RUNNING, PASSED, FAILED } verdict_t;

struct far_end_s {
    const script_t *sc;
    modems_t *m;
    int pc;
    int64_t now, step_start, deadline;
    waiting_t waiting;
    verdict_t verdict;
    char reason[1024];
    int fail_pc;
    /* fast receive */
    int fast_kind, fast_rate;
    bool trained;
    long bits, ones, zero_run, longest_zero_run;
    int fcd, rcp, fcd_oversize, fast_bad;
    int quiet_blocks;
    /* repeat */
    int rep_start, rep_end, rep_count;
    bool in_repeat;
    /* alternative branch (script.c BRANCH): where it returns, the main step it stood in for */
    int branch_return;   /* -1 when not in a branch */
    int branch_taken;    /* xml_index of that main step, -1 if no branch was taken */
    /* rates: the tester's last DIS, the DUT's DCS since the last TCF, the last TCF's modem */
    uint8_t dis[MAX_FRAME], dcs[MAX_FRAME], session_dcs[MAX_FRAME];
    int dis_len, dcs_len, session_dcs_len;
    page_check_t *page; /* the T.4 decoder of an R MSG step */
    char tcf_modem[64];
    char modem[64]; /* the modem of the current TCF/MSG/PP step */
    /* the DUT going on hook */
    bool hung_up;
    bool calling;    /* the tester called the DUT (receiver cases): it sends TCF and pages */
    char tx_modem[64]; /* calling: the modem of the last T TCF/MSG, for PP steps that name none */
    int64_t hangup_ms; /* after the start of the R CLEAR step, -1 if none */
};

extern const script_t *the_script;
extern const modem_events_t machine_events; /* user: the far_end_t */

void logf_(far_end_t *f, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void fail(far_end_t *f, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void advance(far_end_t *f);
/* fast.c: the fast modem's receive events */
void fast_frame(far_end_t *f, const uint8_t *msg, int len, bool ok);
void on_fast_status(void *user, int status);
void on_fast_bit(void *user, int bit);
void step_done(far_end_t *f);

#endif
