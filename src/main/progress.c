/* What a person watching sees: a progress line on stderr while a long run goes on (only when
 * stderr is a terminal), and a short summary on stdout at the end. */
#include <stdio.h>

#include "main/main_int.h"

void cn_progress_update(struct cn_run *run, bool final)
{
    static uint64_t last_ns;
    uint64_t now = cn_monotonic_ns();
    if (!final && now - last_ns < 500000000ULL)
        return;
    last_ns = now;
    double secs = (double)(now - run->start_ns) / 1e9;
    uint64_t frames = atomic_load(&run->frames), bytes = atomic_load(&run->bytes);
    uint64_t flows = 0;
    for (unsigned i = 0; i < run->nworkers; i++)
        flows += run->workers[i] ? run->workers[i]->stats.v[CN_STAT_FLOW_TOTAL] : 0;
    fprintf(stderr, "\r%llu packets  %.2f Gbit/s  %llu flows  %.1f s%s", (unsigned long long)frames,
            secs > 0 ? (double)bytes * 8 / secs / 1e9 : 0.0, (unsigned long long)flows, secs,
            final ? "\n" : "   ");
    fflush(stderr);
}

struct count_line {
    char text[512];
    size_t len;
};

static void add_count(void *user, const char *type, uint64_t n)
{
    struct count_line *c = user;
    if (c->len < sizeof(c->text))
        c->len += (size_t)snprintf(c->text + c->len, sizeof(c->text) - c->len, "%s%s %llu",
                                   c->len ? ", " : "", type, (unsigned long long)n);
}

void cn_main_summary(const struct cn_run *run, const struct cn_run_result *res,
                     const struct cn_stats *total, const char *source)
{
    double secs = res->seconds > 0 ? res->seconds : 1e-9;
    printf("cleannet: %s: %llu packets, %llu bytes in %.3f s (%.2f Gbit/s, %.0f packets/s)\n",
           source, (unsigned long long)res->frames, (unsigned long long)res->bytes, res->seconds,
           (double)res->bytes * 8 / secs / 1e9, (double)res->frames / secs);
    printf("  flows: %llu (tcp sessions %llu), invalid packets: %llu\n",
           (unsigned long long)total->v[CN_STAT_FLOW_TOTAL],
           (unsigned long long)total->v[CN_STAT_TCP_SESSIONS],
           (unsigned long long)total->v[CN_STAT_DECODER_INVALID]);
    struct count_line c = {"", 0};
    cn_output_counts(run->out, add_count, &c);
    printf("  events: %s\n", c.len ? c.text : "none");
    printf("  eve.json: %s\n", cn_output_eve_path(run->out));
}
