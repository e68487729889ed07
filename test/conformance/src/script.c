/*
 * script.c - the case file runner.ts writes from tsb85.xml, one line each:
 *   CASE <name>
 *   S <index> <dir> <type> <modem> <tag> <value> <timein> <timeout> <crc_error> <frame_size>
 *     [<compression> <min_bits> <block> <pattern> <bad_rows>]   (T TCF/MSG/PP of receiver cases)
 *     [<xxx>]   R HDLC: another frame the step accepts (MRGN04: "MCF or RTP")
 *   REPEAT <min> <max>
 *   END
 *   BRANCH <index>     after the main script: an alternative to main step <index>,
 *   S ...              its steps (the first is the R HDLC frame that selects it),
 *   ENDBRANCH          then back to step <index>
 * Fields are separated by tabs; "-" is an absent attribute.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tester.h"

static const char *field(char **save)
{
    const char *f = strtok_r(NULL, "\t\n", save);
    return f && strcmp(f, "-") != 0 ? f : NULL;
}

static int number_or(const char *f, int dflt) { return f ? atoi(f) : dflt; }

/* "FF C8 01 00 50 00 ..." -> octets, wildcard. */
static int parse_hex(step_t *st, const char *text)
{
    const char *p = text;
    st->frame_len = 0;
    st->wildcard = false;
    while (*p) {
        while (*p == ' ')
            p++;
        if (*p == '\0')
            break;
        if (strncmp(p, "...", 3) == 0) {
            st->wildcard = true;
            p += 3;
            continue;
        }
        char *end;
        char two[3] = { p[0], p[1], 0 };
        long v = strtol(two, &end, 16);
        if (end != two + 2 || st->frame_len >= MAX_FRAME || st->wildcard)
            return -1;
        st->frame[st->frame_len++] = (uint8_t) v;
        p += 2;
    }
    return 0;
}

int script_load(script_t *s, const char *path, char *err, size_t errlen)
{
    FILE *f = fopen(path, "r");
    char line[2048];
    int depth = 0;
    bool in_branch = false;

    memset(s, 0, sizeof(*s));
    s->main_n = -1;
    if (f == NULL) {
        snprintf(err, errlen, "cannot open %s", path);
        return -1;
    }
    while (fgets(line, sizeof(line), f)) {
        char *save = NULL;
        const char *kind = strtok_r(line, "\t\n", &save);
        if (kind == NULL)
            continue;
        if (strcmp(kind, "CASE") == 0) {
            const char *n = field(&save);
            snprintf(s->name, sizeof(s->name), "%s", n ? n : "?");
            continue;
        }
        if (s->n >= MAX_STEPS) {
            snprintf(err, errlen, "too many steps");
            fclose(f);
            return -1;
        }
        step_t *st = &s->steps[s->n];
        memset(st, 0, sizeof(*st));
        st->timein = st->timeout = st->crc_error = st->number = -1;
        st->min_bits = st->block = st->pattern = -1;
        if (strcmp(kind, "REPEAT") == 0) {
            st->kind = K_REPEAT;
            st->repeat_min = number_or(field(&save), 0);
            st->repeat_max = number_or(field(&save), 1000000);
            depth++;
        } else if (strcmp(kind, "END") == 0) {
            st->kind = K_END_REPEAT;
            depth--;
        } else if (strcmp(kind, "BRANCH") == 0) {
            if (in_branch || depth != 0) {
                snprintf(err, errlen, "BRANCH inside a REPEAT or another BRANCH");
                fclose(f);
                return -1;
            }
            if (s->main_n < 0)
                s->main_n = s->n;
            st->kind = K_BRANCH;
            st->branch_at = number_or(field(&save), -1);
            in_branch = true;
        } else if (strcmp(kind, "ENDBRANCH") == 0) {
            st->kind = K_END_BRANCH;
            in_branch = false;
        } else if (s->main_n >= 0 && !in_branch) {
            snprintf(err, errlen, "a step after the branches, outside any BRANCH");
            fclose(f);
            return -1;
        } else if (strcmp(kind, "S") == 0) {
            const char *v;
            st->kind = K_STEP;
            st->xml_index = number_or(field(&save), 0);
            v = field(&save);
            st->dir = v ? v[0] : 0;
            v = field(&save);
            snprintf(st->type, sizeof(st->type), "%s", v ? v : "");
            v = field(&save);
            snprintf(st->modem, sizeof(st->modem), "%s", v ? v : "");
            v = field(&save);
            snprintf(st->tag, sizeof(st->tag), "%s", v ? v : "");
            v = field(&save);
            snprintf(st->value, sizeof(st->value), "%s", v ? v : "");
            st->timein = number_or(field(&save), -1);
            st->timeout = number_or(field(&save), -1);
            st->crc_error = number_or(field(&save), -1);
            st->frame_size = number_or(field(&save), 0);
            /* the calling tester's fields (receiver cases), after the sender cases' ones */
            v = field(&save);
            snprintf(st->compression, sizeof(st->compression), "%s", v ? v : "");
            st->min_bits = number_or(field(&save), -1);
            st->block = number_or(field(&save), -1);
            st->pattern = number_or(field(&save), -1);
            v = field(&save);
            snprintf(st->bad_rows, sizeof(st->bad_rows), "%s", v ? v : "");
            v = field(&save);
            if (v && strcmp(st->type, "HDLC") == 0) {
                step_t alt = { 0 };
                if (parse_hex(&alt, v) != 0 || alt.wildcard) {
                    snprintf(err, errlen, "step %d: bad alternative octets '%s'", st->xml_index, v);
                    fclose(f);
                    return -1;
                }
                memcpy(st->alt_frame, alt.frame, (size_t) alt.frame_len);
                st->alt_frame_len = alt.frame_len;
            }
            if (strcmp(st->type, "HDLC") == 0 && parse_hex(st, st->value) != 0) {
                snprintf(err, errlen, "step %d: bad HDLC octets '%s'", st->xml_index, st->value);
                fclose(f);
                return -1;
            }
            if (strcmp(st->type, "WAIT") == 0 || strcmp(st->type, "PREAMBLE") == 0)
                st->number = st->value[0] ? atoi(st->value) : -1;
        } else {
            snprintf(err, errlen, "unknown line kind '%s'", kind);
            fclose(f);
            return -1;
        }
        s->n++;
    }
    fclose(f);
    if (depth != 0 || in_branch) {
        snprintf(err, errlen, "unbalanced REPEAT/END or BRANCH/ENDBRANCH");
        return -1;
    }
    if (s->main_n < 0)
        s->main_n = s->n;
    return 0;
}

void step_describe(const step_t *st, char *buf, size_t len)
{
    snprintf(buf, len, "%d %s%s%s%s%s%s%s%s", st->xml_index, st->dir == 'T' ? "T " : st->dir == 'R' ? "R " : "",
             st->type, st->tag[0] ? " " : "", st->tag, st->modem[0] ? " " : "", st->modem,
             st->value[0] ? " " : "", st->value);
}

/* "V.29/9600" -> kind 29, 9600; "V.21" -> 21, 300. */
bool modem_parse(const char *text, int *kind, int *bit_rate)
{
    if (strcmp(text, "V.21") == 0) {
        *kind = 21;
        *bit_rate = 300;
        return true;
    }
    if (sscanf(text, "V.27ter/%d", bit_rate) == 1)
        *kind = 27;
    else if (sscanf(text, "V.29/%d", bit_rate) == 1)
        *kind = 29;
    else if (sscanf(text, "V.17/%d", bit_rate) == 1)
        *kind = 17;
    else
        return false;
    return true;
}
