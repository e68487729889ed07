/*
 * host_port.c - the pseudo-terminal the host (lpfax, efax) opens as its modem.
 *
 * Each open of the slave side by a client is one session. inotify reports every
 * open and close of the slave node, in order, so a client that closes and at
 * once reopens still gets a fresh modem: a session starts when the number of
 * opens goes from 0 to 1 and ends when it drops back to 0. Without inotify we
 * fall back to the master's POLLHUP (seen when the last client closes) and a
 * slow probe. While no client is present the master is not polled at all (it
 * reports POLLHUP continuously); no busy wait.
 *
 * Flow control (T.31 §8.3.3 / V.250 +IFC): when the modem's transmit buffer
 * fills, spandsp drops CTS. We then stop reading the master, so the kernel's
 * pty buffer fills and the host's write() blocks, and (by default) we also send
 * DC3 (XOFF), which a host with IXON set in termios obeys at once; DC1 (XON)
 * when spandsp raises CTS again.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <sys/inotify.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "linesim.h"

#define XON 0x11
#define XOFF 0x13
#define READ_CHUNK 256 /* small, so the T.31 buffer cannot overflow past its high tide */

typedef struct chunk_s {
    struct chunk_s *next;
    int64_t due_ms;
    size_t len, off;
    uint8_t data[];
} chunk_t;

typedef struct {
    chunk_t *head, *tail;
} queue_t;

struct host_port_s {
    int master_fd;
    char slave_path[64];
    int latency_ms;
    bool xonxoff;
    bool client;         /* a client has the slave open */
    int watch;           /* inotify watch descriptor of the slave, or -1 */
    int opens;           /* opens minus closes seen by inotify */
    bool cts;            /* modem ready to accept data from the host */
    bool xoff_sent;      /* host may still be stopped from an earlier session */
    queue_t to_host;     /* modem -> host, delayed by latency */
    queue_t from_host;   /* host -> modem, delayed by latency */
    host_rx_fn rx;
    host_session_fn session;
    void *user;
};

static void queue_push(queue_t *q, const uint8_t *buf, size_t len, int64_t due_ms)
{
    chunk_t *c = malloc(sizeof(*c) + len);
    if (c == NULL)
        abort();
    c->next = NULL;
    c->due_ms = due_ms;
    c->len = len;
    c->off = 0;
    memcpy(c->data, buf, len);
    if (q->tail)
        q->tail->next = c;
    else
        q->head = c;
    q->tail = c;
}

static void queue_pop(queue_t *q)
{
    chunk_t *c = q->head;
    q->head = c->next;
    if (q->head == NULL)
        q->tail = NULL;
    free(c);
}

static void queue_clear(queue_t *q)
{
    while (q->head)
        queue_pop(q);
}

/* Raw 8-bit, no echo, no signals: what a modem port looks like. On Linux,
   termios set on the master applies to the slave. */
static void set_raw(int fd)
{
    struct termios t;
    if (tcgetattr(fd, &t) == 0) {
        cfmakeraw(&t);
        cfsetispeed(&t, B115200);
        cfsetospeed(&t, B115200);
        tcsetattr(fd, TCSANOW, &t);
    }
}

host_port_t *host_port_open(const linesim_options_t *opt, const char **slave_path)
{
    host_port_t *p = calloc(1, sizeof(*p));
    if (p == NULL)
        return NULL;
    p->master_fd = posix_openpt(O_RDWR | O_NOCTTY | O_NONBLOCK | O_CLOEXEC);
    if (p->master_fd < 0 || grantpt(p->master_fd) || unlockpt(p->master_fd)
        || ptsname_r(p->master_fd, p->slave_path, sizeof(p->slave_path))) {
        perror("linesim: pseudo-terminal");
        free(p);
        return NULL;
    }
    set_raw(p->master_fd);
    p->latency_ms = opt->latency_ms;
    p->xonxoff = opt->xonxoff;
    p->cts = true;
    p->watch = -1;
    *slave_path = p->slave_path;
    return p;
}

void host_port_close(host_port_t *p)
{
    queue_clear(&p->to_host);
    queue_clear(&p->from_host);
    close(p->master_fd);
    free(p);
}

int host_port_fd(host_port_t *p) { return p->master_fd; }
bool host_port_client_present(host_port_t *p) { return p->client; }

void host_port_set_handlers(host_port_t *p, host_rx_fn rx, host_session_fn session, void *user)
{
    p->rx = rx;
    p->session = session;
    p->user = user;
}

int64_t host_port_next_due(host_port_t *p)
{
    int64_t due = -1;
    if (p->to_host.head)
        due = p->to_host.head->due_ms;
    if (p->from_host.head && p->cts && (due < 0 || p->from_host.head->due_ms < due))
        due = p->from_host.head->due_ms;
    return due;
}

