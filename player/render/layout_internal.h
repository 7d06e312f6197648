/* Shared by layout.c and layout_bidi.c; not for other modules. */
#ifndef DP_LAYOUT_INTERNAL_H
#define DP_LAYOUT_INTERNAL_H

#include "render/layout.h"

/* Fills out->runs and each line's rtl, first_run and n_runs from the lines
 * already in out (text is the whole text the lines point into). */
void layout_add_runs(const char *text, struct layout *out);

#endif
