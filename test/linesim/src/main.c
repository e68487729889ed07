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

#define NO_CLIENT_PROBE_MS 250 /* fallback when inotify misses an open */
#define MAX_LAG_MS 200         /* if the host machine stalls, stop catching up */

int64_t monotonic_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t) ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static double monotonic_ms_f(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double) ts.tv_sec * 1000.0 + (double) ts.tv_nsec / 1e6;
}

static void usage(FILE *out)
{
    fputs("usage: linesim [options]\n"
          "A pty that behaves as a Class 1 fax modem; the far end of its line is a spandsp fax terminal.\n"
          "  --link PATH             also make PATH a symlink to the pty\n"
          "  --out-dir DIR           folder for received TIFF files (default .)\n"
          "  --speed F               simulated seconds per wall second (default 1)\n"
          "  --send FILE.tif         the far end calls in (RING) and sends FILE.tif\n"
          "  --ring-after S          send mode: seconds from opening the pty to the first RING (1)\n"
          "  --rings N               send mode: RINGs before the far end gives up (5)\n"
          "  --ring-seconds S        seconds of ringing before the far end answers (2)\n"
          "  --busy | --no-answer | --no-dialtone   the dialled call fails so\n"
          "  --noise DBM0            white noise on the line at this level (e.g. -40)\n"
          "  --hangup-after-seconds S  the far end hangs up S seconds after answering\n"
          "  --hangup-after-page N   the far end hangs up once page N is in, before confirming it\n"
          "  --modems LIST           far-end modems: v27ter,v29,v17 (default all)\n"
          "  --resolutions LIST      standard,fine,superfine (default all)\n"
          "  --codings LIST          mh,mr,mmr (default all)\n"
          "  --ecm on|off            far-end ECM capability (default on)\n"
          "  --rnr N                 far end answers N times receiver-not-ready (ECM)\n"
          "  --latency MS            extra delay each way between host and modem\n"
          "  --ident ID              far-end local ident, CSI or TSI (default LINESIM)\n"
          "  --flow xonxoff|none     send DC3/DC1 to the host for flow control (default xonxoff)\n"
          "  --verbose               spandsp logs on stderr\n",
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
        { "noise", required_argument, 0, 'N' },     { "hangup-after-seconds", required_argument, 0, 'H' },
        { "hangup-after-page", required_argument, 0, 'P' }, { "modems", required_argument, 0, 'm' },
        { "resolutions", required_argument, 0, 'x' }, { "codings", required_argument, 0, 'c' },
        { "ecm", required_argument, 0, 'e' },       { "rnr", required_argument, 0, 'X' },
        { "latency", required_argument, 0, 'l' },   { "ident", required_argument, 0, 'i' },
        { "flow", required_argument, 0, 'f' },      { "verbose", no_argument, 0, 'v' },
        { "help", no_argument, 0, 'h' },            { 0, 0, 0, 0 },
    };
    int c;

    *o = (linesim_options_t) {
        .out_dir = ".", .speed = 1.0, .ring_seconds = 2.0, .ring_after = 1.0, .max_rings = 5,
        .hangup_after_seconds = -1, .hangup_after_page = -1,
        .modems = T30_SUPPORT_V27TER | T30_SUPPORT_V29 | T30_SUPPORT_V17,
        .resolutions = T30_SUPPORT_STANDARD_RESOLUTION | T30_SUPPORT_FINE_RESOLUTION
                       | T30_SUPPORT_SUPERFINE_RESOLUTION,
        .codings = T30_SUPPORT_T4_1D_COMPRESSION | T30_SUPPORT_T4_2D_COMPRESSION
                   | T30_SUPPORT_T6_COMPRESSION,
        .ecm = true, .ident = "LINESIM", .xonxoff = true,
    };
    while ((c = getopt_long(argc, argv, "hv", longopts, NULL)) != -1) {
        switch (c) {
        case 'L': o->link_path = optarg; break;
        case 'o': o->out_dir = optarg; break;
        case 's': o->speed = parse_number(optarg, "--speed"); break;
        case 'S': o->far_end_sends = true; o->send_file = optarg; break;
        case 'A': o->ring_after = parse_number(optarg, "--ring-after"); break;
        case 'R': o->max_rings = (int) parse_number(optarg, "--rings"); break;
        case 'r': o->ring_seconds = parse_number(optarg, "--ring-seconds"); break;
        case 'b': o->busy = true; break;
        case 'n': o->no_answer = true; break;
        case 'd': o->no_dialtone = true; break;
        case 'N': o->noise = true; o->noise_dbm0 = parse_number(optarg, "--noise"); break;
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
        case 'h': usage(stdout); exit(0);
        default: usage(stderr); exit(64);
        }
    }
    if (optind < argc || o->speed <= 0 || o->max_rings < 1 || o->latency_ms < 0) {
        usage(stderr);
        exit(64);
    }
    if (o->send_file && access(o->send_file, R_OK) != 0) {
        fprintf(stderr, "linesim: cannot read %s\n", o->send_file);
        exit(66);
    }
}

