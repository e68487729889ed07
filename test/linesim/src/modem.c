/*
 * modem.c - what both line models share: a spandsp T.31 modem for one pty
 * session, and additive white noise on the line.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "linesim.h"

static void log_to_stderr(int level, const char *text)
{
    (void) level;
    fputs(text, stderr);
}

t31_state_t *modem_create(const linesim_options_t *opt, at_tx_handler_t *at_tx,
                          t31_modem_control_handler_t *control, void *user, const char *tag)
{
    t31_state_t *t31 = t31_init(NULL, at_tx, user, control, user, NULL, NULL);
    if (t31 == NULL) {
        fprintf(stderr, "linesim: cannot start the T.31 modem\n");
        exit(2);
    }
    /* Full blocks of audio even when idle, so the line's clock never stalls. */
    t31_set_transmit_on_idle(t31, true);
    if (opt->verbose) {
        logging_state_t *logs[] = { &t31->logging, &t31->at_state.logging };
        for (size_t i = 0; i < 2; i++) {
            span_log_set_level(logs[i], SPAN_LOG_FLOW | SPAN_LOG_SHOW_TAG);
            span_log_set_tag(logs[i], tag);
            span_log_set_message_handler(logs[i], log_to_stderr);
        }
    }
    return t31;
}

void modem_audio_tx(t31_state_t *t31, int16_t *amp)
{
    int n = t31 ? t31_tx(t31, amp, BLOCK_SAMPLES) : 0;
    for (int i = n; i < BLOCK_SAMPLES; i++)
        amp[i] = 0;
}

awgn_state_t *noise_create(const linesim_options_t *opt, int seed)
{
    return opt->noise ? awgn_init_dbm0(NULL, seed, (float) opt->noise_dbm0) : NULL;
}

void noise_add(awgn_state_t *noise, int16_t *amp)
{
    if (noise == NULL)
        return;
    for (int i = 0; i < BLOCK_SAMPLES; i++) {
        int32_t v = amp[i] + awgn(noise);
        amp[i] = (int16_t) (v > INT16_MAX ? INT16_MAX : v < INT16_MIN ? INT16_MIN : v);
    }
}

/* A fixed transmission delay, in whole blocks (echo-free 4-wire line). */
struct delay_line_s {
    int blocks, head;
    int16_t *buf; /* blocks * BLOCK_SAMPLES, a ring of blocks */
};

delay_line_t *delay_line_create(double ms)
{
    delay_line_t *d = calloc(1, sizeof(*d));
    if (d == NULL)
        abort();
    d->blocks = (int) (ms * SAMPLE_RATE / 1000.0 / BLOCK_SAMPLES + 0.5);
    if (d->blocks > 0) {
        d->buf = calloc((size_t) d->blocks * BLOCK_SAMPLES, sizeof(int16_t));
        if (d->buf == NULL)
            abort();
    }
    return d;
}

void delay_line_free(delay_line_t *d)
{
    free(d->buf);
    free(d);
}

/* amp goes in, and comes back as the block that went in `blocks` blocks ago. */
void delay_line_pass(delay_line_t *d, int16_t *amp)
{
    int16_t tmp[BLOCK_SAMPLES];
    int16_t *slot;
    if (d->blocks == 0)
        return;
    slot = d->buf + (size_t) d->head * BLOCK_SAMPLES;
    memcpy(tmp, slot, sizeof(tmp));
    memcpy(slot, amp, sizeof(tmp));
    memcpy(amp, tmp, sizeof(tmp));
    d->head = (d->head + 1) % d->blocks;
}
