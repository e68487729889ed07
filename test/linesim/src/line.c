/*
 * line.c - one phone line: the host's T.31 modem at one end, the far-end fax
 * terminal at the other, with call set-up, faults and noise in between.
 *
 * Time on the line is counted in samples (8000/s); main.c calls line_tick()
 * once per 20 ms block, paced to the wall clock divided by the speed factor.
 * Audio runs only while a session is open and a call is in progress (or being
 * set up, or ringing), so an idle line costs no CPU.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "linesim.h"

#define SECONDS(s) ((int64_t) ((s) * SAMPLE_RATE))
/* --burst-at: as loud as the fax signal itself, so what it covers is lost. */
#define BURST_DBM0 -10
#define RING_PERIOD_SECONDS 6.0 /* one RING per cadence (2 s on, 4 s off) */

typedef enum {
    LINE_IDLE,       /* on hook, nothing happening */
    LINE_DIALLING,   /* host dialled; the outcome falls due at event_at */
    LINE_RING_WAIT,  /* send mode: the far end will call at event_at */
    LINE_RINGING,    /* send mode: RING every RING_PERIOD_SECONDS until answered */
    LINE_CONNECTED,  /* the far-end fax terminal is on the line */
    LINE_FAR_GONE    /* the far end has hung up; silence until the host hangs up */
} line_state_t;

struct line_s {
    const linesim_options_t *opt;
    host_port_t *port;
    t31_state_t *t31;        /* one per session */
    far_end_t *far;
    line_state_t state;
    int64_t samples;         /* simulated time since start */
    int64_t event_at;        /* next timed event, in samples */
    int rings;
    bool answer_pending;
    bool reported;           /* the current call's JSON line is out */
    int call_no;
    call_summary_t call;
    char number[128];
    int64_t call_start_samples, call_start_ms, connected_at;
    awgn_state_t *noise_to_far, *noise_to_host;
    awgn_state_t *burst; /* --burst-at: loud noise towards the far end for a moment */
    delay_line_t *delay_to_far, *delay_to_host;
};

static void end_call(line_t *l, const char *outcome);

static void begin_call(line_t *l, const char *direction, const char *number)
{
    l->call_no++;
    snprintf(l->number, sizeof(l->number), "%s", number ? number : "");
    memset(&l->call, 0, sizeof(l->call));
    l->call.call_no = l->call_no;
    l->call.direction = direction;
    l->call.local_ident = l->opt->ident;
    l->call.number = number ? l->number : NULL;
    l->call_start_samples = l->samples;
    l->call_start_ms = monotonic_ms();
    l->reported = false;
}

static void report(line_t *l, const char *outcome)
{
    if (l->reported)
        return;
    l->call.outcome = outcome;
    l->call.sim_seconds = (double) (l->samples - l->call_start_samples) / SAMPLE_RATE;
    l->call.wall_seconds = (double) (monotonic_ms() - l->call_start_ms) / 1000.0;
    far_end_report(l->far, &l->call);
    l->reported = true;
}

/* The far end leaves the line (finished, faulted or the host went on hook). */
static void end_call(line_t *l, const char *outcome)
{
    if (l->far) {
        bool finished = far_end_finished(l->far);
        far_end_terminate(l->far);
        /* A host that hangs up right after DCN, while T.30 is still tidying up,
           has completed the call (t30_terminate() keeps the status OK then). */
        if (outcome == NULL && far_end_completion(l->far) == T30_ERR_OK)
            outcome = "completed";
        else if (outcome == NULL)
            outcome = finished ? "failed" : "host-hangup";
        report(l, outcome);
        far_end_free(l->far);
        l->far = NULL;
    } else if (outcome && l->state != LINE_IDLE) {
        report(l, outcome);
    }
}

/* ---- the modem side (spandsp T.31) ---- */

static void show_caller_id(line_t *l)
{
    at_state_t *at = &l->t31->at_state;
    char date[8], clock[8];
    time_t now = time(NULL);
    struct tm tm;
    gmtime_r(&now, &tm);
    strftime(date, sizeof(date), "%m%d", &tm);
    strftime(clock, sizeof(clock), "%H%M", &tm);
    at_reset_call_info(at);
    at_set_call_info(at, "DATE", date);
    at_set_call_info(at, "TIME", clock);
    at_set_call_info(at, "NMBR", l->opt->caller_number);
    if (l->opt->caller_name)
        at_set_call_info(at, "NAME", l->opt->caller_name);
    if (at->display_call_info)
        at_display_call_info(at);
}