int main(int argc, char **argv)
{
    linesim_options_t opt;
    const char *slave_path;
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

    host_port_t *port = host_port_open(&opt, &slave_path);
    if (port == NULL)
        return 71;
    line_t *line = line_create(&opt, port);
    if (opt.link_path) {
        unlink(opt.link_path);
        if (symlink(slave_path, opt.link_path) != 0) {
            perror("linesim: symlink");
            return 73;
        }
    }
    ino_fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
    if (ino_fd >= 0)
        inotify_add_watch(ino_fd, slave_path, IN_OPEN);
    printf("%s\n", slave_path);
    fflush(stdout);

    block_ms = 1000.0 * BLOCK_SAMPLES / SAMPLE_RATE / opt.speed;
    next_tick_ms = monotonic_ms_f();
    while (!stopping) {
        struct pollfd pfds[3];
        int64_t now = monotonic_ms();
        int timeout = -1;
        bool client = host_port_client_present(port);

        pfds[0] = (struct pollfd) { .fd = sig_fd, .events = POLLIN };
        pfds[1] = (struct pollfd) { .fd = host_port_fd(port), .events = host_port_poll_events(port) };
        pfds[2] = (struct pollfd) { .fd = ino_fd, .events = POLLIN };
        if (!client) {
            pfds[1].fd = -1; /* a master without a slave reports POLLHUP forever */
            timeout = NO_CLIENT_PROBE_MS;
        } else {
            int64_t due = host_port_next_due(port);
            if (due >= 0)
                timeout = (int) (due > now ? due - now : 0);
            if (line_active(line)) {
                double wait = next_tick_ms - monotonic_ms_f();
                int w = wait > 0 ? (int) wait + 1 : 0;
                if (timeout < 0 || w < timeout)
                    timeout = w;
            }
        }
        if (poll(pfds, ino_fd >= 0 ? 3 : 2, timeout) < 0 && errno != EINTR)
            break;
        if (pfds[0].revents & POLLIN)
            stopping = true;
        if (ino_fd >= 0 && (pfds[2].revents & POLLIN)) {
            char buf[4096];
            while (read(ino_fd, buf, sizeof(buf)) > 0)
                ;
        }
        now = monotonic_ms();
        host_port_service(port, client ? pfds[1].revents : 0, now);
        if (line_active(line)) {
            double t = monotonic_ms_f();
            if (t - next_tick_ms > MAX_LAG_MS)
                next_tick_ms = t;
            while (line_active(line) && next_tick_ms <= t) {
                line_tick(line, now);
                next_tick_ms += block_ms;
                /* bytes produced by this block go out before the next one */
                host_port_service(port, 0, monotonic_ms());
            }
        } else {
            next_tick_ms = monotonic_ms_f();
        }
    }
    line_free(line);
    host_port_close(port);
    if (opt.link_path)
        unlink(opt.link_path);
    return 0;
}
