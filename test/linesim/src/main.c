/*
 * main.c - options and the event loop of linesim.
 *
 * stdout: first line the pty path, then one JSON line per call.
 * stderr: diagnostics (and spandsp's logs with --verbose).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/signalfd.h>
#include <time.h>
#include <unistd.h>

#include "linesim.h"

#define NO_CLIENT_PROBE_MS 250 /* without inotify, how often to look for a client */
#define MAX_LAG_MS 200         /* if the host machine stalls, stop catching up */

static void usage(FILE *out)
{
    fputs("usage: linesim [options]\n"
          "A pty that behaves as a Class 1 fax modem; the far end of its line is a spandsp fax terminal.\n"
          "  --link PATH             also make PATH a symlink to the pty\n"
          "  --pair                  two ptys (stdout lines 1 and 2), modems that call each other\n"
          "  --link-b PATH           pair mode: symlink to the second pty\n"
          "  --out-dir DIR           folder for received TIFF files (default .)\n"
          "  --speed F               simulated seconds per wall second (default 1)\n"
          "  --send FILE.tif         the far end calls in (RING) and sends FILE.tif\n"
          "  --ring-after S          send mode: seconds from opening the pty to the first RING (1)\n"
          "  --rings N               send mode: RINGs before the far end gives up (5)\n"
          "  --ring-seconds S        seconds of ringing before the far end answers (2)\n"
          "  --busy | --no-answer | --no-dialtone   the dialled call fails so\n"
          "  --noise DBM0            white noise on the line at this level (e.g. -40)\n"
          "  --burst-at S            a burst of loud noise towards the far end S s after it answered\n"
          "  --burst-ms MS           ... lasting MS ms (100)\n"
          "  --hangup-after-seconds S  the far end hangs up S seconds after answering\n"
          "  --hangup-after-page N   the far end hangs up once page N is in, before confirming it\n"
          "  --modems LIST           far-end modems: v27ter,v29,v17 (default all)\n"
          "  --resolutions LIST      standard,fine,superfine (default all)\n"
          "  --codings LIST          mh,mr,mmr (default all)\n"
          "  --ecm on|off            far-end ECM capability (default on)\n"
          "  --subaddress on|off     far end offers subaddressing, DIS bit 49 (default off)\n"
          "  --rnr N                 far end answers N times receiver-not-ready (ECM)\n"
          "  --latency MS            extra delay each way between host and modem\n"
          "  --line-delay MS         one-way audio delay on the line, whole 20 ms blocks (20)\n"
          "  --ident ID              far-end local ident, CSI or TSI (default LINESIM)\n"
          "  --flow xonxoff|none     send DC3/DC1 to the host for flow control (default xonxoff)\n"
          "  --verbose               spandsp logs on stderr\n"
          "  --send FILE.tif (again) send mode: further documents, EOM between them\n"
          "  --ecm-frame-size 64|256 send mode: ECM frame size the far end's DCS announces (256)\n"
          "  --no-dcs                send mode: the caller falls silent after the host's DIS\n"
          "  --caller-id NUM[,NAME]  send mode: caller ID the modem reports before the second RING\n"
          "                          once the host enabled it (AT+VCID=1): DATE, TIME, NMBR, NAME\n",
          out);
}

