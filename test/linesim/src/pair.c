/*
 * pair.c - two pty modems (A and B) on one line: either host dials, the other
 * host sees RING and answers with ATA; then the two T.31 modems hear each
 * other. No spandsp fax terminal is involved, so the JSON line of a call has
 * the call fields only (the T.30 fields are null).
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "linesim.h"

#define SECONDS(s) ((int64_t) ((s) * SAMPLE_RATE))
#define RING_PERIOD_SECONDS 6.0

typedef enum {
    PAIR_IDLE,
    PAIR_DIALLING,  /* caller dialled; ringing (or the failure) starts at event_at */
    PAIR_RINGING,   /* callee hears RING every RING_PERIOD_SECONDS */
    PAIR_CONNECTED
} pair_state_t;

typedef struct {
    struct pair_s *pair;
    int idx;
    host_port_t *port;
    t31_state_t *t31;  /* one per session */
    bool off_hook;
    awgn_state_t *noise; /* what this side hears */
    delay_line_t *delay; /* ... and how late */
} side_t;

struct pair_s {
    const linesim_options_t *opt;
    side_t side[2];
    pair_state_t state;
    int caller;
    int64_t samples, event_at;
    int rings;
    bool answer_pending;
    int fail_event;     /* AT_CALL_EVENT_* when the dialled call is to fail, else 0 */
    int call_no;
    call_summary_t call;
    char number[128];
    int64_t call_start_samples, call_start_ms;
};

static const char *const side_names[] = { "a", "b" };

static void report(pair_t *p, const char *outcome)
{
    p->call.outcome = outcome;
    p->call.sim_seconds = (double) (p->samples - p->call_start_samples) / SAMPLE_RATE;
    p->call.wall_seconds = (double) (monotonic_ms() - p->call_start_ms) / 1000.0;
    far_end_report(NULL, &p->call);
}

static int at_tx(at_state_t *s, void *user_data, const uint8_t *buf, size_t len)
{
    side_t *side = user_data;
    (void) s;
    host_port_write(side->port, buf, len, monotonic_ms());
    return (int) len;
}

static void start_dialling(pair_t *p, side_t *caller, const char *num)
{
    side_t *callee = &p->side[1 - caller->idx];
    p->call_no++;
    snprintf(p->number, sizeof(p->number), "%s", num ? num : "");
    memset(&p->call, 0, sizeof(p->call));
    p->call.call_no = p->call_no;
    p->call.direction = "pair";
    p->call.caller = side_names[caller->idx];
    p->call.number = p->number;
    p->call_start_samples = p->samples;
    p->call_start_ms = monotonic_ms();
    p->caller = caller->idx;
    caller->off_hook = true;
    p->state = PAIR_DIALLING;
    p->event_at = p->samples + SECONDS(1.0);
    if (p->opt->no_dialtone)
        p->fail_event = AT_CALL_EVENT_NO_DIALTONE;
    else if (p->opt->busy || callee->off_hook)
        p->fail_event = AT_CALL_EVENT_BUSY; /* the line is in use */
    else
        p->fail_event = 0;
}

/* The host on one side went on hook (ATH, ATZ or closing the pty). */
static void side_on_hook(pair_t *p, side_t *side)
{
    side->off_hook = false;
    if (p->state == PAIR_CONNECTED) {
        report(p, "ended");
        p->state = PAIR_IDLE;
    } else if ((p->state == PAIR_DIALLING || p->state == PAIR_RINGING) && side->idx == p->caller) {
        report(p, "host-hangup");
        p->state = PAIR_IDLE;
    }
}

static int modem_control(t31_state_t *s, void *user_data, int op, const char *num)
{
    side_t *side = user_data;
    pair_t *p = side->pair;
    (void) s;
    switch (op) {
    case AT_MODEM_CONTROL_CALL:
        if (p->state != PAIR_IDLE)
            return -1;
        start_dialling(p, side, num);
        return 0;
    case AT_MODEM_CONTROL_ANSWER:
        if (p->state != PAIR_RINGING || side->idx == p->caller)
            return -1;
        p->answer_pending = true;
        return 0;
    case AT_MODEM_CONTROL_HANGUP:
    case AT_MODEM_CONTROL_ONHOOK:
        side_on_hook(p, side);
        return 0;
    case AT_MODEM_CONTROL_CTS:
        host_port_set_cts(side->port, num != NULL, monotonic_ms());
        return 0;
    default:
        return 0;
    }
}

