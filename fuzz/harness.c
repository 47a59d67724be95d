/* The one generic libFuzzer harness. It is compiled once per target with
 * -DCN_FUZZ_TARGET=<name>, and calls the target's cn_fuzz_<name>() defined in
 * target_<name>.c. The same object also runs under replay.c, so every corpus replays as a
 * plain test in CI without clang. */
#include <stddef.h>
#include <stdint.h>

#define CN_CAT2(a, b) a##b
#define CN_CAT(a, b)  CN_CAT2(a, b)
#define CN_TARGET_FN  CN_CAT(cn_fuzz_, CN_FUZZ_TARGET)

int CN_TARGET_FN(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    return CN_TARGET_FN(data, size);
}
