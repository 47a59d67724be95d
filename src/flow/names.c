/* flow names: the strings EVE and the stats record use for flow states and end reasons
 * (Suricata's "new"/"established"/"closed" and "timeout"/"forced"/"shutdown"). */
#include "flow/flow_int.h"

const char *cn_flow_state_name(enum cn_flow_state s)
{
    switch (s) {
    case CN_FLOW_NEW:
        return "new";
    case CN_FLOW_ESTABLISHED:
        return "established";
    case CN_FLOW_CLOSED:
        return "closed";
    default:
        return "unknown";
    }
}

const char *cn_flow_end_reason_name(enum cn_flow_end_reason r)
{
    switch (r) {
    case CN_FLOW_END_TIMEOUT:
        return "timeout";
    case CN_FLOW_END_FORCED:
        return "forced";
    case CN_FLOW_END_SHUTDOWN:
        return "shutdown";
    default:
        return "unknown";
    }
}
