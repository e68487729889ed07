/*
 * tester.c - the step machine: one TSB-85 case executed as the far end of the
 * simulated line, through the far_end_* functions line.c calls (linesim.h).
 *
 * T steps go out through modems.c one after another; an R step waits for what
 * it names (a V.21 frame matched against the octets, "..." matching any rest;
 * CNG; TCF, page data or ECM frames at one modulation; silence; the DUT going
 * on hook) until its timeout (7 s when the script gives none, as spandsp's
 * tester does). The first mismatch or timeout ends the case with the step and
 * the reason. Frames with a bad FCS are logged and otherwise ignored (a T.30
 * receiver discards them).
 */
#define _GNU_SOURCE
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "machine.h"


const script_t *the_script;

void tester_set_script(const script_t *s) { the_script = s; }

void logf_(far_end_t *f, const char *fmt, ...)
{
    va_list ap;
    fprintf(stderr, "[%8.3f] ", (double) f->now / SAMPLE_RATE);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
}

static void hex(char *buf, size_t len, const uint8_t *msg, int n)
{
    size_t used = 0;
    buf[0] = '\0';
    for (int i = 0; i < n && used + 4 < len; i++)
        used += (size_t) snprintf(buf + used, len - used, "%s%02X", i ? " " : "", msg[i]);
}

void fail(far_end_t *f, const char *fmt, ...)
{
    va_list ap;
    char step[900];
    if (f->verdict != RUNNING)
        return;
    va_start(ap, fmt);
    vsnprintf(f->reason, sizeof(f->reason), fmt, ap);
    va_end(ap);
    f->verdict = FAILED;
    f->fail_pc = f->pc;
    step_describe(&f->sc->steps[f->pc < f->sc->n ? f->pc : f->sc->n - 1], step, sizeof(step));
    logf_(f, "FAIL at step %s: %s", step, f->reason);
    f->waiting = W_NONE;
    modems_tx_stop(f->m);
}

void step_done(far_end_t *f)
{
    f->waiting = W_NONE;
    f->pc++;
    advance(f);
}

static int find_end(const script_t *sc, int from)
{
    int depth = 0;
    for (int i = from; i < sc->n; i++) {
        if (sc->steps[i].kind == K_REPEAT)
            depth++;
        else if (sc->steps[i].kind == K_END_REPEAT && depth-- == 0)
            return i;
    }
    return sc->n;
}

static bool in_list(const char *list, const char *modem)
{
    size_t n = strlen(modem);
    for (const char *p = strstr(list, modem); p; p = strstr(p + 1, modem))
        if ((p == list || p[-1] == '|') && (p[n] == '\0' || p[n] == '|'))
            return true;
    return false;
}

/* The modem of a TCF/MSG/PP step into f->modem. "<=X" (deviations.ts): any modem the
   tester's DIS offers at or below the last TCF's rate, as the DUT's DCS chose; "dis:X": any
   modem the last DIS offers; "=": the
   modem of the last TCF. A TCF must come at the rate its DCS announced (T.30 Table 2). */
