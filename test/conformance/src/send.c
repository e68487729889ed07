/*
 * send.c - what the tester sends when it is the calling side (TSB-85 receiver cases,
 * MRGN/MRGX/ORGC): TCF and non-ECM page data, as spandsp's own tester makes them.
 *
 * T TCF: `value` octets (450 when absent) of zeros, the first `pattern` of them 0x55
 * instead (a TCF that is not all zeros). T MSG: the first page of the TIFF named by `value`
 * (runner.ts puts the path of a generated page there), coded with spandsp's T.4 encoder in
 * the step's `compression` (T.4 1D unless "T.4 2D" or "T.6"), at least `min_bits` bits a row,
 * the rows listed in `bad_rows` corrupted. T PP: the same page octets; modems.c cuts the step's
 * `block` (256 frames of `frame_size` octets, 64 when absent) into FCD frames.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tester.h"

#define MAX_PAGE_OCTETS (4 * 1024 * 1024)

static long tcf_octets(const step_t *st, uint8_t **data)
{
    long n = st->value[0] ? atol(st->value) : 450;
    if (n <= 0)
        n = 1;
    *data = calloc((size_t) n, 1);
    if (*data == NULL)
        return -1;
    if (st->pattern > 0)
        memset(*data, 0x55, (size_t) (st->pattern < n ? st->pattern : n));
    return n;
}

/* T MSG bad_rows (TSB-85: a row in error): flip the first bit after the EOL that begins each
   listed row. Rows are counted by EOL (eleven zeros then a one, T.4 4.1.2), bits taken least
   significant first as they go on the line; the row after the first EOL is row 1. */
static void corrupt_rows(uint8_t *data, long len, const char *list)
{
    char wanted[4096] = { 0 };
    int zeros = 0, row = 0;
    bool flip_next = false;
    for (const char *p = list; *p;) {
        char *end;
        long r = strtol(p, &end, 10);
        if (end == p) {
            p++;
            continue;
        }
        if (r > 0 && r < (long) sizeof(wanted))
            wanted[r] = 1;
        p = end;
    }
    for (long bit = 0; bit < len * 8; bit++) {
        uint8_t mask = (uint8_t) (1 << (bit & 7));
        if (flip_next) {
            data[bit >> 3] ^= mask;
            flip_next = false;
            zeros = 0; /* the flipped bit belongs to the row, not to the next EOL */
            continue;
        }
        if (data[bit >> 3] & mask) {
            if (zeros >= 11 && ++row < (int) sizeof(wanted) && wanted[row])
                flip_next = true;
            zeros = 0;
        } else {
            zeros++;
        }
    }
}

static long page_octets(const step_t *st, uint8_t **data, char *why, size_t whylen)
{
    t4_tx_state_t *t4;
    int encoding = T4_COMPRESSION_ITU_T4_1D;
    long len;

    if ((t4 = t4_tx_init(NULL, st->value, -1, -1)) == NULL) {
        snprintf(why, whylen, "cannot open the page %s", st->value);
        return -1;
    }
    if (strcmp(st->compression, "T.4 2D") == 0)
        encoding = T4_COMPRESSION_ITU_T4_2D;
    else if (strcmp(st->compression, "T.6") == 0)
        encoding = T4_COMPRESSION_ITU_T6;
    t4_tx_set_tx_encoding(t4, encoding);
    t4_tx_set_min_bits_per_row(t4, st->min_bits > 0 ? st->min_bits : 0);
    t4_tx_set_header_info(t4, NULL);
    if (t4_tx_start_page(t4) != 0) {
        t4_tx_free(t4);
        snprintf(why, whylen, "cannot start the page %s", st->value);
        return -1;
    }
    *data = malloc(MAX_PAGE_OCTETS);
    if (*data == NULL) {
        t4_tx_free(t4);
        return -1;
    }
    len = t4_tx_get_chunk(t4, *data, MAX_PAGE_OCTETS);
    t4_tx_free(t4);
    if (len <= 0 || len >= MAX_PAGE_OCTETS) {
        snprintf(why, whylen, "the page %s coded to %ld octets", st->value, len);
        free(*data);
        *data = NULL;
        return -1;
    }
    if (st->bad_rows[0])
        corrupt_rows(*data, len, st->bad_rows);
    return len;
}

long send_octets(const step_t *st, uint8_t **data, char *why, size_t whylen)
{
    *data = NULL;
    if (strcmp(st->type, "TCF") == 0)
        return tcf_octets(st, data);
    if (strcmp(st->type, "MSG") == 0 || strcmp(st->type, "PP") == 0)
        return page_octets(st, data, why, whylen);
    snprintf(why, whylen, "T %s is not supported by this tester", st->type);
    return -1;
}
