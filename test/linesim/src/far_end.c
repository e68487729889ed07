/*
 * far_end.c - the fax machine at the other end of the line: a spandsp fax
 * terminal (T.30 over the V.21/V.27ter/V.29/V.17 audio modems), restricted
 * to the capabilities given on the command line, and the JSON line that
 * reports each call.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "linesim.h"

struct far_end_s {
    fax_state_t *fax;
    t30_state_t *t30;
    const linesim_options_t *opt;
    bool calling;
    bool finished;          /* T.30 phase E reached */
    int completion_code;
    int pages;
    char tiff_path[4096];
    t30_stats_t stats;      /* captured at phase D/E, while T.30 still holds them */
    bool have_stats;
    char remote_ident[64];  /* TSI or CSI of the host, trimmed */
    sender_t *sender;       /* calling: documents, ECM frame size, faults (sender.c) */
    char sub_address[64];   /* SUB the host sent (--subaddress on), trimmed */
};

static void trimmed_ident(char *dst, size_t size, const char *src);

static void log_to_stderr(int level, const char *text)
{
    (void) level;
    fputs(text, stderr);
}

static void capture_stats(far_end_t *f)
{
    t30_get_transfer_statistics(f->t30, &f->stats);
    f->have_stats = true;
    f->pages = f->calling ? f->stats.pages_tx : f->stats.pages_rx;
    trimmed_ident(f->remote_ident, sizeof(f->remote_ident), t30_get_rx_ident(f->t30));
    trimmed_ident(f->sub_address, sizeof(f->sub_address), t30_get_rx_sub_address(f->t30));
}

/* T.30 phase D: a page has been sent or received (post-page exchange). */
static int phase_d(t30_state_t *s, void *user_data, int result)
{
    far_end_t *f = user_data;
    (void) s;
    (void) result;
    capture_stats(f);
    return T30_ERR_OK;
}

/* T.30 phase E: the call is over, with a completion code (t30.h T30_ERR_*). */
static void phase_e(t30_state_t *s, void *user_data, int completion_code)
{
    far_end_t *f = user_data;
    (void) s;
    capture_stats(f);
    f->completion_code = completion_code;
    f->finished = true;
}

far_end_t *far_end_start(const linesim_options_t *opt, bool calling, int call_no)
{
    far_end_t *f = calloc(1, sizeof(*f));
    if (f == NULL)
        return NULL;
    f->opt = opt;
    f->calling = calling;
    f->completion_code = T30_ERR_CALLDROPPED;
    f->fax = fax_init(NULL, calling);
    if (f->fax == NULL) {
        free(f);
        return NULL;
    }
    fax_set_transmit_on_idle(f->fax, true);
    f->t30 = fax_get_t30_state(f->fax);
    if (calling) {
        f->sender = sender_attach(opt, f->t30);
        if (f->sender == NULL) {
            fax_free(f->fax);
            free(f);
            return NULL;
        }
    } else {
        snprintf(f->tiff_path, sizeof(f->tiff_path), "%s/linesim-%d-call%d.tif", opt->out_dir,
                 (int) getpid(), call_no);
        t30_set_rx_file(f->t30, f->tiff_path, -1);
    }
    t30_set_tx_ident(f->t30, opt->ident);
    t30_set_supported_modems(f->t30, opt->modems);
    t30_set_supported_resolutions(f->t30, opt->resolutions);
    t30_set_supported_compressions(f->t30, opt->codings);
    t30_set_ecm_capability(f->t30, opt->ecm);
    /* --subaddress on: DIS bit 49 (spandsp's default DIS leaves it 0). */
    if (opt->subaddress)
        t30_set_supported_t30_features(f->t30, T30_SUPPORT_SUB_ADDRESSING);
    if (opt->rnr_count > 0)
        t30_set_receiver_not_ready(f->t30, opt->rnr_count);
    t30_set_phase_d_handler(f->t30, phase_d, f);
    t30_set_phase_e_handler(f->t30, phase_e, f);
    if (opt->verbose) {
        logging_state_t *logs[] = { fax_get_logging_state(f->fax), t30_get_logging_state(f->t30) };
        for (size_t i = 0; i < sizeof(logs) / sizeof(logs[0]); i++) {
            span_log_set_level(logs[i], SPAN_LOG_FLOW | SPAN_LOG_SHOW_TAG | SPAN_LOG_SHOW_SAMPLE_TIME);
            span_log_set_tag(logs[i], "FAR");
            span_log_set_message_handler(logs[i], log_to_stderr);
        }
    }
    return f;
}

/* Closing the fax terminal also closes the received TIFF file. */
static void close_fax(far_end_t *f)
{
    if (f->fax) {
        fax_free(f->fax);
        f->fax = NULL;
        f->t30 = NULL;
    }
}

void far_end_free(far_end_t *f)
{
    if (f == NULL)
        return;
    close_fax(f);
    sender_free(f->sender);
    free(f);
}

void far_end_audio(far_end_t *f, const int16_t *in, int16_t *out)
{
    int n = fax_tx(f->fax, out, BLOCK_SAMPLES);
    if (n < BLOCK_SAMPLES)
        memset(out + n, 0, sizeof(int16_t) * (size_t) (BLOCK_SAMPLES - n));
    if (f->sender)
        sender_audio(f->sender, out, BLOCK_SAMPLES);
    fax_rx(f->fax, (int16_t *) in, BLOCK_SAMPLES);
    if (f->opt->verbose) {
        span_log_bump_samples(fax_get_logging_state(f->fax), BLOCK_SAMPLES);
        span_log_bump_samples(t30_get_logging_state(f->t30), BLOCK_SAMPLES);
    }
}

