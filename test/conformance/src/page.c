/*
 * page.c - decoding the page data of an R MSG step with spandsp's T.4 decoder, in the
 * coding, width and resolution the DUT's DCS announced (T.30 Table 2: bit 15 fine,
 * bit 16 two-dimensional coding, bits 17-18 recording width, bit 31 T.6). A page
 * that decodes to no rows, or with bad rows on this clean line, is not a page.
 */
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "tester.h"

struct page_check_s {
    t4_rx_state_t *t4;
    char path[64];
};

static bool dcs_bit(const uint8_t *dcs, int len, int bit)
{
    int index = 3 + (bit - 1) / 8;
    return index < len && (dcs[index] & (0x80 >> ((bit - 1) % 8))) != 0;
}

page_check_t *page_check_start(const uint8_t *dcs, int dcs_len)
{
    page_check_t *p = calloc(1, sizeof(*p));
    int encoding = T4_COMPRESSION_ITU_T4_1D;
    if (p == NULL)
        return NULL;
    if (dcs_bit(dcs, dcs_len, 31))
        encoding = T4_COMPRESSION_ITU_T6;
    else if (dcs_bit(dcs, dcs_len, 16))
        encoding = T4_COMPRESSION_ITU_T4_2D;
    snprintf(p->path, sizeof(p->path), "/tmp/tsb85tester-%d.tif", (int) getpid());
    p->t4 = t4_rx_init(NULL, p->path, T4_COMPRESSION_ITU_T4_2D);
    if (p->t4 == NULL) {
        free(p);
        return NULL;
    }
    t4_rx_set_rx_encoding(p->t4, encoding);
    /* bits 17-18: 00 is 1728 pixels (A4); the others widen the line */
    t4_rx_set_image_width(p->t4, dcs_bit(dcs, dcs_len, 17) ? 2432 : dcs_bit(dcs, dcs_len, 18) ? 2048 : 1728);
    t4_rx_set_x_resolution(p->t4, T4_X_RESOLUTION_R8);
    t4_rx_set_y_resolution(p->t4, dcs_bit(dcs, dcs_len, 15) ? T4_Y_RESOLUTION_FINE : T4_Y_RESOLUTION_STANDARD);
    t4_rx_start_page(p->t4);
    return p;
}

void page_check_bit(page_check_t *p, int bit)
{
    if (p)
        t4_rx_put_bit(p->t4, bit);
}

/* Ends the page; rows and bad rows of what was decoded. Frees p. */
void page_check_end(page_check_t *p, int *rows, int *bad_rows)
{
    t4_stats_t st;
    *rows = *bad_rows = -1;
    if (p == NULL)
        return;
    t4_rx_end_page(p->t4);
    t4_rx_get_transfer_statistics(p->t4, &st);
    *rows = st.length;
    *bad_rows = st.bad_rows;
    t4_rx_free(p->t4);
    unlink(p->path);
    free(p);
}
