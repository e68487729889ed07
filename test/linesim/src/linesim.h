/*
 * linesim - a simulated phone line for lpfax tests.
 *
 * The host side is a pseudo-terminal that behaves as a Class 1 fax modem
 * (spandsp's ITU-T T.31 modem). The far end of the line is a spandsp fax
 * terminal (ITU-T T.30 over V.21/V.27ter/V.29/V.17 audio). Both exchange
 * 8000 samples/s audio in blocks of 20 ms, paced to the wall clock
 * (optionally faster).
 *
 * Files:
 *   host_port.c  the pty: sessions (open/close), byte queues, latency, flow control
 *   far_end.c    the spandsp fax terminal and the JSON report of each call
 *   line.c       the call: dialling, ringing, faults, the audio path
 *   pair.c       pair mode: two pty modems calling each other
 *   modem.c      a T.31 modem per session, line noise
 *   main.c       options and the event loop
 */
#ifndef LINESIM_H
#define LINESIM_H

#define SPANDSP_EXPOSE_INTERNAL_STRUCTURES
#include <inttypes.h>
#include <stdbool.h>
#include <stddef.h>
#include <tiffio.h>
#include <spandsp.h>

#define SAMPLE_RATE 8000
#define BLOCK_SAMPLES 160 /* 20 ms */
#define LINESIM_MAX_DOCUMENTS 16

/* Everything the command line can set. */
typedef struct {
    const char *link_path;   /* optional symlink to the pty slave */
    bool pair;               /* two pty modems on one line, no fax terminal */
    const char *link_b_path; /* pair mode: optional symlink to the second pty */
    const char *out_dir;     /* received TIFF files go here */
    double speed;            /* simulated seconds per wall second */
    bool far_end_sends;      /* the far end calls in and sends send_file */
    const char *send_file;   /* TIFF-F sent by the far end */
    bool busy, no_answer, no_dialtone;
    double ring_seconds;     /* ringing before the far end answers (or NO ANSWER) */
    double ring_after;       /* send mode: delay from session start to first RING */
    int max_rings;           /* send mode: rings before the caller gives up */
    bool noise;              /* add white noise ... */
    double noise_dbm0;       /* ... at this level */
    double burst_at;         /* <0: none; else a noise burst towards the far end S s after answer */
    double burst_ms;         /* ... lasting this long, at BURST_DBM0 */
    double hangup_after_seconds; /* <0: never */
    int hangup_after_page;   /* <0: never */
    int modems;              /* T30_SUPPORT_V27TER | ... */
    int resolutions;         /* T30_SUPPORT_*_RESOLUTION */
    int codings;             /* T30_SUPPORT_T4_1D_COMPRESSION | ... */
    bool ecm;
    bool subaddress;         /* far end offers subaddressing (DIS bit 49) */
    int rnr_count;
    int latency_ms;          /* extra delay each way between host and modem */
    double line_delay_ms;    /* one-way audio delay on the line */
    const char *ident;       /* far-end local ident (CSI when receiving, TSI when sending) */
    bool xonxoff;            /* send DC3/DC1 when the modem's buffer fills/drains */
    bool verbose;            /* spandsp logs on stderr */
    /* send mode (sender.c) */
    const char *send_files[LINESIM_MAX_DOCUMENTS]; /* --send, once per document, EOM between */
    int send_count;
    int ecm_frame_size;      /* 256 (default) or 64: the frame size the far end's DCS announces */
    bool no_dcs;             /* the caller goes silent after the host's DIS */
    const char *caller_number; /* send mode: caller ID (NMBR) shown after the first RING, or NULL */
    const char *caller_name;   /* ... and its NAME, or NULL */
} linesim_options_t;

/* ---- host_port.c ---- */
typedef struct host_port_s host_port_t;

