/* cleannet's entry point: parse the command line, settle the configuration, load the rules
 * (once, shared read-only by every worker), start the workers, run the capture to its end (or
 * a signal), write the final stats and summary. */
#include <stdio.h>
#include <stdlib.h>

#include "main/main_int.h"

volatile sig_atomic_t cn_main_signalled;

static void on_signal(int sig)
{
    (void)sig;
    cn_main_signalled = 1;
}

static void install_signals(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    signal(SIGPIPE, SIG_IGN);
}

static const char *source_name(const struct cn_options *o)
{
    if (o->read_path)
        return o->read_path;
    if (o->afpacket)
        return *o->afpacket ? o->afpacket : o->iface;
    return o->iface;
}

/* Builds the workers, runs, and tears everything down in order. Returns the exit status. */
/* The rule profile goes to the log directory, next to eve.json. */
static void write_rule_profile(const struct cn_settings *s)
{
    const char *dir = s->output.logdir && s->output.logdir[0] ? s->output.logdir : ".";
    const char *name = s->rule_profile_file;
    char path[4096];
    if (name[0] == '/')
        snprintf(path, sizeof(path), "%s", name);
    else
        snprintf(path, sizeof(path), "%s/%s", dir, name);
    if (cn_rule_profile_write(s->rule_prof, path, s->rule_profile_limit) == 0)
        cn_info("rule profile written to %s", path);
}

static int run_engine(const struct cn_options *o, struct cn_settings *s)
{
    char err[512];
    struct cn_output *out = cn_output_open(&s->output, err, sizeof(err));
    if (!out) {
        fprintf(stderr, "Error: %s\n", err);
        return 2;
    }
    cn_output_set_rule_load(out, &s->rules_report, s->rules_loaded_at);
    struct cn_run run;
    memset(&run, 0, sizeof(run));
    run.settings = s;
    run.out = out;
    run.nworkers = s->threads;
    struct cn_run_result res;
    memset(&res, 0, sizeof(res));
    int status = 0;
    if (s->rule_profile && s->rules && !(s->rule_prof = cn_rule_profile_new(s->rules))) {
        status = 2;
        goto out_free;
    }
    for (unsigned i = 0; i < run.nworkers; i++) {
        if (!(run.workers[i] = cn_worker_new(i, s, out))) {
            status = 2;
            goto out_free;
        }
    }
    install_signals();
    int rc = cn_main_run(&run, &res);
    if (rc != 0 || res.capture_error)
        status = 1;
    if (s->progress)
        cn_progress_update(&run, true);

out_free:;
    cn_time_t end = res.last_ts;
    for (unsigned i = 0; i < run.nworkers; i++)
        if (run.workers[i] && run.workers[i]->last_ts > end)
            end = run.workers[i]->last_ts;
    /* the last pressure reading needs the workers' memcaps, so take it before they go */
    struct cn_stats total;
    cn_main_stats_snapshot(&run, &total);
    uint64_t pressure = total.v[CN_STAT_MEMCAP_PRESSURE];
    memset(&total, 0, sizeof(total));
    for (unsigned i = 0; i < run.nworkers; i++) {
        cn_worker_free(run.workers[i], end, &total);
        run.workers[i] = NULL;
    }
    if (s->rule_prof) {
        write_rule_profile(s);
        cn_rule_profile_free(s->rule_prof);
        s->rule_prof = NULL;
    }
    total.v[CN_STAT_MEMCAP_PRESSURE] = pressure;
    total.v[CN_STAT_MEMCAP_PRESSURE_MAX] = run.pressure_max;
    if (status != 2) {
        if (s->output.type_stats)
            cn_output_stats(out, &total, cn_time_now(),
                            (cn_monotonic_ns() - run.start_ns) / 1000000000ULL);
        cn_main_summary(&run, &res, &total, source_name(o));
    }
    cn_output_close(out);
    return status;
}

/* Loads the rule files the settings name, or the built-in default set when none is named
 * (-S /dev/null names an empty file and so loads nothing). Returns 0, or -1 when memory ran
 * out (message printed). *failed gets the number of rules that did not load. */
extern const char cn_default_rules[];
static int load_rules(struct cn_settings *s, bool test_only, unsigned *failed)
{
    *failed = 0;
    struct cn_detect_load_config lc = {
        .files = (const char *const *)s->rule_files,
        .nfiles = s->nrule_files,
        .classification_file = s->classification_file,
        .reference_file = s->reference_file,
        .threshold_file = s->threshold_file,
        .threshold_file_optional = s->threshold_file_optional,
        .threshold_memcap = s->threshold_memcap,
        .threshold_hash_size = s->threshold_hash_size,
        .conf = s->conf,
    };
    if (s->nrule_files == 0) {
        /* nothing named: the built-in default set (rules/default.rules) */
        lc.builtin_text = cn_default_rules;
        lc.builtin_name = "(built-in)/default.rules";
    }
    struct cn_detect_report rep;
    memset(&rep, 0, sizeof(rep));
    uint64_t t0 = cn_monotonic_ns();
    struct cn_ruleset *rs = cn_detect_load(&lc, &rep);
    if (!rs) {
        fprintf(stderr, "Error: out of memory while loading the rules\n");
        return -1;
    }
    cn_detect_report_log(&rep);
    cn_info("rules loaded in %.3f s", (double)(cn_monotonic_ns() - t0) / 1e9);
    if (test_only)
        printf("%u rule files processed. %u rules successfully loaded, %u rules failed\n",
               rep.files, rep.loaded, rep.failed);
    *failed = rep.failed;
    s->rules = rs;
    s->rules_report = rep;
    s->rules_loaded_at = cn_time_now();
    return 0;
}

int main(int argc, char **argv)
{
    struct cn_options opts;
    int rc = cn_main_parse_args(argc, argv, &opts);
    if (rc != 0) {
        cn_main_free_args(&opts);
        return rc > 0 ? 0 : 2;
    }
    if (opts.verbosity)
        cn_log_set_level(opts.verbosity > 1 ? CN_LOG_DEBUG : CN_LOG_INFO);
    else
        cn_log_set_level(CN_LOG_WARN);

    struct cn_settings settings;
    int status;
    if (cn_main_settings(&opts, &settings) != 0) {
        status = 2;
        goto out;
    }
    if (opts.dump_config) {
        cn_main_dump_config(settings.conf);
        status = 0;
        goto out;
    }
    unsigned failed;
    if (load_rules(&settings, opts.test_only, &failed) != 0) {
        status = 2;
        goto out;
    }
    if (opts.test_only) {
        /* as Suricata under -T: a rule that does not load is an error */
        if (failed) {
            fprintf(stderr, "Error: %u rule%s failed to load (see above)\n", failed,
                    failed == 1 ? "" : "s");
            status = 1;
            goto out;
        }
        printf("Configuration provided was successfully loaded. Exiting.\n");
        status = 0;
        goto out;
    }
    cn_main_settings_share(&settings, settings.threads);
    status = run_engine(&opts, &settings);
    /* datasets with save/state files are written once the workers are gone, as Suricata does
     * at shutdown (not under -T); a file that cannot be written is logged, as there */
    if (status != 2 && settings.rules)
        (void)cn_detect_datasets_save(settings.rules);
out:
    if (settings.rules)
        cn_ruleset_free(settings.rules);
    settings.rules = NULL;
    cn_main_settings_free(&settings);
    cn_main_free_args(&opts);
    return status;
}
