/* Log lines reach journald with their priorities (issue 12): with
 * $JOURNAL_STREAM naming standard error, "<P>" prefixes and no stamp;
 * otherwise (unset, or naming another file) the plain stamped lines. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/log.h"

/* Logs one line of each level with fd 2 on a temporary file, returns what
 * was written (static). stream: "self", "other" or NULL (unset). */
static const char *capture(const char *stream)
{
    static char out[2048];
    FILE *tmp = tmpfile();
    assert_non_null(tmp);
    int saved = dup(STDERR_FILENO);
    fflush(stderr);
    dup2(fileno(tmp), STDERR_FILENO);
    struct stat st;
    assert_int_equal(fstat(STDERR_FILENO, &st), 0);
    char js[64];
    if (stream && strcmp(stream, "self") == 0)
        snprintf(js, sizeof js, "%llu:%llu", (unsigned long long)st.st_dev,
                 (unsigned long long)st.st_ino);
    else
        snprintf(js, sizeof js, "%llu:%llu", (unsigned long long)st.st_dev,
                 (unsigned long long)st.st_ino + 1);
    if (stream)
        setenv("JOURNAL_STREAM", js, 1);
    else
        unsetenv("JOURNAL_STREAM");
    bool journal = dp_log_init();
    assert_int_equal(journal, stream && strcmp(stream, "self") == 0);
    dp_log_set_level(DP_LOG_DEBUG);
    LOG_E("t", "one %s", stream ? stream : "none");
    LOG_W("t", "two");
    LOG_I("t", "three");
    LOG_D("t", "four");
    fflush(stderr);
    dup2(saved, STDERR_FILENO);
    close(saved);
    rewind(tmp);
    size_t n = fread(out, 1, sizeof out - 1, tmp);
    out[n] = '\0';
    fclose(tmp);
    unsetenv("JOURNAL_STREAM");
    dp_log_init();
    return out;
}

static void test_journal_prefixes(void **state)
{
    const char *out = capture("self");
    assert_string_equal(out, "<3>error [t] one self\n<4>warn [t] two\n"
                             "<6>info [t] three\n<7>debug [t] four\n");
}

static void test_plain_lines(void **state)
{
    static const char *const cases[] = {NULL, "other"};
    for (size_t i = 0; i < 2; i++) {
        const char *out = capture(cases[i]);
        /* "HH:MM:SS error [t] one ..." */
        assert_null(strchr(out, '<'));
        assert_int_equal(out[2], ':');
        assert_int_equal(out[5], ':');
        assert_non_null(strstr(out, " error [t] one "));
        assert_non_null(strstr(out, " debug [t] four\n"));
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_journal_prefixes),
        cmocka_unit_test(test_plain_lines),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
