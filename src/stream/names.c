/* names: the TCP state strings, spelled as Suricata writes them in EVE flow records
 * (tcp.state). */
#include "stream/stream_int.h"

const char *cn_tcp_state_name(enum cn_tcp_state s)
{
    static const char *const names[] = {
        [CN_TCP_NONE] = "none",
        [CN_TCP_SYN_SENT] = "syn_sent",
        [CN_TCP_SYN_RECV] = "syn_recv",
        [CN_TCP_ESTABLISHED] = "established",
        [CN_TCP_FIN_WAIT1] = "fin_wait1",
        [CN_TCP_FIN_WAIT2] = "fin_wait2",
        [CN_TCP_TIME_WAIT] = "time_wait",
        [CN_TCP_LAST_ACK] = "last_ack",
        [CN_TCP_CLOSE_WAIT] = "close_wait",
        [CN_TCP_CLOSING] = "closing",
        [CN_TCP_CLOSED] = "closed",
    };
    if ((unsigned)s >= CN_ARRAY_LEN(names) || !names[s])
        return "unknown";
    return names[s];
}
