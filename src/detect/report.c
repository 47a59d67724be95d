/* report: the rule-load report. Failures are counted under their reason (the exact text,
 * so "unsupported keyword 'http.uri'" and "unsupported keyword 'dns.query'" are separate
 * lines) and logged at the end with Suricata's summary wording, which scripts grep for:
 * "N rule files processed. N rules successfully loaded, N rules failed". */
#include <stdio.h>

#include "detect/detect_int.h"

/* The last slot gathers every reason that no longer fits. */
#define OTHER_REASONS "(other reasons)"

void cn_detect_report_fail(struct cn_detect_report *report, const char *reason)
{
    report->failed++;
    for (unsigned i = 0; i < report->nreasons; i++) {
        if (strncmp(report->reasons[i].reason, reason, sizeof(report->reasons[i].reason) - 1) ==
            0) {
            report->reasons[i].count++;
            return;
        }
    }
    unsigned i = report->nreasons;
    if (i >= CN_DETECT_MAX_REASONS) {
        report->reasons[CN_DETECT_MAX_REASONS - 1].count++;
        snprintf(report->reasons[CN_DETECT_MAX_REASONS - 1].reason,
                 sizeof(report->reasons[0].reason), "%s", OTHER_REASONS);
        return;
    }
    snprintf(report->reasons[i].reason, sizeof(report->reasons[i].reason), "%s", reason);
    report->reasons[i].count = 1;
    report->nreasons++;
}

void cn_detect_report_log(const struct cn_detect_report *report)
{
    if (report == NULL)
        return;
    enum cn_log_level lvl = report->failed ? CN_LOG_WARN : CN_LOG_INFO;
    cn_log(lvl, "%u rule files processed. %u rules successfully loaded, %u rules failed",
           report->files, report->loaded, report->failed);
    if (report->skipped)
        cn_info("%u commented-out rules skipped", report->skipped);
    for (unsigned i = 0; i < report->nreasons; i++)
        cn_log(lvl, "  %u rule%s failed: %s", report->reasons[i].count,
               report->reasons[i].count == 1 ? "" : "s", report->reasons[i].reason);
}
