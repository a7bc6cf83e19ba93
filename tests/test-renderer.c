/* test-renderer.c: Cairo rather than software OpenGL (src/app/arb-renderer.c)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Runs under Xvfb, whose OpenGL is Mesa's llvmpipe: the case a machine
 * without a GPU is in.
 */
#include "config.h"

#include <gtk/gtk.h>

#include "arb-renderer.h"

static void
test_is_software (void)
{
  g_assert_true (arb_renderer_is_software ("llvmpipe (LLVM 15.0.6, 256 bits)"));
  g_assert_true (arb_renderer_is_software ("softpipe"));
  g_assert_true (arb_renderer_is_software ("Software Rasterizer"));
  g_assert_false (arb_renderer_is_software ("AMD Radeon RX 6600 (navi23, LLVM 15.0.6, DRM 3.49)"));
  g_assert_false (arb_renderer_is_software ("Mesa Intel(R) UHD Graphics 620 (KBL GT2)"));
  g_assert_false (arb_renderer_is_software ("NVIDIA GeForce GTX 1660/PCIe/SSE2"));
}

static void
test_software_gl (void)
{
#if defined(__SANITIZE_ADDRESS__)
  /* Mesa's OpenGL set-up keeps allocations LeakSanitizer cannot tell apart */
  g_test_skip ("Mesa's OpenGL is not used under AddressSanitizer");
  return;
#endif
  g_unsetenv ("GSK_RENDERER");
  g_unsetenv ("GDK_DEBUG");
  if (!gtk_init_check ())
    {
      g_test_skip ("no display");
      return;
    }
  /* the user's choice is left alone */
  g_setenv ("GSK_RENDERER", "gl", TRUE);
  g_assert_false (arb_renderer_avoid_software_gl ());
  g_assert_cmpstr (g_getenv ("GSK_RENDERER"), ==, "gl");
  g_unsetenv ("GSK_RENDERER");

  /* Xvfb's OpenGL is llvmpipe: the windows' renderer becomes Cairo */
  g_assert_true (arb_renderer_avoid_software_gl ());
  g_assert_cmpstr (g_getenv ("GSK_RENDERER"), ==, "cairo");
}

int
main (int argc, char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/arb/renderer/is-software", test_is_software);
  g_test_add_func ("/arb/renderer/software-gl", test_software_gl);

  return g_test_run ();
}
