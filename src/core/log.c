/* Logging: one line per message on stderr, prefixed with its level. The level is process-wide
 * and set once at start-up, before any worker starts. */
#include <stdio.h>

#include "core/core.h"

static enum cn_log_level log_level = CN_LOG_INFO;

void cn_log_set_level(enum cn_log_level level)
{
    log_level = level;
}

enum cn_log_level cn_log_get_level(void)
{
    return log_level;
}

void cn_log(enum cn_log_level level, const char *fmt, ...)
{
    static const char *const prefix[] = {"Error", "Warning", "Info", "Debug"};
    if (level > log_level)
        return;
    char line[2048];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(line, sizeof(line), fmt, ap);
    va_end(ap);
    if (n < 0)
        return;
    /* one fprintf per line so lines from several threads do not mix */
    fprintf(stderr, "%s: %s\n", prefix[level], line);
}

const char *cn_strerror(int err)
{
    switch (err < 0 ? -err : err) {
    case CN_OK:
        return "success";
    case CN_EAGAIN:
        return "need more data";
    case CN_EINVAL:
        return "invalid input";
    case CN_ENOMEM:
        return "out of memory";
    case CN_EIO:
        return "input/output error";
    case CN_ENOENT:
        return "not found";
    case CN_EEOF:
        return "end of input";
    case CN_ETRUNC:
        return "truncated input";
    default:
        return "unknown error";
    }
}