static bool choose_modem(far_end_t *f, const step_t *st)
{
    const char *announced = f->dcs_len ? dcs_modem(f->dcs, f->dcs_len) : NULL;
    bool tcf = strcmp(st->type, "TCF") == 0;
    if (strcmp(st->modem, "=") == 0) {
        snprintf(f->modem, sizeof(f->modem), "%s", f->tcf_modem[0] ? f->tcf_modem : "?");
    } else if (strncmp(st->modem, "<=", 2) == 0 || strncmp(st->modem, "dis:", 4) == 0) {
        char allowed[256];
        bool any = st->modem[0] == 'd'; /* "dis:X": any rate the last DIS offers */
        int max = f->tcf_modem[0] && !any ? modem_rate(f->tcf_modem) : 14400;
        const char *named = st->modem + (any ? 4 : 2);
        dis_modems_up_to(f->dis, f->dis_len, max, allowed, sizeof(allowed));
        if (announced == NULL || !in_list(allowed, announced)) {
            fail(f, "the DCS chose %s; after the last response T.30 allows %s (the script names %s)",
                 announced ? announced : "no rate", allowed, named);
            return false;
        }
        if (strcmp(announced, named) != 0)
            logf_(f, "(allowed choice: the script names %s, the DCS chose %s of %s)", named, announced, allowed);
        snprintf(f->modem, sizeof(f->modem), "%s", announced);
    } else {
        snprintf(f->modem, sizeof(f->modem), "%s", st->modem);
    }
    if (tcf) {
        if (announced && strcmp(announced, f->modem) != 0) {
            fail(f, "the DCS announced %s but the case expects TCF at %s", announced, f->modem);
            return false;
        }
        snprintf(f->tcf_modem, sizeof(f->tcf_modem), "%s", f->modem);
        memcpy(f->session_dcs, f->dcs, (size_t) f->dcs_len);
        f->session_dcs_len = f->dcs_len;
        f->dcs_len = 0;
    }
    return true;
}

/* T TCF / MSG (the tester calls, the DUT receives): the octets go out at the step's modem,
   or, for a step that names none, the modem of the last one. The DUT's answer (CFR/FTT,
   MCF/RTP/RTN) is the script's next R step. */
static void start_fast_tx(far_end_t *f, const step_t *st)
{
    uint8_t *data;
    char why[300] = "";
    int kind, rate;
    long n;
    char modem[sizeof(f->tx_modem)];

    snprintf(modem, sizeof(modem), "%s", st->modem[0] ? st->modem : f->tx_modem);
    if (!modem_parse(modem, &kind, &rate) || kind == 21) {
        fail(f, "T %s at an unknown modem '%s'", st->type, modem);
        return;
    }
    snprintf(f->tx_modem, sizeof(f->tx_modem), "%s", modem);
    if ((n = send_octets(st, &data, why, sizeof(why))) < 0) {
        fail(f, "%s", why[0] ? why : "out of memory");
        return;
    }
    modems_rx_fast_off(f->m);
    if (strcmp(st->type, "PP") == 0) {
        /* ECM (T.4 Annex A): like spandsp's tester, 64-octet frames unless the step says 256 */
        int size = st->frame_size > 0 ? st->frame_size : 64, block = st->block > 0 ? st->block : 0;
        long first = (long) block * 256 * size;
        logf_(f, "sending PP at %s: block %d, %ld frames of %d octets (page %ld octets)%s", modem, block,
              n > first ? ((n - first < 256L * size ? n - first : 256L * size) + size - 1) / size : 0, size, n,
              st->crc_error >= 0 ? ", one with a bad FCS" : "");
        if (n <= first || !modems_tx_ecm(f->m, kind, rate, data, n, block, size, st->crc_error))
            fail(f, "cannot send block %d of a %ld-octet page in %d-octet frames", block, n, size);
        free(data);
        return;
    }
    logf_(f, "sending %s at %s: %ld octets", st->type, modem, n);
    /* T.30 5.3.2: TCF after the long training; page data after the short one (V.17) */
    if (!modems_tx_fast(f->m, kind, rate, strcmp(st->type, "TCF") != 0, data, n))
        fail(f, "cannot start the %s transmitter", modem);
    free(data);
}