short host_port_poll_events(host_port_t *p)
{
    short ev = 0;
    if (!p->client)
        return 0;
    if (p->cts)
        ev |= POLLIN;
    if (p->to_host.head && p->to_host.head->due_ms <= monotonic_ms())
        ev |= POLLOUT;
    return ev;
}

void host_port_write(host_port_t *p, const uint8_t *buf, size_t len, int64_t now_ms)
{
    if (!p->client || len == 0)
        return;
    queue_push(&p->to_host, buf, len, now_ms + p->latency_ms);
}

void host_port_set_cts(host_port_t *p, bool ready, int64_t now_ms)
{
    if (p->cts == ready)
        return;
    p->cts = ready;
    if (p->xonxoff && p->client) {
        uint8_t c = ready ? XON : XOFF;
        host_port_write(p, &c, 1, now_ms);
        p->xoff_sent = !ready;
    }
}

static void flush_to_host(host_port_t *p, int64_t now_ms)
{
    while (p->to_host.head && p->to_host.head->due_ms <= now_ms) {
        chunk_t *c = p->to_host.head;
        ssize_t n = write(p->master_fd, c->data + c->off, c->len - c->off);
        if (n < 0)
            return; /* EAGAIN: wait for POLLOUT; EIO: the hang-up is seen by poll */
        c->off += (size_t) n;
        if (c->off < c->len)
            return;
        queue_pop(&p->to_host);
    }
}

static void deliver_from_host(host_port_t *p, int64_t now_ms)
{
    while (p->cts && p->from_host.head && p->from_host.head->due_ms <= now_ms) {
        chunk_t *c = p->from_host.head;
        /* The callback may drop CTS; hand over the rest of the chunk later. */
        p->from_host.head = c->next;
        if (p->from_host.head == NULL)
            p->from_host.tail = NULL;
        p->rx(p->user, c->data, c->len);
        free(c);
    }
}

static void end_session(host_port_t *p)
{
    p->client = false;
    queue_clear(&p->to_host);
    queue_clear(&p->from_host);
    p->cts = true;
    set_raw(p->master_fd); /* the next client starts from a clean port */
    if (p->session)
        p->session(p->user, false);
}

static void start_session(host_port_t *p)
{
    p->client = true;
    if (p->xoff_sent) {
        /* A client closed the port while we held it with XOFF: release it. */
        uint8_t c = XON;
        (void) write(p->master_fd, &c, 1);
        p->xoff_sent = false;
    }
    if (p->session)
        p->session(p->user, true);
}

void host_port_watch(host_port_t *p, int inotify_fd)
{
    if (inotify_fd >= 0)
        p->watch = inotify_add_watch(inotify_fd, p->slave_path, IN_OPEN | IN_CLOSE);
}

bool host_port_watched(host_port_t *p) { return p->watch >= 0; }

bool host_port_inotify(host_port_t *p, int watch, uint32_t mask)
{
    if (p->watch < 0 || watch != p->watch)
        return false;
    if (mask & IN_OPEN) {
        if (p->opens++ == 0 && !p->client)
            start_session(p);
    } else if (mask & IN_CLOSE) {
        if (p->opens > 0 && --p->opens == 0 && p->client) {
            /* What the departed client wrote last must not reach the next session. */
            uint8_t buf[READ_CHUNK];
            while (read(p->master_fd, buf, sizeof(buf)) > 0)
                ;
            end_session(p);
        }
    }
    return true;
}

static bool probe_client(host_port_t *p)
{
    struct pollfd pfd = { .fd = p->master_fd, .events = POLLIN };
    if (poll(&pfd, 1, 0) < 0)
        return false;
    return !(pfd.revents & POLLHUP);
}

bool host_port_service(host_port_t *p, short revents, int64_t now_ms)
{
    if (!p->client) {
        if (p->watch >= 0 || !probe_client(p))
            return false;
        start_session(p);
        revents = 0;
    }
    if (revents & POLLIN) {
        uint8_t buf[READ_CHUNK];
        ssize_t n = read(p->master_fd, buf, sizeof(buf));
        if (n > 0) {
            if (p->latency_ms > 0 || p->from_host.head)
                queue_push(&p->from_host, buf, (size_t) n, now_ms + p->latency_ms);
            else
                p->rx(p->user, buf, (size_t) n);
        } else if (n < 0 && errno != EAGAIN && errno != EINTR && p->watch < 0) {
            end_session(p);
            return false;
        }
    } else if ((revents & (POLLHUP | POLLERR)) && p->watch < 0) {
        end_session(p);
        return false;
    }
    deliver_from_host(p, now_ms);
    flush_to_host(p, now_ms);
    return p->client;
}