bool far_end_finished(far_end_t *f) { return f->finished; }
int far_end_completion(far_end_t *f) { return f->completion_code; }
/* Receiving: pages in (confirmed or not); sending: pages out (data and post-page command),
   so --hangup-after-page N drops the line before page N's response either way. */
int far_end_pages(far_end_t *f) { return f->sender ? sender_pages_sent(f->sender) : f->pages; }

void far_end_terminate(far_end_t *f)
{
    if (!f->finished && f->t30)
        t30_terminate(f->t30); /* calls phase_e with T30_ERR_CALLDROPPED if mid-call */
}

/* ---- the JSON line ---- */

static void json_string(FILE *out, const char *s)
{
    if (s == NULL) {
        fputs("null", out);
        return;
    }
    fputc('"', out);
    for (; *s; s++) {
        unsigned char c = (unsigned char) *s;
        if (c == '"' || c == '\\')
            fprintf(out, "\\%c", c);
        else if (c < 0x20 || c >= 0x7f)
            fprintf(out, "\\u%04x", c);
        else
            fputc(c, out);
    }
    fputc('"', out);
}

static const char *coding_name(int encoding)
{
    switch (encoding) {
    case T4_COMPRESSION_ITU_T4_1D: return "mh";
    case T4_COMPRESSION_ITU_T4_2D: return "mr";
    case T4_COMPRESSION_ITU_T6: return "mmr";
    default: return NULL;
    }
}

static const char *resolution_name(int y_resolution)
{
    switch (y_resolution) {
    case T4_Y_RESOLUTION_STANDARD: return "standard";
    case T4_Y_RESOLUTION_FINE: return "fine";
    case T4_Y_RESOLUTION_SUPERFINE: return "superfine";
    default: return NULL;
    }
}

/* Trailing spaces pad idents to 20 characters on the line (T.30 §5.3.6.2.4). */
static void trimmed_ident(char *dst, size_t size, const char *src)
{
    size_t n;
    while (src && *src == ' ')
        src++;
    snprintf(dst, size, "%s", src ? src : "");
    n = strlen(dst);
    while (n > 0 && dst[n - 1] == ' ')
        dst[--n] = '\0';
}

void far_end_report(far_end_t *f, const call_summary_t *c)
{
    FILE *out = stdout;
    bool stats = f && f->have_stats && f->pages > 0;

    if (f) {
        if (f->t30) {
            trimmed_ident(f->remote_ident, sizeof(f->remote_ident), t30_get_rx_ident(f->t30));
            trimmed_ident(f->sub_address, sizeof(f->sub_address), t30_get_rx_sub_address(f->t30));
        }
        close_fax(f);
    }

    fprintf(out, "{\"call\":%d,\"direction\":", c->call_no);
    json_string(out, c->direction);
    if (c->caller) {
        fputs(",\"caller\":", out);
        json_string(out, c->caller);
    }
    fputs(",\"number\":", out);
    json_string(out, c->number);
    fputs(",\"outcome\":", out);
    json_string(out, c->outcome);
    fprintf(out, ",\"pages\":%d", f ? f->pages : 0);
    if (f) {
        fprintf(out, ",\"completionCode\":%d,\"completionText\":", f->completion_code);
        json_string(out, t30_completion_code_to_str(f->completion_code));
    } else {
        fputs(",\"completionCode\":null,\"completionText\":null", out);
    }
    if (stats) {
        fprintf(out, ",\"bitRate\":%d,\"resolution\":", f->stats.bit_rate);
        json_string(out, resolution_name(f->stats.y_resolution));
        fprintf(out, ",\"xResolution\":%d,\"yResolution\":%d,\"width\":%d,\"coding\":",
                f->stats.x_resolution, f->stats.y_resolution, f->stats.width);
        json_string(out, coding_name(f->stats.encoding));
        fprintf(out, ",\"ecm\":%s", f->stats.error_correcting_mode ? "true" : "false");
    } else {
        fputs(",\"bitRate\":null,\"resolution\":null,\"xResolution\":null,\"yResolution\":null,"
              "\"width\":null,\"coding\":null,\"ecm\":null", out);
    }
    fputs(",\"remoteIdent\":", out);
    json_string(out, f && f->remote_ident[0] ? f->remote_ident : NULL);
    fputs(",\"subaddress\":", out);
    json_string(out, f && f->sub_address[0] ? f->sub_address : NULL);
    fputs(",\"localIdent\":", out);
    json_string(out, c->local_ident);
    fprintf(out, ",\"durationSeconds\":%.2f,\"wallSeconds\":%.2f,\"tiff\":", c->sim_seconds,
            c->wall_seconds);
    json_string(out, f && !f->calling && f->pages > 0 ? f->tiff_path : NULL);
    if (f && f->sender)
        sender_report(f->sender, out);
    else
        fputs(",\"pagesSent\":null,\"documents\":null,\"ecmFrameSize\":null", out);
    fputs("}\n", out);
    fflush(out);
}
