/* arb-renderer.c: Cairo rather than software OpenGL
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * GTK 4.8 draws with OpenGL wherever it can make a context, also where the
 * only OpenGL is Mesa's software rasteriser (a virtual machine, a remote
 * desktop, Xvfb). There its GL renderer redraws the whole window on the CPU:
 * the Overview at 1 s sampling took 4.3 % of a core and 198 MiB, against
 * 0.3 % and 119 MiB with GTK's Cairo renderer (tests/bench/app-cpu.sh). An
 * operator keeps the dashboard open all day, often on such a machine, so
 * without a GPU arbdash asks GTK for Cairo. GSK_RENDERER, when set, wins.
 */
#define G_LOG_DOMAIN "arb-renderer"

#include "config.h"

#include <epoxy/gl.h>
#include <gtk/gtk.h>
#include <string.h>

#include "arb-renderer.h"

/**
 * arb_renderer_is_software:
 * @gl_renderer: the GL_RENDERER string of an OpenGL context
 *
 * Returns: whether the context rasterises on the CPU (Mesa's llvmpipe,
 *   softpipe or swrast)
 */
gboolean
arb_renderer_is_software (const char *gl_renderer)
{
  static const char *const software[] = { "llvmpipe", "softpipe", "Software Rasterizer", "swrast" };

  g_return_val_if_fail (gl_renderer != NULL, FALSE);

  for (guint i = 0; i < G_N_ELEMENTS (software); i++)
    if (strstr (gl_renderer, software[i]) != NULL)
      return TRUE;
  return FALSE;
}

/* Returns: (transfer full) (nullable): the GL_RENDERER of the display's OpenGL */
static char *
read_gl_renderer (GdkDisplay *display)
{
  g_autoptr(GdkGLContext) context = NULL;
  g_autoptr(GError) error = NULL;
  char *renderer;

  if (!gdk_display_prepare_gl (display, &error))
    return NULL;   /* no OpenGL at all: GTK uses Cairo by itself */
  context = gdk_display_create_gl_context (display, &error);
  if (context == NULL || !gdk_gl_context_realize (context, &error))
    return NULL;
  gdk_gl_context_make_current (context);
  renderer = g_strdup ((const char *) glGetString (GL_RENDERER));
  gdk_gl_context_clear_current ();
  return renderer;
}

/**
 * arb_renderer_avoid_software_gl:
 *
 * Sets GSK_RENDERER=cairo for the windows to come when the default display's
 * OpenGL is a software rasteriser and the user has not chosen a renderer.
 * Call after gtk_init() and before any thread starts (setenv() is not
 * thread-safe).
 *
 * Returns: whether it chose Cairo
 */
gboolean
arb_renderer_avoid_software_gl (void)
{
  GdkDisplay *display = gdk_display_get_default ();
  g_autofree char *renderer = NULL;

  if (display == NULL || g_getenv ("GSK_RENDERER") != NULL)
    return FALSE;
  renderer = read_gl_renderer (display);
  if (renderer == NULL || !arb_renderer_is_software (renderer))
    return FALSE;
  g_info ("OpenGL is %s, a software rasteriser: drawing with Cairo", renderer);
  g_setenv ("GSK_RENDERER", "cairo", TRUE);
  return TRUE;
}
