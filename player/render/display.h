/* The display: a fullscreen window (X11, Wayland or KMS/DRM), a window, or
 * an offscreen surface (--headless; same drawing code, only SDL's video
 * driver differs). With [display] rotation the scene is drawn on a canvas
 * texture of the turned size and copied turned onto the output.
 * Main thread only. */
#ifndef DP_DISPLAY_H
#define DP_DISPLAY_H

#include <stdbool.h>
#include <stddef.h>

#include <SDL.h>

enum display_mode { DISPLAY_FULLSCREEN, DISPLAY_WINDOWED, DISPLAY_HEADLESS };

struct display {
    SDL_Window *window;
    SDL_Renderer *renderer;
    SDL_Texture *canvas; /* render target when rotation != 0 */
    int out_w, out_h;    /* the framebuffer */
    int w, h;            /* the canvas the scene lays out on */
    int rotation;
    const char *driver; /* SDL's video driver name */
    bool can_wait;      /* SDL_WaitEventTimeout really sleeps here */
};

/* Before SDL_Init: chooses the driver for mode (headless: offscreen). */
void display_prepare(enum display_mode mode);
/* Opens the window and renderer. w/h: the requested size (0: native for
 * fullscreen). Returns 0, or -1 with a message in err. */
int display_open(struct display *d, enum display_mode mode, int w, int h, int rotation, char *err,
                 size_t errlen);
void display_close(struct display *d);
/* Sets the render target for a frame (the canvas when rotated). */
void display_begin(struct display *d);
/* Copies the canvas turned when rotated; does not present. */
void display_finish(struct display *d);
/* Clears the frame being drawn to black (the screen off). Main thread. */
void display_blank(struct display *d);
void display_present(struct display *d);
/* The framebuffer as sent to the display (after display_finish, before
 * display_present): a new RGB24 surface, or NULL. */
SDL_Surface *display_read(struct display *d);

#endif
