/* Benchmark 10's anchor: the least an SDL program does to put one image on
 * screen (init, window, renderer, load, upload, present). Prints the
 * milliseconds from process start to the first present. */
#include <stdio.h>
#include <time.h>

#include <SDL.h>
#include <SDL_image.h>

int main(int argc, char **argv)
{
    if (argc < 2)
        return 2;
    SDL_SetHint(SDL_HINT_FRAMEBUFFER_ACCELERATION, "0");
    if (SDL_Init(SDL_INIT_VIDEO) < 0)
        return 1;
    SDL_Window *w = SDL_CreateWindow("anchor", 0, 0, 1920, 1080, 0);
    SDL_Renderer *r = SDL_CreateRenderer(w, -1, SDL_RENDERER_SOFTWARE);
    SDL_Surface *s = IMG_Load(argv[1]);
    if (!w || !r || !s)
        return 1;
    SDL_Texture *t = SDL_CreateTextureFromSurface(r, s);
    SDL_RenderCopy(r, t, NULL, NULL);
    SDL_RenderPresent(r);
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    printf("%.3f\n", ts.tv_sec + ts.tv_nsec / 1e9);
    SDL_DestroyTexture(t);
    SDL_FreeSurface(s);
    SDL_DestroyRenderer(r);
    SDL_DestroyWindow(w);
    IMG_Quit();
    SDL_Quit();
    return 0;
}