static int at_tx(at_state_t *s, void *user_data, const uint8_t *buf, size_t len)
{
    line_t *l = user_data;
    (void) s;
    host_port_write(l->port, buf, len, monotonic_ms());
    return (int) len;
}

static int modem_control(t31_state_t *s, void *user_data, int op, const char *num)
{
    line_t *l = user_data;
    (void) s;
    switch (op) {
    case AT_MODEM_CONTROL_CALL:
        if (l->state != LINE_IDLE && l->state != LINE_RING_WAIT)
            return -1;
        begin_call(l, "dial", num);
        l->state = LINE_DIALLING;
        /* V.250 6.3.1: the result of dialling comes after dial tone, dialling and ringing. */
        if (l->opt->no_dialtone)
            l->event_at = l->samples + SECONDS(2.0);
        else if (l->opt->busy)
            l->event_at = l->samples + SECONDS(1.0);
        else
            l->event_at = l->samples + SECONDS(l->opt->ring_seconds);
        return 0;
    case AT_MODEM_CONTROL_ANSWER:
        if (l->state != LINE_RINGING)
            return -1;
        l->answer_pending = true;
        return 0;
    case AT_MODEM_CONTROL_HANGUP:
    case AT_MODEM_CONTROL_ONHOOK:
        if (l->state == LINE_RING_WAIT || l->state == LINE_RINGING)
            return 0; /* on hook is where a ringing line already is */
        if (l->state == LINE_DIALLING)
            end_call(l, "host-hangup");
        else
            end_call(l, NULL);
        l->state = LINE_IDLE;
        return 0;
    case AT_MODEM_CONTROL_CTS:
        host_port_set_cts(l->port, num != NULL, monotonic_ms());
        return 0;
    default:
        return 0;
    }
}

static void host_rx(void *user, const uint8_t *buf, size_t len)
{
    line_t *l = user;
    if (l->t31)
        t31_at_rx(l->t31, (const char *) buf, (int) len);
}

/* Each open of the pty is a fresh modem; a close is a hang-up. */
static void host_session(void *user, bool started)
{
    line_t *l = user;
    if (started) {
        l->t31 = modem_create(l->opt, at_tx, modem_control, l, "T.31");
        l->state = LINE_IDLE;
        if (l->opt->far_end_sends) {
            l->state = LINE_RING_WAIT;
            l->event_at = l->samples + SECONDS(l->opt->ring_after);
        }
        if (l->opt->verbose)
            fprintf(stderr, "linesim: session opened\n");
    } else {
        if (l->state == LINE_RINGING)
            end_call(l, "no-answer");
        else if (l->state != LINE_IDLE && l->state != LINE_RING_WAIT)
            end_call(l, l->state == LINE_DIALLING ? "host-hangup" : NULL);
        l->state = LINE_IDLE;
        l->answer_pending = false;
        if (l->t31) {
            t31_free(l->t31);
            l->t31 = NULL;
        }
        if (l->opt->verbose)
            fprintf(stderr, "linesim: session closed\n");
    }
}

line_t *line_create(const linesim_options_t *opt, host_port_t *port)
{
    line_t *l = calloc(1, sizeof(*l));
    if (l == NULL)
        return NULL;
    l->opt = opt;
    l->port = port;
    l->noise_to_far = noise_create(opt, 1234567);
    l->noise_to_host = noise_create(opt, 7654321);
    if (opt->burst_at >= 0)
        l->burst = awgn_init_dbm0(NULL, 4242, (float) BURST_DBM0);
    l->delay_to_far = delay_line_create(opt->line_delay_ms);
    l->delay_to_host = delay_line_create(opt->line_delay_ms);
    host_port_set_handlers(port, host_rx, host_session, l);
    return l;
}

void line_free(line_t *l)
{
    if (l->t31)
        host_session(l, false);
    if (l->noise_to_far)
        awgn_free(l->noise_to_far);
    if (l->noise_to_host)
        awgn_free(l->noise_to_host);
    if (l->burst)
        awgn_free(l->burst);
    delay_line_free(l->delay_to_far);
    delay_line_free(l->delay_to_host);
    free(l);
}

bool line_active(line_t *l) { return l->t31 != NULL && l->state != LINE_IDLE; }
int64_t line_samples(line_t *l) { return l->samples; }

/* ---- call set-up and faults, in simulated time ---- */

