/* Fuzz target for the rule parser: the input is split at newlines and each line parsed as one
 * rule with the built-in classes and Suricata's stock variables, then freed. Exercises the
 * header, address and port sets, option splitting and every keyword's setup(). Content is
 * hostile: nothing may crash, leak, hang or read out of bounds. */
#include <stdlib.h>
#include <string.h>

#include "detect/detect_int.h"

int cn_fuzz_rules(const uint8_t *data, size_t size);

static struct cn_detect_loader *loader(void)
{
    static struct cn_detect_loader ld;
    static bool ready;
    if (!ready) {
        cn_log_set_level(CN_LOG_ERROR);
        cn_detect_classes_load(&ld, NULL);
        ld.vars = cn_detect_vars_new(NULL);
        ready = true;
    }
    return &ld;
}

int cn_fuzz_rules(const uint8_t *data, size_t size)
{
    if (size > CN_RULE_MAX_LEN)
        return 0;
    char *text = malloc(size + 1);
    if (!text)
        return 0;
    memcpy(text, data, size);
    text[size] = '\0';
    char err[256];
    for (char *line = text, *next; line; line = next) {
        next = strchr(line, '\n');
        if (next)
            *next++ = '\0';
        struct cn_rule *r = cn_rule_parse(line, loader(), err, sizeof(err));
        if (r)
            cn_rule_free(r);
    }
    free(text);
    return 0;
}
