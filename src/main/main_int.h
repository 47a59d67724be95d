/* main: internals shared by the files of src/main (command line, settings, workers, run
 * modes, progress). Nothing outside src/main includes this. */
#ifndef CN_MAIN_INT_H
#define CN_MAIN_INT_H

#include <signal.h>
#include <stdatomic.h>

#include "app/app.h"
#include "capture/capture.h"
#include "core/core.h"
#include "decode/decode.h"
#include "detect/detect.h"
#include "flow/flow.h"
#include "output/output.h"
#include "stream/stream.h"

#define CN_MAX_SETS       128
#define CN_MAX_WORKERS    64
#define CN_MAX_RULE_FILES 64 /* -s given more than once */

enum cn_runmode { CN_RUNMODE_AUTO, CN_RUNMODE_SINGLE, CN_RUNMODE_WORKERS };

/* What the command line said. Strings point into argv. */
struct cn_options {
    const char *read_path; /* -r */
    const char *iface;     /* -i */
    const char *afpacket;  /* --af-packet[=IFACE]; "" when given without a name */
    const char *logdir;    /* -l */
    const char *config;    /* -c */
    const char *bpf_file;  /* -F */
    char *bpf;             /* trailing words joined, or the -F file's text; owned */
    const char *sets[CN_MAX_SETS];
    unsigned nsets;
    const char *checksum;                            /* -k */
    const char *rules_exclusive;                     /* -S */
    const char *rules_additional[CN_MAX_RULE_FILES]; /* -s, repeatable */
    unsigned nrules_additional;
    bool list_keywords; /* --list-keywords */
    bool dump_config;   /* --dump-config */
    enum cn_runmode runmode;
    unsigned threads; /* 0 = auto */
    bool test_only;   /* -T */
    bool simulate_ips;
    int verbosity; /* -v count */
};

/* Everything the stages need, derived from defaults, the config file and --set. */
struct cn_settings {
    struct cn_conf *conf; /* the tree, kept for later stages' keys */
    struct cn_decode_config decode;
    struct cn_flow_config flow;
    struct cn_stream_config stream;
    struct cn_output_config output;
    struct cn_capture_config capture;
    enum cn_runmode runmode;
    unsigned threads;
    bool progress; /* stderr is a terminal */
    /* rules: the files to load (owned), in order, and the class and reference files */
    char **rule_files;
    unsigned nrule_files;
    const char *classification_file;   /* NULL: the built-in classes */
    const char *reference_file;        /* NULL: none */
    const char *threshold_file;        /* threshold.config (never NULL once read) */
    bool threshold_file_optional;      /* the default path nobody named: missing is fine */
    uint64_t threshold_memcap;         /* detect.thresholds.memcap */
    uint32_t threshold_hash_size;      /* detect.thresholds.hash-size */
    bool rule_profile;                 /* profiling.rules.enabled */
    const char *rule_profile_file;     /* profiling.rules.filename, under the log dir */
    uint32_t rule_profile_limit;       /* profiling.rules.limit: rules written, 0 = all */
    struct cn_rule_profile *rule_prof; /* made by main when profiling is on */
    struct cn_ruleset *rules;          /* loaded by main before workers start; shared read-only */
    struct cn_detect_report rules_report; /* its load report, for the stats records */
    cn_time_t rules_loaded_at;            /* wall clock of that load */
};

/* cli.c */
/* Returns 0 to run, 1 when the program should exit 0 now (help, version), or -1 on a usage
 * error (message printed). */
int cn_main_parse_args(int argc, char **argv, struct cn_options *o);
void cn_main_free_args(struct cn_options *o);
/* --dump-config: prints every scalar of the tree as "dotted.key = value" (Suricata's format). */
void cn_main_dump_config(struct cn_conf *root);

/* settings.c: loads -c (or the built-in defaults), applies --set, maps keys onto the stage
 * configs, warns once about keys cleannet does not use. Returns 0, or -1 with the message
 * (naming the key) printed. */
int cn_main_settings(const struct cn_options *o, struct cn_settings *s);
void cn_main_settings_free(struct cn_settings *s);
/* Divides the per-process memcaps between n workers. */
void cn_main_settings_share(struct cn_settings *s, unsigned n);

/* Packets a worker decodes ahead of processing them when it gets frames in batches, so the
 * flow table's cache misses for later packets overlap the work on earlier ones. */
#define CN_WORKER_AHEAD 8

/* worker.c: one pipeline instance (decode -> flow -> stream -> detect -> output) owned by one
 * thread. */
struct cn_worker {
    unsigned id;
    struct cn_stats stats;
    struct cn_decode_ctx *decode;
    struct cn_flow_table *flows;
    struct cn_stream_ctx *stream;
    struct cn_detect_ctx *detect; /* NULL when no rule set is loaded */
    struct cn_packet view;        /* what raw-stream alerts are logged with */
    struct cn_output_thread *out;
    struct cn_packet ahead[CN_WORKER_AHEAD]; /* decoded ahead of processing (batches) */
    cn_time_t last_tick; /* packet time of the last timeout pass, in whole seconds */
    cn_time_t last_ts;
};
struct cn_worker *cn_worker_new(unsigned id, const struct cn_settings *s, struct cn_output *out);
/* Ends every flow and frees the worker; stats stay readable in *final when non-NULL. */
void cn_worker_free(struct cn_worker *w, cn_time_t now, struct cn_stats *final);
void cn_worker_frame(struct cn_worker *w, const struct cn_frame *f);
/* The same for n frames in a row, with the flow lookups prefetched a few packets ahead. */
void cn_worker_frames(struct cn_worker *w, const struct cn_frame *f, unsigned n);
/* Runs the timeout passes for packet time now (flows, fragments). */
void cn_worker_tick(struct cn_worker *w, cn_time_t now);

/* runmode.c */
struct cn_run_result {
    uint64_t frames;
    uint64_t bytes;
    double seconds;
    cn_time_t last_ts;  /* latest packet time read */
    bool capture_error; /* a read error was reported */
};
struct cn_run {
    const struct cn_settings *settings;
    struct cn_output *out;
    struct cn_worker *workers[CN_MAX_WORKERS];
    unsigned nworkers;
    atomic_bool stop;
    atomic_uint_fast64_t frames, bytes; /* read so far, for progress */
    uint64_t pressure_max;              /* highest memcap pressure seen, percent */
    uint64_t start_ns;
};
int cn_main_run(struct cn_run *run, struct cn_run_result *res);
/* Sums the workers' counters as they stand now. */
void cn_main_stats_snapshot(struct cn_run *run, struct cn_stats *total);

/* progress.c */
void cn_progress_update(struct cn_run *run, bool final);
void cn_main_summary(const struct cn_run *run, const struct cn_run_result *res,
                     const struct cn_stats *total, const char *source);

/* The signal handlers set this; the run loops poll it. */
extern volatile sig_atomic_t cn_main_signalled;

#endif
