/* fast: the fast.log file, Suricata's one-line-per-alert text log. The file is opened with
 * eve.json by cn_output_open(); each worker collects lines in its own buffer and writes them
 * out whole, like the EVE writer. The alert line itself is formatted by the alert writer,
 * which arrives with the signature engine; this file provides its time stamp and its
 * buffered write. */
#include "output/output_int.h"

int cn_fast_time_format(struct cn_tscache *c, cn_time_t t, char out[CN_FAST_TIME_STRLEN])
{
    /* rearranged from the EVE form, so both logs agree on the time zone:
     * 2024-01-02T03:04:05.123456+0000 -> 01/02/2024-03:04:05.123456 */
    char iso[CN_TIME_STRLEN];
    int n = cn_tscache_format(c, t, iso);
    if (n < 26 || iso[4] != '-' || iso[7] != '-' || iso[10] != 'T') {
        out[0] = '\0';
        return 0;
    }
    memcpy(out, iso + 5, 2); /* month */
    out[2] = '/';
    memcpy(out + 3, iso + 8, 2); /* day */
    out[5] = '/';
    memcpy(out + 6, iso, 4); /* year */
    out[10] = '-';
    memcpy(out + 11, iso + 11, 15); /* HH:MM:SS.uuuuuu */
    out[26] = '\0';
    return 26;
}

void cn_fast_flush(struct cn_output_thread *ot)
{
    if (ot->fast_len) {
        cn_logfile_write(&ot->out->fast, ot->fast_buf, ot->fast_len);
        ot->fast_len = 0;
    }
}

void cn_fast_write_line(struct cn_output_thread *ot, const char *line, size_t len)
{
    if (!ot->fast_buf || len == 0)
        return;
    if (ot->fast_len + len > CN_FAST_THREAD_BUF)
        cn_fast_flush(ot);
    if (len > CN_FAST_THREAD_BUF) {
        cn_logfile_write(&ot->out->fast, line, len);
        return;
    }
    memcpy(ot->fast_buf + ot->fast_len, line, len);
    ot->fast_len += len;
}
