/* tag: session tags, Suricata's tag:session. An alert of a rule with tag:session gives its flow
 * an entry (one per rule; a new alert of the same rule restarts the entry's count, at most
 * TAG_RESTARTS times, so a flood of matches cannot keep a flow tagged for ever). Every later
 * packet of the flow counts against each entry and is tagged while one is still within its
 * count of packets, bytes or seconds; an entry past its count is removed. The packet that
 * raised the alert is counted but not tagged: its alert already shows it. Entries live in
 * the flow's detection state and go with it. */
#include "detect/detect_int.h"
#include "detect/detect.h"

#define TAG_MAX_PER_FLOW 50
#define TAG_RESTARTS     10

struct cn_tag_entry {
    uint32_t sid, gid;
    uint32_t count;
    uint8_t metric;
    bool counted_first; /* the alerting packet has gone by */
    uint8_t restarts;
    uint64_t packets, bytes;
    uint64_t first_sec, last_sec;
};

static struct cn_tag_entry *entry_of(struct cn_flow_detect *fd, const struct cn_rule *r)
{
    for (unsigned i = 0; i < fd->ntags; i++)
        if (fd->tags[i].sid == cn_rule_sid(r) && fd->tags[i].gid == cn_rule_gid(r))
            return &fd->tags[i];
    return NULL;
}

void cn_tag_flow_add(const struct cn_rule *r, const struct cn_packet *p)
{
    if (!p->flow || r->tag_metric == CN_TAG_NONE)
        return;
    struct cn_flow_detect *fd = cn_flow_detect_get(p->flow);
    if (!fd)
        return;
    uint64_t now = (uint64_t)(p->ts / CN_USEC);
    struct cn_tag_entry *e = entry_of(fd, r);
    if (e) {
        if (e->restarts < TAG_RESTARTS) {
            e->restarts++;
            e->packets = e->bytes = 0;
            e->first_sec = e->last_sec = now;
        }
        return;
    }
    if (fd->ntags >= TAG_MAX_PER_FLOW)
        return;
    if (!fd->tags && !(fd->tags = cn_calloc(TAG_MAX_PER_FLOW, sizeof(*fd->tags))))
        return;
    fd->tags[fd->ntags++] = (struct cn_tag_entry){
        .sid = cn_rule_sid(r),
        .gid = cn_rule_gid(r),
        .count = r->tag_count,
        .metric = r->tag_metric,
        .first_sec = now,
        .last_sec = now,
    };
}

/* Counts p against e; false when e has run out (the caller removes it). */
static bool entry_counts(struct cn_tag_entry *e, const struct cn_packet *p, bool *tag)
{
    e->last_sec = (uint64_t)(p->ts / CN_USEC);
    e->packets++;
    e->bytes += p->caplen;
    if (!e->counted_first) {
        e->counted_first = true;
        return true;
    }
    uint64_t used = e->metric == CN_TAG_PACKETS ? e->packets
                    : e->metric == CN_TAG_BYTES ? e->bytes
                                                : e->last_sec - e->first_sec;
    if (used > e->count)
        return false;
    *tag = true;
    return true;
}

void cn_detect_tags(struct cn_packet *p)
{
    if (!p->flow || (p->flags & CN_PKT_PSEUDO))
        return;
    struct cn_flow_detect *fd = p->flow->detect;
    if (CN_LIKELY(!fd || fd->ntags == 0) || p->flow->passed) /* a passed flow: no inspection */
        return;
    bool tag = false;
    for (unsigned i = 0; i < fd->ntags;) {
        if (entry_counts(&fd->tags[i], p, &tag))
            i++;
        else
            fd->tags[i] = fd->tags[--fd->ntags]; /* order does not matter */
    }
    if (tag)
        p->flags |= CN_PKT_TAGGED;
}

void cn_tag_flow_release(struct cn_flow_detect *fd)
{
    cn_free(fd->tags);
    fd->tags = NULL;
    fd->ntags = 0;
}
