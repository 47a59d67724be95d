/* output: EVE JSON (one record per line), fast.log and the stats records.
 *
 * Each worker formats records into its own buffer with a small dedicated JSON writer and
 * hands whole lines to the shared file under a lock, so lines never interleave. Records carry
 * Suricata's field names and validate against Suricata's EVE schema.
 *
 * Public header of src/output; needs core, decode, flow, stream and detect. */
#ifndef CN_OUTPUT_H
#define CN_OUTPUT_H

#include "core/core.h"
#include "decode/decode.h"
#include "detect/detect.h"
#include "flow/flow.h"
#include "stream/stream.h"

struct cn_output_config {
    const char *logdir;       /* default "." (Suricata's -l) */
    bool eve_enabled;         /* default true */
    const char *eve_filename; /* default "eve.json", relative to logdir */
    bool eve_ethernet;        /* "ether" objects; default false */
    bool community_id;        /* default false */
    uint16_t community_id_seed;
    bool type_alert;           /* default true */
    bool type_flow;            /* default true */
    bool type_anomaly;         /* default true */
    bool anomaly_decode;       /* default false (Suricata's stock: decode: no) */
    bool anomaly_stream;       /* default false */
    bool anomaly_applayer;     /* default true */
    bool type_stats;           /* default true */
    bool stats_totals;         /* default true */
    bool stats_threads;        /* default false */
    bool stats_deltas;         /* default false */
    uint32_t stats_interval;   /* seconds of wall clock between periodic stats; default 8 */
    bool fast_enabled;         /* default true */
    const char *fast_filename; /* default "fast.log" */
    /* added after the first draft; defaults as noted */
    const char *in_iface;      /* capture interface for "in_iface"; NULL (files) omits it */
    bool stats_decoder_events; /* Suricata's stats.decoder-events: default true */
    bool stats_stream_events;  /* Suricata's stats.stream-events: default false */
    /* alert records (outputs.eve-log.types.alert.*), added with the signature engine */
    bool alert_payload;           /* "payload": base64 of the packet payload; default false */
    bool alert_payload_printable; /* "payload_printable"; default false */
    bool alert_packet;            /* "packet": base64 of the whole frame; default false */
    bool alert_tagged_packets;    /* "packet" records for tagged packets; default true */
    bool alert_metadata;          /* "flow", "app_proto" and rule metadata; default true */
    bool ips_mode;                /* drop rules block (alert.action "blocked"); default false */
};
CN_API void cn_output_config_defaults(struct cn_output_config *cfg);

struct cn_output;        /* shared: the open files */
struct cn_output_thread; /* per worker: its buffers */

/* Opens (truncates) the log files. NULL on failure with the path and reason in err. */
CN_API struct cn_output *cn_output_open(const struct cn_output_config *cfg, char *err,
                                        size_t errlen);
/* Flushes and closes. Every thread must have been freed first. */
CN_API void cn_output_close(struct cn_output *out);
CN_API const char *cn_output_eve_path(const struct cn_output *out);

CN_API struct cn_output_thread *cn_output_thread_new(struct cn_output *out);
/* Flushes the thread's buffers and frees them. */
CN_API void cn_output_thread_free(struct cn_output_thread *ot);
/* Hands the thread's buffered records to the files' writer threads (they reach the files
 * shortly after, in order); cn_output_sync() waits until everything handed over is written. */
CN_API void cn_output_thread_flush(struct cn_output_thread *ot);
CN_API void cn_output_sync(struct cn_output *out);

/* A "packet" record for p, which a session tag covers (CN_PKT_TAGGED), when alert records
 * and alert.tagged-packets are on. */
CN_API void cn_output_tagged_packet(struct cn_output_thread *ot, const struct cn_packet *p);
/* One anomaly record per event on p (decode and stream events, as enabled). */
CN_API void cn_output_packet_events(struct cn_output_thread *ot, const struct cn_packet *p);
/* The flow record of an ending flow. Call it before cn_stream_flow_end() frees the TCP
 * session: the "tcp" object reads the session's state. */
CN_API void cn_output_flow(struct cn_output_thread *ot, const struct cn_flow *f);

/* One EVE "alert" record and one fast.log line per alert on p, in the order given (as
 * cn_detect_packet() returns them). */
CN_API void cn_output_alerts(struct cn_output_thread *ot, const struct cn_packet *p,
                             const struct cn_alert *alerts, unsigned n);

/* A stats record from totals (already merged over threads). uptime in seconds. ts is the
 * record's timestamp. Also counts records by event type for the run summary. */
CN_API void cn_output_stats(struct cn_output *out, const struct cn_stats *totals, cn_time_t ts,
                            uint64_t uptime);
/* The rule load that stats records report as Suricata's "detect.engines" entry (id 0): rules
 * loaded and failed, and when (wall clock). Without this call the entry is left out. */
CN_API void cn_output_set_rule_load(struct cn_output *out, const struct cn_detect_report *rep,
                                    cn_time_t when);

/* Records written so far, by event_type ("flow", "anomaly", "stats", ...), for the summary.
 * Calls fn once per type with a non-zero count. */
CN_API void cn_output_counts(const struct cn_output *out,
                             void (*fn)(void *user, const char *type, uint64_t n), void *user);

#endif