/* Start the step at pc; true if it completed at once. */
static bool start_step(far_end_t *f)
{
    const step_t *st = &f->sc->steps[f->pc];
    char d[900];
    int kind, rate;

    step_describe(st, d, sizeof(d));
    logf_(f, "step %s", d);
    f->step_start = f->now;
    f->deadline = -1;
    if (st->dir != 'R' && strcmp(st->type, "WAIT") != 0 && (st->dir != 'T' || strcmp(st->type, "SET") == 0))
        return true; /* ANSWER, CALL, SET, STATUS: nothing on the line */
    if (strcmp(st->type, "WAIT") == 0) {
        modems_rx_fast_off(f->m);
        modems_tx_silence(f->m, (int) MS(st->number > 0 ? st->number : 1));
        f->waiting = W_TX;
        return false;
    }
    if (st->dir == 'T') {
        f->waiting = W_TX;
        if (strcmp(st->type, "CED") == 0)
            modems_tx_ced(f->m);
        else if (strcmp(st->type, "PREAMBLE") == 0 && st->modem[0] && strcmp(st->modem, "V.21") != 0) {
            /* The preamble of a fast modem (before T PP): its training and the flags after it
               go out with the PP step's own carrier. */
            f->waiting = W_NONE;
            return true;
        } else if (strcmp(st->type, "PREAMBLE") == 0)
            modems_tx_v21_flags(f->m, st->number > 0 ? st->number : 37);
        else if (strcmp(st->type, "HDLC") == 0) {
            if (st->frame_len >= 3 && st->frame[2] == 0x01 && st->crc_error < 0) {
                memcpy(f->dis, st->frame, (size_t) st->frame_len);
                f->dis_len = st->frame_len;
            }
            modems_tx_v21_frame(f->m, st->frame, st->frame_len, st->crc_error >= 0);
        }
        else if (strcmp(st->type, "POSTAMBLE") == 0)
            modems_tx_v21_end(f->m);
        else if (strcmp(st->type, "TCF") == 0 || strcmp(st->type, "MSG") == 0 || strcmp(st->type, "PP") == 0)
            start_fast_tx(f, st);
        else if (strcmp(st->type, "CLEAR") == 0) {
            /* The tester hangs up. The simulated line carries no loop-current drop to the
               DUT's modem, so what the script checks after this (R CLEAR, STATUS) is left to
               the runner: the sender's own outcome. */
            logf_(f, "tester clears the call");
            f->waiting = W_NONE;
            f->verdict = PASSED;
            snprintf(f->reason, sizeof(f->reason), "tester cleared the call");
            modems_tx_stop(f->m);
            return false;
        } else
            fail(f, "step type T %s is not supported by this tester", st->type);
        return false;
    }
    /* dir R */
    modems_tx_stop(f->m);
    f->deadline = f->now + MS(st->timeout >= 0 ? st->timeout : DEFAULT_R_TIMEOUT_MS);
    if (strcmp(st->type, "CNG") == 0) {
        modems_rx_cng(f->m, true);
        f->waiting = W_CNG;
    } else if (strcmp(st->type, "CED") == 0) {
        modems_rx_ced(f->m, true);
        f->waiting = W_CED;
    } else if (strcmp(st->type, "HDLC") == 0) {
        modems_rx_fast_off(f->m);
        f->waiting = W_FRAME;
    } else if (strcmp(st->type, "TCF") == 0 || strcmp(st->type, "MSG") == 0 || strcmp(st->type, "PP") == 0) {
        if (!choose_modem(f, st))
            return false;
        if (!modem_parse(f->modem, &kind, &rate) || kind == 21) {
            fail(f, "unknown modem '%s'", f->modem);
            return false;
        }
        f->fast_kind = kind;
        f->fast_rate = rate;
        f->trained = false;
        f->bits = f->ones = f->zero_run = f->longest_zero_run = 0;
        f->fcd = f->rcp = f->fcd_oversize = f->fast_bad = 0;
        if (strcmp(st->type, "MSG") == 0)
            f->page = page_check_start(f->session_dcs, f->session_dcs_len);
        modems_rx_fast(f->m, kind, rate, strcmp(st->type, "PP") == 0, strcmp(st->type, "TCF") != 0);
        f->waiting = W_FAST;
    } else if (strcmp(st->type, "SILENCE") == 0) {
        f->quiet_blocks = 0;
        f->waiting = W_SILENCE;
    } else if (strcmp(st->type, "CLEAR") == 0) {
        f->waiting = W_CLEAR;
        f->hangup_ms = -1;
    } else {
        fail(f, "step type R %s is not supported by this tester", st->type);
    }
    return false;
}