host_port_t *host_port_open(const linesim_options_t *opt, const char **slave_path);
void host_port_close(host_port_t *p);
int host_port_fd(host_port_t *p);
/* Follow opens and closes of the slave with inotify (IN_OPEN | IN_CLOSE). */
void host_port_watch(host_port_t *p, int inotify_fd);
bool host_port_watched(host_port_t *p);
/* One inotify event; false if it is not this port's. */
bool host_port_inotify(host_port_t *p, int watch, uint32_t mask);
/* The next wall time (ms, monotonic) at which queued bytes fall due, or -1. */
int64_t host_port_next_due(host_port_t *p);
/* poll() events wanted on the master fd now. */
short host_port_poll_events(host_port_t *p);
/* Handle poll() results and due queues. Returns true while a client has the pty open. */
bool host_port_service(host_port_t *p, short revents, int64_t now_ms);
bool host_port_client_present(host_port_t *p);
/* Bytes from the modem to the host (AT responses, received data). */
void host_port_write(host_port_t *p, const uint8_t *buf, size_t len, int64_t now_ms);
/* T.31 flow control towards the host: false = hold (XOFF), true = release (XON). */
void host_port_set_cts(host_port_t *p, bool ready, int64_t now_ms);
/* Callbacks to the line, set by line.c. */
typedef void (*host_rx_fn)(void *user, const uint8_t *buf, size_t len);
typedef void (*host_session_fn)(void *user, bool started);
void host_port_set_handlers(host_port_t *p, host_rx_fn rx, host_session_fn session, void *user);

/* ---- far_end.c ---- */
typedef struct far_end_s far_end_t;

/* calling: the far end places the call and sends; otherwise it answers and receives. */
far_end_t *far_end_start(const linesim_options_t *opt, bool calling, int call_no);
void far_end_free(far_end_t *f);
/* One audio block each way; returns samples written to out (always BLOCK_SAMPLES). */
void far_end_audio(far_end_t *f, const int16_t *in, int16_t *out);
bool far_end_finished(far_end_t *f);     /* T.30 phase E reached */
int far_end_pages(far_end_t *f);         /* pages transferred so far */
int far_end_completion(far_end_t *f);    /* T30_ERR_* (T30_ERR_CALLDROPPED until phase E) */
void far_end_terminate(far_end_t *f);    /* the line dropped: end T.30 */

typedef struct {
    int call_no;
    const char *direction;  /* "dial" (host called the far end), "incoming" or "pair" */
    const char *caller;     /* pair mode: "a" or "b", else NULL */
    const char *local_ident; /* the far end's ident; NULL in pair mode */
    const char *number;
    const char *outcome;    /* completed, failed, busy, no-answer, no-dialtone, far-end-hangup,
                               host-hangup; pair mode: ended */
    double sim_seconds;
    double wall_seconds;
} call_summary_t;
/* Print the one JSON line of a call on stdout; f may be NULL (no fax session took place). */
void far_end_report(far_end_t *f, const call_summary_t *c);

/* ---- line.c ---- */
typedef struct line_s line_t;

line_t *line_create(const linesim_options_t *opt, host_port_t *port);
void line_free(line_t *l);
/* True while audio must run (a call is being set up, in progress or ringing). */
bool line_active(line_t *l);
/* Advance the line by one block of audio. */
void line_tick(line_t *l, int64_t now_ms);
/* Simulated time in samples since start. */
int64_t line_samples(line_t *l);

/* ---- pair.c ---- */
typedef struct pair_s pair_t;

pair_t *pair_create(const linesim_options_t *opt, host_port_t *a, host_port_t *b);
void pair_free(pair_t *p);
bool pair_active(pair_t *p);
void pair_tick(pair_t *p);

/* ---- modem.c ---- */
t31_state_t *modem_create(const linesim_options_t *opt, at_tx_handler_t *at_tx,
                          t31_modem_control_handler_t *control, void *user, const char *tag);
/* One block of the modem's transmit audio, padded with silence; t31 may be NULL. */
void modem_audio_tx(t31_state_t *t31, int16_t *amp);
awgn_state_t *noise_create(const linesim_options_t *opt, int seed); /* NULL without --noise */
void noise_add(awgn_state_t *noise, int16_t *amp);
typedef struct delay_line_s delay_line_t;
delay_line_t *delay_line_create(double ms); /* rounded to whole 20 ms blocks */
void delay_line_free(delay_line_t *d);
void delay_line_pass(delay_line_t *d, int16_t *amp);

/* ---- sender.c: the far end calling in and sending (--send) ---- */
typedef struct sender_s sender_t;
sender_t *sender_attach(const linesim_options_t *opt, t30_state_t *t30); /* sets the tx file(s) */
void sender_free(sender_t *d);
void sender_audio(sender_t *d, int16_t *out, int len); /* after fax_tx(), on its output */
int sender_pages_sent(const sender_t *d); /* data and post-page command out, confirmed or not */
void sender_report(const sender_t *d, FILE *out); /* the JSON fields of an incoming call */

/* ---- main.c ---- */
int64_t monotonic_ms(void);
/* The same clock in fractional milliseconds. */
double monotonic_ms_f(void);

#endif
