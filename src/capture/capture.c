/* capture: the front door of the stage. Picks the source for a configuration from the table
 * that sources.def generates and forwards each call through the source's ops; also holds the
 * helpers the blocking sources share (error text, the break eventfd, the poll wait). */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "capture/capture_int.h"

static const struct cn_capture_ops *const sources[CN_CAPTURE__COUNT] = {
#define CN_CAPTURE_SOURCE(kind, ops) [CN_CAPTURE_##kind] = &ops,
#include "capture/sources.def"
#undef CN_CAPTURE_SOURCE
};

void cn_capture_config_defaults(struct cn_capture_config *cfg)
{
    memset(cfg, 0, sizeof(*cfg));
    cfg->kind = CN_CAPTURE_FILE;
    cfg->snaplen = 65535;
    cfg->promisc = true;
    cfg->fanout_id = 99;
    cfg->ring_mb = 32;
}

struct cn_capture *cn_capture_open(const struct cn_capture_config *cfg, int worker, char *err,
                                   size_t errlen)
{
    if (!cfg || !cfg->source || !cfg->source[0]) {
        snprintf(err, errlen, "capture: no source given");
        return NULL;
    }
    if ((unsigned)cfg->kind >= CN_CAPTURE__COUNT) {
        snprintf(err, errlen, "%s: unknown capture kind %d", cfg->source, (int)cfg->kind);
        return NULL;
    }
    if (worker < 0) {
        snprintf(err, errlen, "%s: bad worker index %d", cfg->source, worker);
        return NULL;
    }
    const struct cn_capture_ops *ops = sources[cfg->kind];
    struct cn_capture *c = ops->open(cfg, worker, err, errlen);
    if (c)
        c->ops = ops;
    return c;
}

int cn_capture_next(struct cn_capture *c, struct cn_frame *f)
{
    return c->ops->next(c, f);
}

const char *cn_capture_error(const struct cn_capture *c)
{
    return c->ops->error ? c->ops->error(c) : c->err;
}

bool cn_capture_had_errors(const struct cn_capture *c)
{
    return c->had_errors;
}

void cn_capture_break(struct cn_capture *c)
{
    if (c->ops->breakloop)
        c->ops->breakloop(c);
}

void cn_capture_kernel_stats(struct cn_capture *c, uint64_t *recv, uint64_t *drop)
{
    *recv = 0;
    *drop = 0;
    if (c->ops->kernel_stats)
        c->ops->kernel_stats(c, recv, drop);
}

unsigned cn_capture_share(struct cn_capture *c, unsigned n)
{
    return c->ops->share ? c->ops->share(c, n) : 0;
}

void cn_capture_cursor(struct cn_capture *c, struct cn_capture_cursor *cur, unsigned index)
{
    c->ops->cursor(c, cur, index);
}

void cn_capture_unshare(struct cn_capture *c, const struct cn_capture_cursor *cur)
{
    c->ops->unshare(c, cur);
}

void cn_capture_close(struct cn_capture *c)
{
    if (c)
        c->ops->close(c);
}

void cn_capture_set_error(struct cn_capture *c, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(c->err, sizeof(c->err), fmt, ap);
    va_end(ap);
    c->had_errors = true;
}

int cn_capture_wake_open(char *err, size_t errlen, const char *source)
{
    int fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    if (fd < 0)
        snprintf(err, errlen, "%s: eventfd: %s", source, strerror(errno));
    return fd;
}

void cn_capture_wake(int wakefd)
{
    uint64_t one = 1;
    int saved = errno; /* may run in a signal handler */
    ssize_t n = write(wakefd, &one, sizeof(one));
    (void)n; /* a full counter already means "woken" */
    errno = saved;
}

int cn_capture_wait(int fd, int wakefd)
{
    struct pollfd pfd[2] = {
        {.fd = fd, .events = POLLIN},
        {.fd = wakefd, .events = POLLIN},
    };
    int n = poll(pfd, 2, CN_CAPTURE_POLL_MS);
    if (n <= 0)
        return 0; /* timeout or EINTR: let the caller look at its flags */
    if (pfd[1].revents & POLLIN) {
        uint64_t v;
        ssize_t r = read(wakefd, &v, sizeof(v));
        (void)r;
        return 0;
    }
    if (pfd[0].revents & (POLLERR | POLLNVAL))
        return -1;
    return (pfd[0].revents & POLLIN) ? 1 : 0;
}
