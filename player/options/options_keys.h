/* The table of every config key (options_keys.c), which drives the
 * defaults, parsing, --check-config and the example file (options.c).
 * Not the module's API. Constant data: any thread. */
#ifndef DP_OPTIONS_KEYS_H
#define DP_OPTIONS_KEYS_H

#include <stddef.h>
#include <stdint.h>

enum opt_type {
    OPT_STRING,  /* free text; empty -> NULL */
    OPT_SECRET,  /* free text printed as <set> by --check-config; empty -> NULL */
    OPT_HEADERS, /* "Name: value" lines; "\n" in the file separates them */
    OPT_ADDR,    /* HOST:PORT or empty (kept as "") */
    OPT_BOOL,
    OPT_INT,           /* int, min..max */
    OPT_SIZE,          /* int64_t bytes, K/M/G suffixes, min..max */
    OPT_DURATION,      /* int64_t ms, ms/s/m/h suffixes, min..max (0 always allowed if min 0) */
    OPT_TEXT_DURATION, /* "auto" (stored 0) or a duration, min..max */
    OPT_ENUM,          /* int, index into words */
    OPT_COLOUR,        /* uint32_t 0xRRGGBB from #RRGGBB */
    OPT_WXH,           /* two ints at offset and offset2; empty -> 0x0 */
    OPT_ROTATION,      /* int: 0, 90, 180, 270 */
    OPT_SCHEDULE,      /* string, checked by schedule_parse */
};

struct opt_def {
    const char *section;
    const char *key;
    enum opt_type type;
    const char *def;     /* the default, as it would be written in the file */
    const char *meaning; /* one line for the example file */
    const char *empty;   /* what an empty value stands for, or NULL */
    size_t offset;
    size_t offset2;           /* OPT_WXH: the height */
    int64_t min, max;         /* OPT_INT, OPT_SIZE, OPT_DURATION, OPT_TEXT_DURATION */
    const char *const *words; /* OPT_ENUM, NULL-terminated, in enum order */
};

/* A field of struct dp_config, by its offset. */
#define OFF(field) offsetof(struct dp_config, field)

/* How many keys the table has (checked where it is defined). */
#define OPTIONS_N_KEYS 35

/* Every key of interface.md's config table, in its order. */
extern const struct opt_def options_keys[OPTIONS_N_KEYS];
/* The section names, NULL-terminated. */
extern const char *const options_sections[];

#endif