static int parse_list(const char *arg, const char *const names[], const int bits[], int n)
{
    int mask = 0;
    char *copy = strdup(arg), *save = NULL;
    for (char *tok = strtok_r(copy, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
        int i;
        for (i = 0; i < n && strcmp(tok, names[i]) != 0; i++)
            ;
        if (i == n) {
            fprintf(stderr, "linesim: unknown value '%s' in '%s'\n", tok, arg);
            exit(64);
        }
        mask |= bits[i];
    }
    free(copy);
    if (mask == 0) {
        fprintf(stderr, "linesim: empty list '%s'\n", arg);
        exit(64);
    }
    return mask;
}

static double parse_number(const char *arg, const char *what)
{
    char *end;
    double v = strtod(arg, &end);
    if (end == arg || *end) {
        fprintf(stderr, "linesim: %s needs a number, got '%s'\n", what, arg);
        exit(64);
    }
    return v;
}

/* --send FILE, once per document: the far end sends them in order, EOM between. */
static void add_document(linesim_options_t *o, const char *file)
{
    if (o->send_count >= LINESIM_MAX_DOCUMENTS) {
        fprintf(stderr, "linesim: at most %d documents (--send)\n", LINESIM_MAX_DOCUMENTS);
        exit(64);
    }
    o->far_end_sends = true;
    if (o->send_file == NULL)
        o->send_file = file;
    o->send_files[o->send_count++] = file;
}

static void parse_options(int argc, char **argv, linesim_options_t *o)
{
    static const char *const modem_names[] = { "v27ter", "v29", "v17" };
    static const int modem_bits[] = { T30_SUPPORT_V27TER, T30_SUPPORT_V29, T30_SUPPORT_V17 };
    static const char *const res_names[] = { "standard", "fine", "superfine" };
    static const int res_bits[] = { T30_SUPPORT_STANDARD_RESOLUTION, T30_SUPPORT_FINE_RESOLUTION,
                                    T30_SUPPORT_SUPERFINE_RESOLUTION };
    static const char *const coding_names[] = { "mh", "mr", "mmr" };
    static const int coding_bits[] = { T30_SUPPORT_T4_1D_COMPRESSION, T30_SUPPORT_T4_2D_COMPRESSION,
                                       T30_SUPPORT_T6_COMPRESSION };
    static const struct option longopts[] = {
        { "link", required_argument, 0, 'L' },      { "out-dir", required_argument, 0, 'o' },
        { "speed", required_argument, 0, 's' },     { "send", required_argument, 0, 'S' },
        { "ring-after", required_argument, 0, 'A' }, { "rings", required_argument, 0, 'R' },
        { "ring-seconds", required_argument, 0, 'r' }, { "busy", no_argument, 0, 'b' },
        { "no-answer", no_argument, 0, 'n' },       { "no-dialtone", no_argument, 0, 'd' },
        { "noise", required_argument, 0, 'N' },     { "burst-at", required_argument, 0, 'U' },
        { "burst-ms", required_argument, 0, 'u' },     { "hangup-after-seconds", required_argument, 0, 'H' },
        { "hangup-after-page", required_argument, 0, 'P' }, { "modems", required_argument, 0, 'm' },
        { "resolutions", required_argument, 0, 'x' }, { "codings", required_argument, 0, 'c' },
        { "ecm", required_argument, 0, 'e' },       { "rnr", required_argument, 0, 'X' },
        { "subaddress", required_argument, 0, 'a' },
        { "latency", required_argument, 0, 'l' },   { "ident", required_argument, 0, 'i' },
        { "flow", required_argument, 0, 'f' },      { "verbose", no_argument, 0, 'v' },
        { "line-delay", required_argument, 0, 'D' }, { "pair", no_argument, 0, 'p' },            { "link-b", required_argument, 0, 'B' },
        { "help", no_argument, 0, 'h' },
        { "ecm-frame-size", required_argument, 0, 'F' }, { "no-dcs", no_argument, 0, 'Z' },
        { "caller-id", required_argument, 0, 'C' },
        { 0, 0, 0, 0 },
    };
    int c;

    *o = (linesim_options_t) {
        .out_dir = ".", .speed = 1.0, .ring_seconds = 2.0, .ring_after = 1.0, .max_rings = 5,
        .hangup_after_seconds = -1, .hangup_after_page = -1, .burst_at = -1, .burst_ms = 100,
        .modems = T30_SUPPORT_V27TER | T30_SUPPORT_V29 | T30_SUPPORT_V17,
        .resolutions = T30_SUPPORT_STANDARD_RESOLUTION | T30_SUPPORT_FINE_RESOLUTION
                       | T30_SUPPORT_SUPERFINE_RESOLUTION,
        .codings = T30_SUPPORT_T4_1D_COMPRESSION | T30_SUPPORT_T4_2D_COMPRESSION
                   | T30_SUPPORT_T6_COMPRESSION,
        .ecm = true, .ident = "LINESIM", .xonxoff = true, .line_delay_ms = 20,
        .ecm_frame_size = 256,
    };
    while ((c = getopt_long(argc, argv, "hv", longopts, NULL)) != -1) {
        switch (c) {
        case 'L': o->link_path = optarg; break;
        case 'o': o->out_dir = optarg; break;
        case 's': o->speed = parse_number(optarg, "--speed"); break;
        case 'S': add_document(o, optarg); break;
        case 'A': o->ring_after = parse_number(optarg, "--ring-after"); break;
        case 'R': o->max_rings = (int) parse_number(optarg, "--rings"); break;
        case 'r': o->ring_seconds = parse_number(optarg, "--ring-seconds"); break;
        case 'b': o->busy = true; break;
        case 'n': o->no_answer = true; break;
        case 'd': o->no_dialtone = true; break;
        case 'N': o->noise = true; o->noise_dbm0 = parse_number(optarg, "--noise"); break;
        case 'U': o->burst_at = parse_number(optarg, "--burst-at"); break;
        case 'u': o->burst_ms = parse_number(optarg, "--burst-ms"); break;
        case 'H': o->hangup_after_seconds = parse_number(optarg, "--hangup-after-seconds"); break;
        case 'P': o->hangup_after_page = (int) parse_number(optarg, "--hangup-after-page"); break;
        case 'm': o->modems = parse_list(optarg, modem_names, modem_bits, 3); break;
        case 'x': o->resolutions = parse_list(optarg, res_names, res_bits, 3); break;
        case 'c': o->codings = parse_list(optarg, coding_names, coding_bits, 3); break;
        case 'e':
            if (strcmp(optarg, "on") && strcmp(optarg, "off")) {
                fprintf(stderr, "linesim: --ecm on|off\n");
                exit(64);
            }
            o->ecm = strcmp(optarg, "on") == 0;
            break;
        case 'a':
            if (strcmp(optarg, "on") && strcmp(optarg, "off")) {
                fprintf(stderr, "linesim: --subaddress on|off\n");
                exit(64);
            }
            o->subaddress = strcmp(optarg, "on") == 0;
            break;
        case 'X': o->rnr_count = (int) parse_number(optarg, "--rnr"); break;
        case 'l': o->latency_ms = (int) parse_number(optarg, "--latency"); break;
        case 'i': o->ident = optarg; break;
        case 'f':
            if (strcmp(optarg, "xonxoff") && strcmp(optarg, "none")) {
                fprintf(stderr, "linesim: --flow xonxoff|none\n");
                exit(64);
            }
            o->xonxoff = strcmp(optarg, "xonxoff") == 0;
            break;
        case 'v': o->verbose = true; break;
        case 'p': o->pair = true; break;
        case 'D': o->line_delay_ms = parse_number(optarg, "--line-delay"); break;
        case 'B': o->link_b_path = optarg; break;
        case 'F':
            o->ecm_frame_size = (int) parse_number(optarg, "--ecm-frame-size");
            if (o->ecm_frame_size != 64 && o->ecm_frame_size != 256) {
                fprintf(stderr, "linesim: --ecm-frame-size 64|256\n");
                exit(64);
            }
            break;
        case 'Z': o->no_dcs = true; break;
        case 'C': {
            char *comma = strchr(optarg, ',');
            o->caller_number = optarg;
            if (comma) {
                *comma = '\0';
                o->caller_name = comma + 1;
            }
            break;
        }
        case 'h': usage(stdout); exit(0);
        default: usage(stderr); exit(64);
        }
    }
    if (o->pair && o->far_end_sends) {
        fprintf(stderr, "linesim: --pair and --send do not mix\n");
        exit(64);
    }
    if (optind < argc || o->speed <= 0 || o->max_rings < 1 || o->latency_ms < 0 || o->line_delay_ms < 0) {
        usage(stderr);
        exit(64);
    }
    if (!o->pair && access(o->out_dir, W_OK) != 0) {
        fprintf(stderr, "linesim: cannot write to %s\n", o->out_dir);
        exit(73);
    }
    for (int i = 0; i < o->send_count; i++) {
        if (access(o->send_files[i], R_OK) != 0) {
            fprintf(stderr, "linesim: cannot read %s\n", o->send_files[i]);
            exit(66);
        }
    }
}

/* One of the two line models, seen from the event loop. */
typedef struct {
    line_t *line;
    pair_t *pair;
} model_t;

static bool model_active(model_t *m) { return m->line ? line_active(m->line) : pair_active(m->pair); }

static void model_tick(model_t *m, int64_t now)
{
    if (m->line)
        line_tick(m->line, now);
    else
        pair_tick(m->pair);
}

static bool make_link(const char *link, const char *target)
{
    if (link == NULL)
        return true;
    unlink(link);
    if (symlink(target, link) != 0) {
        perror("linesim: symlink");
        return false;
    }
    return true;
}

int main(int argc, char **argv)
{
    linesim_options_t opt;
    const char *slave_path[2];
    host_port_t *port[2] = { NULL, NULL };
    int nports;
    model_t model = { 0 };
    sigset_t mask;
    int sig_fd, ino_fd;
    double block_ms, next_tick_ms;
    bool stopping = false;

    parse_options(argc, argv, &opt);
    signal(SIGPIPE, SIG_IGN);
    sigemptyset(&mask);
    sigaddset(&mask, SIGTERM);
    sigaddset(&mask, SIGINT);
    sigaddset(&mask, SIGHUP);
    sigprocmask(SIG_BLOCK, &mask, NULL);
    sig_fd = signalfd(-1, &mask, SFD_CLOEXEC | SFD_NONBLOCK);

    nports = opt.pair ? 2 : 1;
    ino_fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
    for (int i = 0; i < nports; i++) {
        port[i] = host_port_open(&opt, &slave_path[i]);
        if (port[i] == NULL)
            return 71;
        host_port_watch(port[i], ino_fd);
    }
    if (opt.pair)
        model.pair = pair_create(&opt, port[0], port[1]);
    else
        model.line = line_create(&opt, port[0]);
    if (!make_link(opt.link_path, slave_path[0]) || (opt.pair && !make_link(opt.link_b_path, slave_path[1])))
        return 73;
    for (int i = 0; i < nports; i++)
        printf("%s\n", slave_path[i]);
    fflush(stdout);

    block_ms = 1000.0 * BLOCK_SAMPLES / SAMPLE_RATE / opt.speed;
    next_tick_ms = monotonic_ms_f();
    while (!stopping) {
        struct pollfd pfds[4];
        int64_t now = monotonic_ms();
        int timeout = -1;
        bool client[2] = { false, false };

        pfds[0] = (struct pollfd) { .fd = sig_fd, .events = POLLIN };
        pfds[1] = (struct pollfd) { .fd = ino_fd, .events = POLLIN };
        for (int i = 0; i < nports; i++) {
            client[i] = host_port_client_present(port[i]);
            pfds[2 + i] = (struct pollfd) { .fd = host_port_fd(port[i]), .events = host_port_poll_events(port[i]) };
            if (!client[i]) {
                pfds[2 + i].fd = -1; /* a master without a slave reports POLLHUP forever */
                if (!host_port_watched(port[i]) && (timeout < 0 || NO_CLIENT_PROBE_MS < timeout))
                    timeout = NO_CLIENT_PROBE_MS; /* no inotify: probe for a client now and then */
            } else {
                int64_t due = host_port_next_due(port[i]);
                if (due >= 0) {
                    int d = (int) (due > now ? due - now : 0);
                    if (timeout < 0 || d < timeout)
                        timeout = d;
                }
            }
        }
        if (model_active(&model)) {
            double wait = next_tick_ms - monotonic_ms_f();
            int w = wait > 0 ? (int) wait + 1 : 0;
            if (timeout < 0 || w < timeout)
                timeout = w;
        }
        if (poll(pfds, (nfds_t) (2 + nports), timeout) < 0 && errno != EINTR)
            break;
        if (pfds[0].revents & POLLIN)
            stopping = true;
        if (pfds[1].revents & POLLIN) {
            /* Opens and closes of the ptys, in order, before their data. */
            char buf[4096] __attribute__((aligned(__alignof__(struct inotify_event))));
            ssize_t n;
            while ((n = read(ino_fd, buf, sizeof(buf))) > 0) {
                for (char *q = buf; q < buf + n;) {
                    const struct inotify_event *ev = (const struct inotify_event *) q;
                    for (int i = 0; i < nports; i++)
                        if (host_port_inotify(port[i], ev->wd, ev->mask))
                            break;
                    q += sizeof(*ev) + ev->len;
                }
            }
        }
        now = monotonic_ms();
        for (int i = 0; i < nports; i++)
            host_port_service(port[i], client[i] ? pfds[2 + i].revents : 0, now);
        if (model_active(&model)) {
            double t = monotonic_ms_f();
            if (t - next_tick_ms > MAX_LAG_MS)
                next_tick_ms = t;
            while (model_active(&model) && next_tick_ms <= t) {
                model_tick(&model, now);
                next_tick_ms += block_ms;
                /* bytes produced by this block go out before the next one */
                for (int i = 0; i < nports; i++)
                    host_port_service(port[i], 0, monotonic_ms());
            }
        } else {
            next_tick_ms = monotonic_ms_f();
        }
    }
    if (model.line)
        line_free(model.line);
    if (model.pair)
        pair_free(model.pair);
    for (int i = 0; i < nports; i++)
        host_port_close(port[i]);
    if (opt.link_path)
        unlink(opt.link_path);
    if (opt.pair && opt.link_b_path)
        unlink(opt.link_b_path);
    return 0;
}
