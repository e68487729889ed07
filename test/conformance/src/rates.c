/*
 * rates.c - the data signalling rates of T.30 Table 2 (bits 11-14): what a DIS offers
 * and what a DCS chooses. Frames are in T.30 notation (as tsb85.xml writes them):
 * octet 0 address, 1 control, 2 FCF, 3.. FIF; bit 1 of each FIF octet is its MSB.
 */
#include <stdio.h>
#include <string.h>

#include "tester.h"

static const struct {
    unsigned pattern; /* bits 11,12,13,14 as a 4-bit number, bit 11 highest */
    const char *modem;
    int rate;
} DCS_RATES[] = {
    { 0x0, "V.27ter/2400", 2400 }, { 0x4, "V.27ter/4800", 4800 }, { 0x8, "V.29/9600", 9600 },
    { 0xC, "V.29/7200", 7200 },    { 0x1, "V.17/14400", 14400 },  { 0x5, "V.17/12000", 12000 },
    { 0x9, "V.17/9600", 9600 },    { 0xD, "V.17/7200", 7200 },
};

static int rate_bits(const uint8_t *frame, int len)
{
    if (len < 5)
        return -1;
    uint8_t o = frame[4]; /* FIF octet 2: bits 9-16 */
    return ((o & 0x20) ? 8 : 0) | ((o & 0x10) ? 4 : 0) | ((o & 0x08) ? 2 : 0) | ((o & 0x04) ? 1 : 0);
}

/* The modem a DCS chooses, or NULL. */
const char *dcs_modem(const uint8_t *frame, int len)
{
    int bits = rate_bits(frame, len);
    for (size_t i = 0; i < sizeof(DCS_RATES) / sizeof(DCS_RATES[0]); i++)
        if ((int) DCS_RATES[i].pattern == bits)
            return DCS_RATES[i].modem;
    return NULL;
}

int modem_rate(const char *modem)
{
    int kind, rate;
    return modem_parse(modem, &kind, &rate) ? rate : 0;
}

/* Does a DIS offer this modem? (T.30 Table 2 bits 11-14 in a DIS: 0100 V.27ter,
   1100 V.27ter and V.29, 1101 adds V.17; 0000 is V.27ter fall-back, 2400 only.) */
bool dis_offers(const uint8_t *frame, int len, const char *modem)
{
    int bits = rate_bits(frame, len);
    bool v27 = bits == 0 || (bits & 0x4), v29 = (bits & 0x8) != 0, v17 = bits == 0xD;
    if (bits < 0)
        return false;
    if (strncmp(modem, "V.27ter/", 8) == 0)
        return bits == 0 ? strcmp(modem, "V.27ter/2400") == 0 : v27;
    if (strncmp(modem, "V.29/", 5) == 0)
        return v29;
    if (strncmp(modem, "V.17/", 5) == 0)
        return v17;
    return false;
}

/* Every modem a DIS offers at or below max_rate, as "A|B|C". */
void dis_modems_up_to(const uint8_t *frame, int len, int max_rate, char *buf, size_t buflen)
{
    buf[0] = '\0';
    for (size_t i = 0; i < sizeof(DCS_RATES) / sizeof(DCS_RATES[0]); i++) {
        if (DCS_RATES[i].rate > max_rate || !dis_offers(frame, len, DCS_RATES[i].modem))
            continue;
        if (buf[0])
            strncat(buf, "|", buflen - strlen(buf) - 1);
        strncat(buf, DCS_RATES[i].modem, buflen - strlen(buf) - 1);
    }
}