void advance(far_end_t *f)
{
    const script_t *sc = f->sc;
    while (f->verdict == RUNNING) {
        if (f->branch_return < 0 ? f->pc >= sc->main_n : f->pc >= sc->n) {
            f->verdict = PASSED;
            snprintf(f->reason, sizeof(f->reason), "all steps done");
            logf_(f, "PASS");
            modems_tx_stop(f->m);
            return;
        }
        const step_t *st = &sc->steps[f->pc];
        if (st->kind == K_REPEAT) {
            f->in_repeat = true;
            f->rep_start = f->pc + 1;
            f->rep_end = find_end(sc, f->rep_start);
            f->rep_count = 0;
            f->pc++;
            continue;
        }
        if (st->kind == K_END_BRANCH || st->kind == K_BRANCH) {
            /* the branch is done: the main script goes on at the step it stood in for */
            logf_(f, "(end of the alternative branch: back to step %d)", sc->steps[f->branch_return].xml_index);
            f->pc = f->branch_return;
            f->branch_return = -1;
            continue;
        }
        if (st->kind == K_END_REPEAT) {
            const step_t *rep = &sc->steps[f->rep_start - 1];
            if (++f->rep_count >= rep->repeat_max) {
                fail(f, "the repeated steps ran %d times, the most the case allows", f->rep_count);
                return;
            }
            f->pc = f->rep_start;
            continue;
        }
        if (!start_step(f))
            return;
        f->pc++;
    }
}

/* ---- events from modems.c ---- */

static void on_tx_done(void *user)
{
    far_end_t *f = user;
    if (f->waiting == W_TX)
        step_done(f);
}

static void on_tone(void *user, int tone)
{
    far_end_t *f = user;
    if (f->waiting == W_CNG && tone == MODEM_CONNECT_TONES_FAX_CNG) {
        logf_(f, "CNG heard");
        modems_rx_cng(f->m, false);
        step_done(f);
    } else if (f->waiting == W_CED && (tone == MODEM_CONNECT_TONES_ANS || tone == MODEM_CONNECT_TONES_ANS_PR)) {
        logf_(f, "CED heard");
        modems_rx_ced(f->m, false);
        step_done(f);
    }
}

static bool frame_matches(const step_t *st, const uint8_t *msg, int len)
{
    if (st->alt_frame_len > 0 && len == st->alt_frame_len
        && memcmp(msg, st->alt_frame, (size_t) st->alt_frame_len) == 0)
        return true;
    if (st->wildcard ? len < st->frame_len : len != st->frame_len)
        return false;
    return memcmp(msg, st->frame, (size_t) st->frame_len) == 0;
}

/* An alternative branch for main step st whose first step the frame matches: enter it
   (deviations.ts: a choice T.30 allows where the script names one). */
static bool take_branch(far_end_t *f, const step_t *st, const uint8_t *msg, int n)
{
    const script_t *sc = f->sc;
    for (int i = sc->main_n; i + 1 < sc->n; i++) {
        const step_t *b = &sc->steps[i], *first = &sc->steps[i + 1];
        if (b->kind != K_BRANCH || b->branch_at != st->xml_index || first->kind != K_STEP ||
            strcmp(first->type, "HDLC") != 0 || first->dir != 'R' || !frame_matches(first, msg, n))
            continue;
        logf_(f, "(allowed choice: %s instead of %s, alternative branch of steps %d-)", first->tag, st->tag,
              first->xml_index);
        f->branch_return = f->pc;
        f->branch_taken = st->xml_index;
        f->pc = i + 1;
        step_done(f);
        return true;
    }
    return false;
}

/* The awaited frame is a non-final one (NSF, CSI, TSI ...): T.30 (5.3.6, Table 1) makes these
   optional, so a frame that matches one of the R HDLC steps right after it skips there
   (README.md, receiver cases: MRGN01 expects NSF, which a receiver need not send). */
