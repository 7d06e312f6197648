/* How one item gives way to the next ([display] transition): a cross-fade of
 * transition_time, or a cut. Free of SDL, so that options can store it. */
#ifndef DP_TRANSITION_H
#define DP_TRANSITION_H

enum render_transition { RENDER_TRANSITION_FADE, RENDER_TRANSITION_CUT };

#endif