static void timed_events(line_t *l)
{
    if (l->state == LINE_DIALLING && l->samples >= l->event_at) {
        if (l->opt->no_dialtone || l->opt->busy || l->opt->no_answer) {
            int event = l->opt->no_dialtone ? AT_CALL_EVENT_NO_DIALTONE
                        : l->opt->busy      ? AT_CALL_EVENT_BUSY
                                            : AT_CALL_EVENT_NO_ANSWER;
            end_call(l, l->opt->no_dialtone ? "no-dialtone" : l->opt->busy ? "busy" : "no-answer");
            l->state = LINE_IDLE;
            t31_call_event(l->t31, event);
            return;
        }
        l->far = far_end_start(l->opt, false, l->call_no);
        if (l->far == NULL) {
            fprintf(stderr, "linesim: cannot start the far-end fax terminal\n");
            exit(2);
        }
        l->state = LINE_CONNECTED;
        l->connected_at = l->samples;
        t31_call_event(l->t31, AT_CALL_EVENT_CONNECTED);
    } else if (l->state == LINE_RING_WAIT && l->samples >= l->event_at) {
        begin_call(l, "incoming", NULL);
        l->state = LINE_RINGING;
        l->rings = 0;
        l->event_at = l->samples;
    }
    if (l->state == LINE_RINGING && l->answer_pending) {
        l->answer_pending = false;
        l->far = far_end_start(l->opt, true, l->call_no);
        if (l->far == NULL) {
            fprintf(stderr, "linesim: cannot start the far-end fax terminal\n");
            exit(2);
        }
        l->state = LINE_CONNECTED;
        l->connected_at = l->samples;
        t31_call_event(l->t31, AT_CALL_EVENT_ANSWERED);
    } else if (l->state == LINE_RINGING && l->samples >= l->event_at) {
        if (l->rings >= l->opt->max_rings) {
            end_call(l, "no-answer");
            l->state = LINE_IDLE;
            return;
        }
        /* Caller ID comes in the silence after the first ring (Bellcore/ETSI on-hook data); a
           modem shows it, before the second RING, as DATE/TIME/NMBR/NAME lines once +VCID=1
           enabled it (V.253 §9.2.3). */
        if (l->rings == 1 && l->opt->caller_number)
            show_caller_id(l);
        l->rings++;
        l->event_at = l->samples + SECONDS(RING_PERIOD_SECONDS);
        t31_call_event(l->t31, AT_CALL_EVENT_ALERTING);
    }
}

static void far_end_faults(line_t *l)
{
    bool hang_up = false;
    if (l->state != LINE_CONNECTED || l->far == NULL)
        return;
    if (far_end_finished(l->far)) {
        end_call(l, NULL);
        l->state = LINE_FAR_GONE;
        return;
    }
    if (l->opt->hangup_after_seconds >= 0
        && l->samples - l->connected_at >= SECONDS(l->opt->hangup_after_seconds))
        hang_up = true;
    if (l->opt->hangup_after_page >= 0 && far_end_pages(l->far) >= l->opt->hangup_after_page)
        hang_up = true;
    if (hang_up) {
        end_call(l, "far-end-hangup");
        l->state = LINE_FAR_GONE;
    }
}

void line_tick(line_t *l, int64_t now_ms)
{
    int16_t to_far[BLOCK_SAMPLES], to_host[BLOCK_SAMPLES];
    (void) now_ms;

    if (l->t31 == NULL)
        return;
    timed_events(l);
    if (l->t31 == NULL || l->state == LINE_IDLE)
        return;
    modem_audio_tx(l->t31, to_far);
    delay_line_pass(l->delay_to_far, to_far);
    noise_add(l->noise_to_far, to_far);
    if (l->burst && l->state == LINE_CONNECTED) {
        /* A click on the line: a burst of loud noise that corrupts what the host sends. */
        int64_t t = l->samples - l->connected_at - SECONDS(l->opt->burst_at);
        if (t >= 0 && t < SECONDS(l->opt->burst_ms / 1000.0))
            noise_add(l->burst, to_far);
    }
    if (l->state == LINE_CONNECTED && l->far)
        far_end_audio(l->far, to_far, to_host);
    else
        memset(to_host, 0, sizeof(to_host));
    far_end_faults(l);
    delay_line_pass(l->delay_to_host, to_host);
    noise_add(l->noise_to_host, to_host);
    if (l->t31)
        t31_rx(l->t31, to_host, BLOCK_SAMPLES);
    if (l->opt->verbose && l->t31) {
        span_log_bump_samples(&l->t31->logging, BLOCK_SAMPLES);
        span_log_bump_samples(&l->t31->at_state.logging, BLOCK_SAMPLES);
    }
    l->samples += BLOCK_SAMPLES;
}
