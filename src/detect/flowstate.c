/* flowstate: the detection state a flow carries (f->detect): flowbits, flowint counters,
 * by_flow threshold counters and session tags. It is allocated the first time a rule needs it, so
 * flows no rule touches cost nothing, and released by cn_detect_flow_end() when the flow ends. Each
 * part is owned by the file that uses it; this file only ties their lifetimes to the flow's. */
#include "detect/detect_int.h"

struct cn_flow_detect *cn_flow_detect_get(struct cn_flow *f)
{
    if (f->detect)
        return f->detect;
    f->detect = cn_calloc(1, sizeof(struct cn_flow_detect));
    return f->detect;
}

void cn_detect_flow_end(struct cn_flow *f)
{
    struct cn_flow_detect *fd = f->detect;
    if (!fd)
        return;
    cn_flow_detect_release(fd);
    cn_free(fd);
    f->detect = NULL;
}

void cn_flow_detect_release(struct cn_flow_detect *fd)
{
    for (int d = 0; d < 2; d++) {
        cn_free(fd->raw[d].buf);
        fd->raw[d] = (struct cn_raw){0};
    }
    cn_flowvar_release(fd);
    cn_threshold_flow_free(fd->thresholds);
    fd->thresholds = NULL;
    cn_tag_flow_release(fd);
}