static bool skip_optional(far_end_t *f, const uint8_t *msg, int n)
{
    const script_t *sc = f->sc;
    int end = f->branch_return < 0 ? sc->main_n : sc->n;
    for (int j = f->pc + 1; j < end; j++) {
        const step_t *next = &sc->steps[j];
        if (next->kind != K_STEP || next->dir != 'R' || strcmp(next->type, "HDLC") != 0)
            return false;
        if (frame_matches(next, msg, n)) {
            logf_(f, "(optional frame%s absent: %s received, steps %d-%d skipped)", j - f->pc > 1 ? "s" : "",
                  next->tag, sc->steps[f->pc].xml_index, sc->steps[j - 1].xml_index);
            f->pc = j;
            step_done(f);
            return true;
        }
        if (next->frame_len < 2 || next->frame[1] != 0xC0)
            return false; /* only optional frames may be skipped, up to the final one */
    }
    return false;
}

static void on_v21_frame(far_end_t *f, const uint8_t *raw, int len, bool ok)
{
    uint8_t msg[MAX_FRAME];
    char h[3 * MAX_FRAME + 1], want[3 * MAX_FRAME + 8];
    int n = len < MAX_FRAME ? len : MAX_FRAME;

    for (int i = 0; i < n; i++)
        msg[i] = bit_reverse8(raw[i]);
    hex(h, sizeof(h), msg, n);
    if (!ok) {
        logf_(f, "V.21 frame with a bad FCS ignored: %s", h);
        return;
    }
    logf_(f, "V.21 frame received: %s", h);
    if (n >= 3 && (msg[2] & 0x7F) == 0x41) { /* DCS, with or without the X bit */
        memcpy(f->dcs, msg, (size_t) n);
        f->dcs_len = n;
    }
    if (f->verdict != RUNNING)
        return;
    if (f->waiting == W_FRAME) {
        const step_t *st = &f->sc->steps[f->pc];
        if (frame_matches(st, msg, n)) {
            step_done(f);
            return;
        }
        if (st->frame_len >= 2 && st->frame[1] == 0xC0 && skip_optional(f, msg, n))
            return;
        if (st->frame_len >= 2 && st->frame[1] == 0xC8 && n >= 2 && msg[1] == 0xC0) {
            /* T.30 (5.3.6): a command may be preceded by optional
               non-final frames (TSI, NSS, SUB, SID, PWD ...); the step names the final frame. */
            logf_(f, "(a non-final frame before the awaited %s: accepted as optional)", st->tag);
            return;
        }
        if (f->in_repeat && f->pc == f->rep_start && f->rep_count >= f->sc->steps[f->rep_start - 1].repeat_min) {
            /* Enough repetitions: the frame belongs to the step after the loop. */
            f->in_repeat = false;
            f->pc = f->rep_end + 1;
            advance(f);
            if (f->waiting == W_FRAME)
                on_v21_frame(f, raw, len, ok);
            return;
        }
        if (f->branch_return < 0 && take_branch(f, st, msg, n))
            return;
        hex(want, sizeof(want) - 5, st->frame, st->frame_len);
        if (st->wildcard)
            strcat(want, " ...");
        fail(f, "expected %s [%s], received [%s]", st->tag[0] ? st->tag : "frame", want, h);
    } else if (f->waiting == W_FAST || f->waiting == W_CNG || f->waiting == W_CLEAR || f->waiting == W_SILENCE
               || f->waiting == W_CED) {
        const step_t *st = &f->sc->steps[f->pc];
        const char *modem = f->waiting == W_FAST ? f->modem : st->modem;
        fail(f, "received V.21 frame [%s] while waiting for %s%s%s", h, st->type, modem[0] ? " at " : "", modem);
    } else {
        logf_(f, "(the tester is not listening in this step: frame ignored)");
    }
}

static void on_frame(void *user, const uint8_t *msg, int len, bool ok, bool fast)
{
    far_end_t *f = user;
    if (fast)
        fast_frame(f, msg, len, ok);
    else
        on_v21_frame(f, msg, len, ok);
}

const modem_events_t machine_events = { on_frame, on_tone, on_fast_status, on_fast_bit, on_tx_done, NULL };