static void host_rx(void *user, const uint8_t *buf, size_t len)
{
    side_t *side = user;
    if (side->t31)
        t31_at_rx(side->t31, (const char *) buf, (int) len);
}

static void host_session(void *user, bool started)
{
    side_t *side = user;
    if (started) {
        side->t31 = modem_create(side->pair->opt, at_tx, modem_control, side, side->idx ? "B" : "A");
        side->off_hook = false;
    } else if (side->t31) {
        side_on_hook(side->pair, side);
        t31_free(side->t31);
        side->t31 = NULL;
    }
}

pair_t *pair_create(const linesim_options_t *opt, host_port_t *a, host_port_t *b)
{
    pair_t *p = calloc(1, sizeof(*p));
    if (p == NULL)
        return NULL;
    p->opt = opt;
    for (int i = 0; i < 2; i++) {
        side_t *side = &p->side[i];
        side->pair = p;
        side->idx = i;
        side->port = i ? b : a;
        side->noise = noise_create(opt, 1234567 + 1111111 * i);
        side->delay = delay_line_create(opt->line_delay_ms);
        host_port_set_handlers(side->port, host_rx, host_session, side);
    }
    return p;
}

void pair_free(pair_t *p)
{
    for (int i = 0; i < 2; i++) {
        if (p->side[i].t31)
            host_session(&p->side[i], false);
        if (p->side[i].noise)
            awgn_free(p->side[i].noise);
        delay_line_free(p->side[i].delay);
    }
    free(p);
}

bool pair_active(pair_t *p)
{
    return p->state != PAIR_IDLE || p->side[0].off_hook || p->side[1].off_hook;
}

static void call_events(pair_t *p)
{
    side_t *caller = &p->side[p->caller], *callee = &p->side[1 - p->caller];
    if (p->state == PAIR_DIALLING && p->samples >= p->event_at) {
        if (p->fail_event) {
            report(p, p->fail_event == AT_CALL_EVENT_NO_DIALTONE ? "no-dialtone" : "busy");
            p->state = PAIR_IDLE;
            t31_call_event(caller->t31, p->fail_event);
            return;
        }
        p->state = PAIR_RINGING;
        p->rings = 0;
        p->event_at = p->samples;
    }
    if (p->state != PAIR_RINGING)
        return;
    if (p->answer_pending && callee->t31) {
        p->answer_pending = false;
        p->state = PAIR_CONNECTED;
        callee->off_hook = true;
        t31_call_event(caller->t31, AT_CALL_EVENT_CONNECTED);
        t31_call_event(callee->t31, AT_CALL_EVENT_ANSWERED);
    } else if (p->samples >= p->event_at) {
        if (p->rings >= p->opt->max_rings || p->opt->no_answer) {
            report(p, "no-answer");
            p->state = PAIR_IDLE;
            t31_call_event(caller->t31, AT_CALL_EVENT_NO_ANSWER);
            return;
        }
        p->rings++;
        p->event_at = p->samples + SECONDS(RING_PERIOD_SECONDS);
        if (callee->t31) /* a pty nobody has open rings unheard */
            t31_call_event(callee->t31, AT_CALL_EVENT_ALERTING);
    }
}

void pair_tick(pair_t *p)
{
    int16_t sent[2][BLOCK_SAMPLES];
    call_events(p);
    for (int i = 0; i < 2; i++)
        modem_audio_tx(p->side[i].off_hook ? p->side[i].t31 : NULL, sent[i]);
    for (int i = 0; i < 2; i++) {
        side_t *side = &p->side[i];
        int16_t heard[BLOCK_SAMPLES];
        if (p->state == PAIR_CONNECTED)
            memcpy(heard, sent[1 - i], sizeof(heard));
        else
            memset(heard, 0, sizeof(heard));
        delay_line_pass(side->delay, heard);
        noise_add(side->noise, heard);
        if (side->t31 && side->off_hook)
            t31_rx(side->t31, heard, BLOCK_SAMPLES);
    }
    p->samples += BLOCK_SAMPLES;
}
