/*
 * far_end.c - the far_end_* functions line.c calls (linesim.h), so that linesim's
 * line carries a TSB-85 case instead of a fax terminal, and the JSON verdict line.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "machine.h"

far_end_t *far_end_start(const linesim_options_t *opt, bool calling, int call_no)
{
    (void) opt;
    (void) call_no;
    far_end_t *f = calloc(1, sizeof(*f));
    if (f == NULL || the_script == NULL)
        return NULL;
    modem_events_t ev = machine_events;
    ev.user = f;
    f->sc = the_script;
    f->m = modems_create(&ev);
    f->hangup_ms = -1;
    f->branch_return = f->branch_taken = -1;
    bool calls = f->sc->n > 0 && strcmp(f->sc->steps[0].type, "CALL") == 0;
    f->calling = calling;
    if (calling != calls) {
        fail(f, calling ? "this case needs the DUT to call (the tester answers)"
                        : "this case needs the tester to call the DUT (tsb85tester --call)");
        return f;
    }
    logf_(f, calling ? "the DUT answered: case %s" : "call answered: case %s", f->sc->name);
    advance(f);
    return f;
}

void far_end_free(far_end_t *f)
{
    if (f == NULL)
        return;
    if (f->page) {
        int rows, bad;
        page_check_end(f->page, &rows, &bad);
    }
    modems_free(f->m);
    free(f);
}

void far_end_audio(far_end_t *f, const int16_t *in, int16_t *out)
{
    modems_rx(f->m, in, BLOCK_SAMPLES);
    if (f->verdict == RUNNING && f->waiting == W_SILENCE) {
        f->quiet_blocks = modems_rx_power(f->m) < SILENCE_MEAN_SQUARE ? f->quiet_blocks + 1 : 0;
        if (f->quiet_blocks >= 2)
            step_done(f);
    }
    if (f->verdict == RUNNING && f->deadline >= 0 && f->now > f->deadline && f->waiting != W_TX) {
        const step_t *st = &f->sc->steps[f->pc];
        int ms = (int) ((f->now - f->step_start) * 1000 / SAMPLE_RATE);
        if (f->waiting == W_FAST)
            fail(f, "no %s at %s within %d ms%s", st->type, f->modem, ms,
                 f->trained ? " (trained, but the carrier did not end)" : "");
        else if (f->waiting == W_CLEAR)
            fail(f, "the DUT did not go on hook within %d ms", ms);
        else if (f->waiting == W_FRAME)
            fail(f, "no %s frame within %d ms", st->tag[0] ? st->tag : "HDLC", ms);
        else
            fail(f, "no %s within %d ms", st->type, ms);
    }
    modems_tx(f->m, out, BLOCK_SAMPLES);
    f->now += BLOCK_SAMPLES;
}

bool far_end_finished(far_end_t *f) { return f->verdict != RUNNING; }
int far_end_pages(far_end_t *f) { (void) f; return 0; }
int far_end_completion(far_end_t *f) { return f->verdict == PASSED ? T30_ERR_OK : T30_ERR_CALLDROPPED; }

void far_end_terminate(far_end_t *f)
{
    if (f->verdict != RUNNING || f->hung_up)
        return;
    f->hung_up = true;
    int ms = (int) ((f->now - f->step_start) * 1000 / SAMPLE_RATE);
    if (f->waiting == W_CLEAR) {
        const step_t *st = &f->sc->steps[f->pc];
        f->hangup_ms = ms;
        logf_(f, "DUT on hook %d ms after the step began", ms);
        if (st->timeout >= 0 && ms > st->timeout)
            fail(f, "the DUT went on hook after %d ms, later than %d ms", ms, st->timeout);
        else if (st->timein >= 0 && ms < st->timein)
            fail(f, "the DUT went on hook after %d ms, sooner than %d ms", ms, st->timein);
        else
            step_done(f);
        return;
    }
    fail(f, "the DUT went on hook (%d ms into the step)", ms);
}

static void json_string(FILE *out, const char *s)
{
    fputc('"', out);
    for (; s && *s; s++) {
        if (*s == '"' || *s == '\\')
            fprintf(out, "\\%c", *s);
        else if ((unsigned char) *s < 0x20)
            fprintf(out, "\\u%04x", *s);
        else
            fputc(*s, out);
    }
    fputc('"', out);
}

static void report_line(const char *name, const char *verdict, const step_t *st, const char *reason,
                        double sim_seconds, int hangup_ms, const char *outcome, int branch)
{
    char d[900];
    printf("{\"case\":");
    json_string(stdout, name);
    printf(",\"verdict\":");
    json_string(stdout, verdict);
    if (st) {
        step_describe(st, d, sizeof(d));
        printf(",\"step\":%d,\"stepText\":", st->xml_index);
        json_string(stdout, d);
    } else {
        printf(",\"step\":null,\"stepText\":null");
    }
    printf(",\"reason\":");
    json_string(stdout, reason);
    printf(",\"simSeconds\":%.2f,\"hangupMs\":", sim_seconds);
    if (hangup_ms >= 0)
        printf("%d", hangup_ms);
    else
        printf("null");
    printf(",\"lineOutcome\":");
    json_string(stdout, outcome);
    if (branch >= 0)
        printf(",\"branch\":%d", branch);
    else
        printf(",\"branch\":null");
    printf("}\n");
    fflush(stdout);
}

void far_end_report(far_end_t *f, const call_summary_t *c)
{
    if (f == NULL) {
        report_line(the_script ? the_script->name : "?", "fail", NULL, "the DUT's call never reached the tester",
                    c->sim_seconds, -1, c->outcome, -1);
        return;
    }
    if (f->verdict == RUNNING)
        fail(f, "the call ended (%s) before the case did", c->outcome);
    report_line(f->sc->name, f->verdict == PASSED ? "pass" : "fail",
                f->verdict == FAILED ? &f->sc->steps[f->fail_pc < f->sc->n ? f->fail_pc : f->sc->n - 1] : NULL,
                f->reason, c->sim_seconds, f->hangup_ms, c->outcome, f->branch_taken);
}

void tester_report_no_call(const char *reason, double sim_seconds)
{
    report_line(the_script ? the_script->name : "?", "fail", NULL, reason, sim_seconds, -1, "no-call", -1);
}
