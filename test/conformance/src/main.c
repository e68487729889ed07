/*
 * main.c - options and the event loop of tsb85tester.
 *
 * usage: tsb85tester --case FILE [--call [--rings N]] [--speed F] [--link PATH] [--ring-seconds S]
 *                    [--max-seconds S] [--verbose]
 * --call: the tester calls the DUT (receiver cases, whose script begins with CALL): RING on the
 * pty --ring-after S (1) after the DUT opens it, every 6 s, up to N times (5); the DUT answers
 * with ATA.
 * stdout: first line the pty path, then one JSON line with the verdict of the case.
 * stderr: the step log (simulated seconds in brackets).
 * Runs until SIGTERM/SIGINT, so the DUT can finish its side of the call after the verdict.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <getopt.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <time.h>
#include <unistd.h>

#include "tester.h"

#define NO_CLIENT_PROBE_MS 100
#define MAX_LAG_MS 200

static script_t script;

int main(int argc, char **argv)
{
    static const struct option longopts[] = {
        { "case", required_argument, 0, 'c' },   { "speed", required_argument, 0, 's' },
        { "link", required_argument, 0, 'L' },   { "ring-seconds", required_argument, 0, 'r' },
        { "max-seconds", required_argument, 0, 'm' }, { "verbose", no_argument, 0, 'v' },
        { "call", no_argument, 0, 'C' }, { "rings", required_argument, 0, 'R' },
        { "ring-after", required_argument, 0, 'A' },
        { 0, 0, 0, 0 },
    };
    linesim_options_t opt = {
        .out_dir = ".", .speed = 1.0, .ring_seconds = 2.0, .ring_after = 1.0, .max_rings = 5,
        .hangup_after_seconds = -1, .hangup_after_page = -1, .ident = "TSB85", .xonxoff = true,
    };
    const char *case_path = NULL, *slave_path;
    double max_seconds = 900, block_ms, next_tick_ms;
    char err[256];
    int c;
    bool stopping = false, reported_no_call = false;

    while ((c = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
        switch (c) {
        case 'c': case_path = optarg; break;
        case 's': opt.speed = atof(optarg); break;
        case 'L': opt.link_path = optarg; break;
        case 'r': opt.ring_seconds = atof(optarg); break;
        case 'm': max_seconds = atof(optarg); break;
        case 'v': opt.verbose = true; break;
        case 'C': opt.far_end_sends = true; break; /* linesim's send mode: RING, the DUT's ATA */
        case 'R': opt.max_rings = atoi(optarg); break;
        case 'A': opt.ring_after = atof(optarg); break;
        default:
            fprintf(stderr, "usage: tsb85tester --case FILE [--speed F] [--link PATH] [--max-seconds S]\n");
            return 64;
        }
    }
    if (case_path == NULL || opt.speed <= 0) {
        fprintf(stderr, "tsb85tester: --case FILE is required\n");
        return 64;
    }
    if (script_load(&script, case_path, err, sizeof(err)) != 0) {
        fprintf(stderr, "tsb85tester: %s: %s\n", case_path, err);
        return 65;
    }
    tester_set_script(&script);

    sigset_t mask;
    sigemptyset(&mask);
    sigaddset(&mask, SIGTERM);
    sigaddset(&mask, SIGINT);
    sigaddset(&mask, SIGHUP);
    sigprocmask(SIG_BLOCK, &mask, NULL);
    signal(SIGPIPE, SIG_IGN);
    int sig_fd = signalfd(-1, &mask, SFD_CLOEXEC | SFD_NONBLOCK);

    host_port_t *port = host_port_open(&opt, &slave_path);
    if (port == NULL)
        return 71;
    line_t *line = line_create(&opt, port);
    if (opt.link_path) {
        unlink(opt.link_path);
        if (symlink(slave_path, opt.link_path) != 0) {
            perror("tsb85tester: symlink");
            return 73;
        }
    }
    printf("%s\n", slave_path);
    fflush(stdout);

    int64_t started = monotonic_ms();
    block_ms = 1000.0 * BLOCK_SAMPLES / SAMPLE_RATE / opt.speed;
    next_tick_ms = monotonic_ms_f();
    while (!stopping) {
        struct pollfd pfds[2];
        int64_t now = monotonic_ms();
        int timeout = NO_CLIENT_PROBE_MS;
        bool client = host_port_client_present(port);

        pfds[0] = (struct pollfd) { .fd = sig_fd, .events = POLLIN };
        pfds[1] = (struct pollfd) { .fd = client ? host_port_fd(port) : -1, .events = host_port_poll_events(port) };
        if (client) {
            int64_t due = host_port_next_due(port);
            if (due >= 0 && (int) (due - now) < timeout)
                timeout = (int) (due > now ? due - now : 0);
            if (line_active(line)) {
                double wait = next_tick_ms - monotonic_ms_f();
                int w = wait > 0 ? (int) wait + 1 : 0;
                if (w < timeout)
                    timeout = w;
            }
        }
        if (poll(pfds, 2, timeout) < 0 && errno != EINTR)
            break;
        if (pfds[0].revents & POLLIN)
            stopping = true;
        now = monotonic_ms();
        host_port_service(port, client ? pfds[1].revents : 0, now);
        if (line_active(line)) {
            double t = monotonic_ms_f();
            if (t - next_tick_ms > MAX_LAG_MS)
                next_tick_ms = t;
            while (line_active(line) && next_tick_ms <= t) {
                line_tick(line, now);
                next_tick_ms += block_ms;
                host_port_service(port, 0, monotonic_ms());
            }
        } else {
            next_tick_ms = monotonic_ms_f();
        }
        if (!reported_no_call && line_samples(line) == 0
            && (double) (monotonic_ms() - started) / 1000.0 * opt.speed > max_seconds) {
            tester_report_no_call("no call from the DUT", max_seconds);
            reported_no_call = true;
        }
    }
    line_free(line);
    host_port_close(port);
    if (opt.link_path)
        unlink(opt.link_path);
    return 0;
}
